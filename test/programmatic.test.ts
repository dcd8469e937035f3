// startMock: the emulator in-process on a real port, for test suites. Each test has its own AppId and its own mock.
import t, { type Test } from 'tap';
import net from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock, buildApp, StartupError, MockClock, parseJson, stringifyJson, type MockServer } from '../src/index.js';
import { SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

const CONV = 1691070514797524328n;
const MSG = 1709040620191372977n;

/** A one-to-one conversation in its own AppId: 30341 has not read the message 30340 sent. */
function world(appId: number) {
  return {
    Conversations: [{
      AppId: appId, ConversationShortId: CONV, ConversationType: 1, OwnerUserId: 30340, OtherUserId: 30341,
      Participants: [{ ParticipantUserId: 30340, ReadIndex: 1 }, { ParticipantUserId: 30341, ReadIndex: 0 }],
      Messages: [{ MessageId: MSG, Sender: 30340, MsgType: 10001, Content: '{"text":"hi"}', IndexInConversation: 1, CreateTime: 1709040620191 }],
    }],
  };
}

async function post(mock: MockServer, action: string, body: unknown) {
  const res = await fetch(`${mock.url}/?Action=${action}&Version=2020-12-01`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: stringifyJson(body),
  });
  return { status: res.status, body: parseJson(await res.text()) as any };
}

const receiptOf = (appId: number) => ({ AppId: appId, ConversationShortId: CONV, MessageIds: [MSG] });

async function start(t: Test, opts: Parameters<typeof startMock>[0]) {
  const mock = await startMock(opts);
  t.teardown(() => mock.close());
  return mock;
}


t.test('startMock listens on a free port and answers over real HTTP', async (t) => {
  const mock = await start(t, { port: 0, fixtureDoc: world(910001), seed: 1, rateLimit: 0 });
  t.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.ok(mock.port > 0);
  t.equal(mock.url, `http://127.0.0.1:${mock.port}`);
  t.equal(mock.app.mock.loaded, true, 'state loaded before startMock resolves');
  const health = await fetch(`${mock.url}/_mock/health`);
  t.same(await health.json(), { Status: 'ok' });
  const a = await post(mock, 'GetMessagesReadReceipt', receiptOf(910001));
  t.equal(a.status, 200);
  t.same(a.body.Result, { ReadReceipt: [{ MessageId: MSG, ConversationShortId: CONV, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [30341] }] });
  t.equal(a.body.Result.ReadReceipt[0].MessageId, MSG, 'int64 exact over HTTP');
  const other = await post(mock, 'GetMessagesReadReceipt', receiptOf(910002));
  t.equal(other.body.ResponseMetadata.Error.Code, 'InvalidParameter.NotExistConversation', 'another AppId is another namespace');
});

t.test('close() stops listening', async (t) => {
  const mock = await startMock({ fixtureDoc: world(910003) });
  t.equal((await post(mock, 'GetMessagesReadReceipt', receiptOf(910003))).status, 200);
  await mock.close();
  await t.rejects(fetch(`${mock.url}/_mock/health`), 'nothing listens after close');
});

t.test('without fixtures it serves the packaged default world, rate limit on by default', async (t) => {
  const mock = await start(t, {});
  const a = await post(mock, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  t.strictSame(a.body.Result.ReadReceipt[0].UnReadUserIds, [30341]);
  t.equal(mock.app.mock.options.rateLimit, undefined, 'documented QPS unless told otherwise');
});

t.test('AppOptions pass through: rateLimit, seed + clock, bodyLimit', async (t) => {
  const limited = await start(t, { fixtureDoc: world(910004), rateLimit: 1, clock: new MockClock(() => 1_767_225_600_000) });
  t.equal((await post(limited, 'GetMessagesReadReceipt', receiptOf(910004))).status, 200);
  const refused = await post(limited, 'GetMessagesReadReceipt', receiptOf(910004));
  t.equal(refused.status, 429);
  t.equal(refused.body.ResponseMetadata.Error.Code, 'FlowLimitExceeded');

  const ids = [];
  for (let i = 0; i < 2; i++) {
    const m = await start(t, { fixtureDoc: world(910005), seed: 42, rateLimit: 0, clock: new MockClock(() => 1_767_225_600_000) });
    ids.push((await post(m, 'GetMessagesReadReceipt', receiptOf(910005))).body.ResponseMetadata.RequestId);
  }
  t.equal(ids[0], ids[1], 'same seed and clock, same RequestId');
  t.match(ids[0], /^20260101080000[0-9A-F]{20}$/);

  const small = await start(t, { fixtureDoc: world(910006), bodyLimit: 64, rateLimit: 0 });
  const big = await post(small, 'GetMessagesReadReceipt', { ...receiptOf(910006), MessageIds: Array(20).fill(MSG) });
  t.equal(big.status, 413);
  t.equal(big.body.ResponseMetadata.Error.Code, 'RequestEntityTooLarge');
  t.equal((small.app.mock.options as Record<string, unknown>).bodyLimit, 64);
});

t.test('data option: the state reaches the file by close()', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'volc-mock-prog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'state.json');
  const mock = await startMock({ fixtureDoc: world(910007), data: file, flushIntervalMs: 10 });
  await mock.close();
  const doc = parseJson(await readFile(file, 'utf8')) as any;
  t.equal(doc.Conversations[0].AppId, 910007);
  t.equal(doc.Conversations[0].ConversationShortId, CONV, 'int64 exact on disk');
});

