// Limits counted in something other than calls (mock-contract §4): BatchSendMessage takes one token per receiver from
// a bucket of 12,000 refilled at 200 a second (docs/6348/1263587: 12,000 messages a minute, 500 receivers count 500).
import t from 'tap';
import { makeApp, call, ok, fails, snapshot } from './helpers.js';
import { RateLimiter } from '../src/protocol/ratelimit.js';
import { MockClock } from '../src/protocol/clock.js';

const APP = 626262;
const receivers = Array.from({ length: 500 }, (_, i) => 1000 + i);
const batch = (Receiver: number[]) => ({ AppId: APP, Sender: 1, Receiver, MsgType: 1, Content: 'x' });

t.test('BatchSendMessage: 12,000 receivers at once, then 200 a second', async (t) => {
  const app = await makeApp(t, { rateLimit: undefined, fixtureDoc: { Conversations: [] } });
  for (let i = 0; i < 24; i++) await ok(t, app, 'BatchSendMessage', batch(receivers)); // 24 x 500 = 12,000
  const before = snapshot(app);
  const err = await fails(t, app, 'BatchSendMessage', batch([7]), 429, 'FlowLimitExceeded');
  t.match(err.Message, /12000 at once, refilled at 200 per second; this call takes 1/);
  t.equal(snapshot(app), before, 'a refused call changes nothing');
  t.equal(err.CodeN, 100018);

  app.mock.clock.advance(2_000); // 400 tokens back
  await fails(t, app, 'BatchSendMessage', batch(receivers), 429, 'FlowLimitExceeded'); // 500 > 400: nothing taken
  const small = await ok(t, app, 'BatchSendMessage', batch(receivers.slice(0, 400)));
  t.equal(Object.keys(small.UserMessageId).length, 400, '400 receivers fit the 400 tokens');
  await fails(t, app, 'BatchSendMessage', batch([7]), 429, 'FlowLimitExceeded');
  app.mock.clock.advance(60_000);
  await ok(t, app, 'BatchSendMessage', batch(receivers));
});

t.test('BatchSendMessage: each access key has its own bucket; a bad body is refused before it is counted', async (t) => {
  const app = await makeApp(t, { rateLimit: undefined, fixtureDoc: { Conversations: [] } });
  const signedBy = (ak: string) => ({ authorization: `HMAC-SHA256 Credential=${ak}/20260101/cn-north-1/rtc/request, SignedHeaders=host, Signature=00` });
  for (let i = 0; i < 24; i++) await ok(t, app, 'BatchSendMessage', batch(receivers));
  await fails(t, app, 'BatchSendMessage', { ...batch(receivers), Receiver: [] }, 400, 'InvalidParameter');
  const other = await call(app, 'BatchSendMessage', batch([5]), { headers: signedBy('AKOTHER') });
  t.equal(other.status, 200, 'another key is not limited by the first one\'s use');
});

t.test('--rate-limit N: every call of every action costs one token of a bucket of N', async (t) => {
  const app = await makeApp(t, { rateLimit: 2, fixtureDoc: { Conversations: [] } });
  await ok(t, app, 'BatchSendMessage', batch(receivers));
  await ok(t, app, 'BatchSendMessage', batch(receivers));
  await fails(t, app, 'BatchSendMessage', batch([3]), 429, 'FlowLimitExceeded');
});

t.test('the limiter: cost and capacity, nothing taken when refused, buckets evicted only once full again', async (t) => {
  const clock = new MockClock(() => 0);
  const limiter = new RateLimiter(clock);
  t.ok(limiter.take('A', 200, 'k', 11_999, 12_000));
  t.notOk(limiter.take('A', 200, 'k', 2, 12_000), 'one token left');
  t.ok(limiter.take('A', 200, 'k', 1, 12_000), 'the refused call took nothing');
  clock.set(1_000);
  t.ok(limiter.take('A', 200, 'k', 200, 12_000), '200 a second');
  t.notOk(limiter.take('A', 200, 'k', 1, 12_000));
  t.notOk(limiter.take('A', 200, 'k', 12_001, 12_001 - 1), 'a cost above the capacity never passes');
});
