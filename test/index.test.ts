// IndexInConversation is time-like (mock-contract §1): max(previous + 1, mock clock in µs); `--index sequential`
// gives 1, 2, 3. An index never passes int64's maximum (issue 12 item 4a): a write that would is refused.
import t from 'tap';
import { join } from 'node:path';
import { makeApp, call, ok, fails, snapshot, SEED_APP, SEED_CONV, SEED_MSG_INDEX, NOW_MS, NOW_US } from './helpers.js';
import { parseConfig } from '../src/config.js';
import { conversationsFromFixture } from '../src/store/fixtures.js';
import { initialConversations } from '../src/store/load.js';
import { buildApp } from '../src/app.js';

const INT64_MAX = 9223372036854775807n;
const APP = 515151;
const G = 1800000000000000777n;
const PAIR = 1800000000000000778n;

const send = async (t: any, app: any, conv: bigint, sender = 1, appId = APP) =>
  (await ok(t, app, 'SendMessage', { AppId: appId, ConversationShortId: conv, Sender: sender, MsgType: 1, Content: 'x' })).MessageId as bigint;
const indexOf = async (t: any, app: any, conv: bigint, id: bigint, appId = APP) =>
  BigInt((await ok(t, app, 'GetMessages', { AppId: appId, ConversationShortId: conv, MessageIds: [id] })).Messages[0].IndexInConversation);

/** A group of users 1 and 2 (empty unless messages are given) and a one-to-one of 1 and 2. */
const doc = (last?: bigint) => ({
  Conversations: [
    {
      AppId: APP, ConversationShortId: G, ConversationType: 2, OwnerUserId: 1,
      Participants: [{ ParticipantUserId: 1, Role: 1 }, { ParticipantUserId: 2 }],
      Messages: last === undefined ? [] : [{ MessageId: 1700000000000000777n, Sender: 1, MsgType: 1, Content: 'edge', IndexInConversation: last, CreateTime: NOW_MS }],
    },
    {
      AppId: APP, ConversationShortId: PAIR, ConversationType: 1, OwnerUserId: 1, OtherUserId: 2,
      Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 2 }],
      Messages: last === undefined ? [] : [{ MessageId: 1700000000000000778n, Sender: 1, MsgType: 1, Content: 'edge', IndexInConversation: last, CreateTime: NOW_MS }],
    },
  ],
});

t.test('time (the default): the clock in µs, previous + 1 within the same µs, never backwards', async (t) => {
  const app = await makeApp(t, { fixtureDoc: doc() });
  const a = await send(t, app, G);
  const b = await send(t, app, G, 2);
  t.equal(await indexOf(t, app, G, a), NOW_US, 'the first message: the clock in µs');
  t.equal(await indexOf(t, app, G, b), NOW_US + 1n, 'the same millisecond: previous + 1');
  app.mock.clock.advance(1500);
  const c = await send(t, app, G);
  t.equal(await indexOf(t, app, G, c), NOW_US + 1_500_000n, 'later: the clock again');
  app.mock.clock.set(NOW_MS - 60_000);
  const d = await send(t, app, G);
  t.equal(await indexOf(t, app, G, d), NOW_US + 1_500_001n, 'a clock set back never makes an index go down');

  // what a client assuming 1, 2, 3 gets wrong, as it would in production
  const r = await ok(t, app, 'GetParticipantReadIndex', { AppId: APP, ConversationShortId: G });
  const reader = r.ReadIndexes.find((x: any) => x.ParticipantUserId === 2);
  t.ok(NOW_US + 1_500_001n - BigInt(reader.ReadIndex) > 4n, 'unread counted by subtraction is not the 2 messages 2 has not read');
  const p = await ok(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: G, Cursor: 2, Limit: 20 });
  t.equal(p.Messages.length, 4, 'Cursor 2 is not "from the second message": every index is above it');
});

t.test('the default world: the seed message is time-like and answers the documented receipt', async (t) => {
  const app = await makeApp(t);
  const m = (await ok(t, app, 'GetConversationMessages', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Cursor: 0, Limit: 20 })).Messages;
  t.same(m.map((x: any) => x.IndexInConversation), [SEED_MSG_INDEX], 'its CreateTime 1709040620191 ms in µs');
  const id = await send(t, app, SEED_CONV, 30341, SEED_APP);
  t.equal(await indexOf(t, app, SEED_CONV, id, SEED_APP), NOW_US);
});