t.test('a mock that cannot start rejects and leaves nothing listening', async (t) => {
  const err = await startMock({ fixtures: '/nonexistent/volc-fixtures.json' }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof StartupError, 'a StartupError');
  t.match((err as Error).message, /^fixtures \/nonexistent\/volc-fixtures\.json: cannot be read \(ENOENT\)$/);
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as net.AddressInfo).port;
  await t.rejects(startMock({ port, fixtureDoc: world(910008) }), { code: 'EADDRINUSE' });
});

t.test('reset(), state() and requests() drive the control plane', async (t) => {
  const mock = await start(t, { fixtureDoc: world(910009), seed: 3, rateLimit: 0 });
  const state = await mock.state({ appId: 910009 });
  t.equal(state.Conversations.length, 1);
  t.equal(state.Conversations[0].ConversationShortId, CONV, 'int64 exact');
  t.equal(state.Conversations[0].AppId, 910009);
  t.same((await mock.state({ appId: 910010 })).Conversations, [], 'an unseeded AppId is empty');

  const a = await post(mock, 'GetMessagesReadReceipt', receiptOf(910009));
  await post(mock, 'GetMessagesReadReceipt', receiptOf(910010));
  const mine = await mock.requests({ appId: 910009 });
  t.equal(mine.length, 1);
  t.match(mine[0], { RequestId: a.body.ResponseMetadata.RequestId, Action: 'GetMessagesReadReceipt', AppId: 910009, HttpStatus: 200 });
  const failed = await mock.requests({ errorCode: 'InvalidParameter.NotExistConversation' });
  t.equal(failed.length, 1);
  t.equal(failed[0].AppId, 910010);
  t.equal((await mock.requests({ limit: 1 })).length, 1);

  await mock.reset({ appId: 910009, to: 'empty' });
  t.same((await mock.state({ appId: 910009 })).Conversations, []);
  t.equal((await post(mock, 'GetMessagesReadReceipt', receiptOf(910009))).body.ResponseMetadata.Error.Code, 'InvalidParameter.NotExistConversation');
  await mock.reset();
  t.equal((await mock.state({ appId: 910009 })).Conversations.length, 1, 'back to the fixtures');
  t.same(await mock.requests(), [], 'a full reset empties the journal');
  t.equal((await post(mock, 'GetMessagesReadReceipt', receiptOf(910009))).status, 200);
});

t.test('control helpers report a refused control request', async (t) => {
  const mock = await start(t, { fixtureDoc: world(910011) });
  await t.rejects(mock.state({ appId: -5 }), { message: /GET \/_mock\/state: HTTP 400/ });
});

t.test('with an admin token the control helpers still work (they send it)', async (t) => {
  const mock = await start(t, Object.assign({ fixtureDoc: world(910012) }, { adminToken: 's3cret' }));
  t.equal((await fetch(`${mock.url}/_mock/state`)).status, 401, 'a client without the token is refused');
  t.equal((await mock.state({ appId: 910012 })).Conversations.length, 1);
  await mock.reset({ appId: 910012, to: 'empty' });
  t.same((await mock.state({ appId: 910012 })).Conversations, []);
  t.same(await mock.requests(), []);
});