t.test('sequential: 1, 2, 3 (buildApp option, --index, VOLC_MOCK_INDEX)', async (t) => {
  const app = await makeApp(t, { fixtureDoc: doc(), index: 'sequential' });
  const ids = [await send(t, app, G), await send(t, app, G, 2)];
  app.mock.clock.advance(10_000);
  ids.push(await send(t, app, G));
  t.same(await Promise.all(ids.map((id) => indexOf(t, app, G, id))), [1n, 2n, 3n]);
  t.equal(parseConfig([], {}).index, 'time', 'the default');
  t.equal(parseConfig(['--index', 'sequential'], {}).index, 'sequential');
  t.equal(parseConfig([], { VOLC_MOCK_INDEX: 'sequential' }).index, 'sequential');
  t.equal(parseConfig(['--index', 'time'], { VOLC_MOCK_INDEX: 'sequential' }).index, 'time', 'the flag wins');
  t.throws(() => parseConfig(['--index', 'µs'], {}), /--index=µs: must be one of time, sequential/);
  await t.rejects(buildApp({ index: 'nope' as any }), /index: must be one of time, sequential/);
});

t.test('an index never passes int64 max: SendMessage refused, nothing changed, and the file loads back', async (t) => {
  const dir = t.testdir({});
  const data = join(dir, 'state.json');
  const fixture = doc(INT64_MAX);
  const G2 = 1800000000000000779n; // a second group, empty
  fixture.Conversations.push({ ...fixture.Conversations[0], ConversationShortId: G2, Messages: [] });
  const app = await makeApp(t, { fixtureDoc: fixture, data, flushIntervalMs: 60_000 });
  const before = snapshot(app);
  const err = await fails(t, app, 'SendMessage', { AppId: APP, ConversationShortId: G, Sender: 2, MsgType: 1, Content: 'one too many' }, 400, 'InvalidParameter');
  t.match(err.Message, /int64's maximum/);
  t.equal(snapshot(app), before, 'nothing changed, not even the sender\'s ReadIndex');

  // BatchSendMessage: that receiver fails, the others are sent
  const r = await ok(t, app, 'BatchSendMessage', { AppId: APP, Sender: 2, Receiver: [1, 3], MsgType: 1, Content: 'x' });
  t.same(r.FailedReceiver, [1], 'the full one-to-one is a failed receiver');
  t.same(Object.keys(r.UserMessageId), ['3']);
  t.equal(app.mock.store.conversation(APP, PAIR)!.messages.length, 1, 'nothing appended to it');

  // BatchSendGroupMessage: the full group fails on its own, before or after a group it sends into (it used to answer
  // 400 after sending into the groups listed before the full one)
  const g = await ok(t, app, 'BatchSendGroupMessage', { AppId: APP, Sender: 2, ConversationType: 2, ConversationShortIds: [G2, G], MsgType: 1, Content: 'x' });
  t.same(g.FailedConversationShortIds, [G], 'the full group is a failed conversation');
  t.same(Object.keys(g.ConversationMessageId), [String(G2)], 'the other one is sent');
  t.equal(app.mock.store.conversation(APP, G)!.messages.length, 1, 'nothing appended to the full group');

  const page = await ok(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: G, Cursor: 0, Limit: 20 });
  t.equal(BigInt(page.NewCursor), INT64_MAX, 'NewCursor stays inside int64');
  t.ok(/"NewCursor":9223372036854775807\}/.test((await call(app, 'GetConversationMessages', { AppId: APP, ConversationShortId: G, Cursor: 0, Limit: 20 })).text));

  await app.mock.store.flush();
  await app.close();
  const { conversations } = await initialConversations({ data }, NOW_MS);
  t.equal(conversations.find((c) => c.shortId === G)!.lastIndex, INT64_MAX, 'the data file loads back');
});

t.test('fixtures: a missing index is time-like from CreateTime; one past int64 max is refused', async (t) => {
  const msg = (CreateTime: bigint) => ({ Conversations: [{ AppId: 1, ConversationShortId: 2, ConversationType: 2, Participants: [{ ParticipantUserId: 1 }], Messages: [{ MessageId: 3, Sender: 1, MsgType: 1, Content: 'x', CreateTime }] }] });
  t.equal(conversationsFromFixture(msg(1709040620191n), NOW_MS)[0].lastIndex, 1709040620191000n);
  t.equal(conversationsFromFixture(msg(1709040620191n), NOW_MS, 'sequential')[0].lastIndex, 1n);
  t.throws(() => conversationsFromFixture(msg(INT64_MAX / 1000n + 1n), NOW_MS), /IndexInConversation: missing, and the one it would get .* passes int64's maximum/, 'CreateTime in µs past int64 max');
});
