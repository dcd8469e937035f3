// Messages and read positions: SendMessage, GetMessages, GetConversationMessages, DeleteConversationMessage,
// DeleteMessage, RecallMessage, ModifyMessage, ModifyParticipantReadIndex, GetParticipantReadIndex, and how
// GetMessagesReadReceipt follows them. Worlds are built from fixture documents and through the actions themselves.
import t from 'tap';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, ok, fails, snapshot } from './helpers.js';
import { ACTIONS } from '../src/actions/index.js';
import { compileBody } from '../src/protocol/schema.js';
import { conversationsFromFixture } from '../src/store/fixtures.js';
import { visibleTo } from '../src/store/messages.js';
import type { Conversation } from '../src/store/model.js';

const APP = 424242;
const GROUP = 1800000000000000001n;
const LIVE = 1800000000000000002n;
const SINGLE = 1800000000000000003n;
const GAPS = 1800000000000000004n;
const M1 = 1700000000000000001n;
const M2 = 1700000000000000002n;
const M3 = 1700000000000000003n;
const NOW = 1_767_225_600_000; // the helpers' frozen clock
const TWO_53 = 2n ** 53n;
/** the first index a new message gets at NOW (time-like: the clock in µs, mock-contract §1) */
const US = BigInt(NOW) * 1000n;

const text = (s: string) => JSON.stringify({ text: s });

/** A group of 101 (owner), 102, 103, 104 and the string user "alice" with three messages; a live group; a single chat;
 * a group whose message indexes have gaps (10, 20, 30, 40, 50). */
function worldDoc() {
  return {
    Conversations: [
      {
        AppId: APP, ConversationShortId: GROUP, ConversationType: 2, OwnerUserId: 101,
        Participants: [
          { ParticipantUserId: 101, Role: 1, ReadIndex: 3 }, { ParticipantUserId: 102, ReadIndex: 1 },
          { ParticipantUserId: 103 }, { ParticipantUserId: 104, BarrierIndex: 2 }, { ParticipantUserIdStr: 'alice' },
        ],
        Messages: [
          { MessageId: M1, Sender: 101, MsgType: 10001, Content: text('one'), IndexInConversation: 1, CreateTime: 1709040720191, Ext: { k1: 'v1', k2: 'v2' } },
          { MessageId: M2, Sender: 102, MsgType: 10001, Content: text('two'), IndexInConversation: 2, CreateTime: 1709040730191 },
          { MessageId: M3, Sender: 101, MsgType: 10003, Content: text('three'), IndexInConversation: 3, CreateTime: 1709040740191 },
        ],
      },
      {
        AppId: APP, ConversationShortId: LIVE, ConversationType: 100, OwnerUserId: 101,
        Participants: [{ ParticipantUserId: 101, Role: 1 }, { ParticipantUserId: 102 }],
      },
      {
        AppId: APP, ConversationShortId: SINGLE, ConversationType: 1, OwnerUserId: 101, OtherUserId: 102,
        Participants: [{ ParticipantUserId: 101 }, { ParticipantUserId: 102 }],
      },
      {
        AppId: APP, ConversationShortId: GAPS, ConversationType: 2, OwnerUserId: 101,
        Participants: [{ ParticipantUserId: 101, Role: 1 }],
        Messages: [10, 20, 30, 40, 50].map((i) => ({ MessageId: 1700000000000001000n + BigInt(i), Sender: 101, MsgType: 10001, Content: text(`#${i}`), IndexInConversation: i })),
      },
    ],
  };
}

const world = (t: Parameters<typeof makeApp>[0], opts: Parameters<typeof makeApp>[1] = {}) => makeApp(t, { fixtureDoc: worldDoc(), ...opts });

/** Calls an Action that must succeed and checks its Result against the action's own result schema. */
async function okSchema(t: Parameters<typeof ok>[0], app: FastifyInstance, action: string, body: unknown) {
  const result = await ok(t, app, action, body);
  const def = ACTIONS.find((a) => a.name === action)!;
  t.doesNotThrow(() => compileBody(def.result).parse(structuredClone(result)), `${action} Result matches its schema`);
  return result;
}

const send = (t: Parameters<typeof ok>[0], app: FastifyInstance, body: Record<string, unknown>) =>
  ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: GROUP, MsgType: 10001, Content: text('hi'), ...body })
    .then((r) => r.MessageId as bigint);

const getMessages = (t: Parameters<typeof ok>[0], app: FastifyInstance, ids: unknown[], conv = GROUP) =>
  okSchema(t, app, 'GetMessages', { AppId: APP, ConversationShortId: conv, MessageIds: ids }).then((r) => r.Messages as any[]);

const page = (t: Parameters<typeof ok>[0], app: FastifyInstance, body: Record<string, unknown>) =>
  okSchema(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: 0, Limit: 20, ...body });

const readIndexes = async (t: Parameters<typeof ok>[0], app: FastifyInstance, conv = GROUP) =>
  (await okSchema(t, app, 'GetParticipantReadIndex', { AppId: APP, ConversationShortId: conv })).ReadIndexes as any[];

const conv = (app: FastifyInstance, id = GROUP): Conversation => app.mock.store.conversation(APP, id)!;

/** Expects the error and that nothing changed. */
async function refused(t: Parameters<typeof ok>[0], app: FastifyInstance, action: string, body: unknown, code: string, status = 400) {
  const before = snapshot(app);
  const err = await fails(t, app, action, body, status, code);
  t.equal(snapshot(app), before, `${action} with a bad request changes nothing`);
  return err;
}

t.test('SendMessage', async (t) => {
  t.test('a member sends: id above 2^53, next index, sender has read it, CreateTime from the clock', async (t) => {
    const app = await world(t);
    const id = await send(t, app, { Sender: 103 });
    t.equal(typeof id, 'bigint', 'MessageId is written as an exact integer');
    t.ok(id > TWO_53, `MessageId ${id} is above 2^53`);
    const [m] = await getMessages(t, app, [id]);
    t.same(m, {
      AppId: APP, ConversationShortId: GROUP, ConversationType: 2, MessageId: id, MsgType: 10001, Content: text('hi'),
      Sender: 103, CreateTime: NOW, Status: 0, IndexInConversation: US, // no Ext key: omitted when empty
    });
    const ri = await readIndexes(t, app);
    t.same(ri.map((r) => [r.ParticipantUserId, r.ReadIndex]), [[101, 3], [102, 1], [103, US]], 'only the sender moved; members at 0 are not listed');
  });

  t.test('indexes strictly increase; CreateTime from the request wins; messages of other senders interleave', async (t) => {
    const app = await world(t);
    const ids: bigint[] = [];
    for (const sender of [101, 102, 101, 104]) {
      app.mock.clock.advance(1000);
      ids.push(await send(t, app, { Sender: sender, Ext: { n: String(sender) } }));
    }
    ids.push(await send(t, app, { Sender: 102, CreateTime: 1700000000123 }));
    t.equal(new Set(ids).size, 5, 'five distinct ids');
    const ms = await getMessages(t, app, ids);
    t.same(ms.map((m) => BigInt(m.IndexInConversation)), [US + 1_000_000n, US + 2_000_000n, US + 3_000_000n, US + 4_000_000n, US + 4_000_001n], 'the clock in µs, or previous + 1 within the same µs');
    t.same(ms.map((m) => Number(m.CreateTime)), [NOW + 1000, NOW + 2000, NOW + 3000, NOW + 4000, 1700000000123]);
    t.same(ms[3].Ext, { n: '104' });
    t.equal(conv(app).lastIndex, US + 4_000_001n);
  });

  t.test('ClientMsgId: the same key in the conversation answers the same MessageId and sends nothing', async (t) => {
    const app = await world(t);
    const first = await send(t, app, { Sender: 101, ClientMsgId: 'c-1', Content: text('once') });
    const before = snapshot(app);
    const again = await send(t, app, { Sender: 101, ClientMsgId: 'c-1', Content: text('twice') });
    t.equal(again, first, 'same MessageId');
    t.equal(snapshot(app), before, 'nothing new');
    t.equal(conv(app).messages.length, 4);
    const other = await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: SINGLE, Sender: 101, MsgType: 1, Content: 'x', ClientMsgId: 'c-1' });
    t.not(other.MessageId, first, 'the key is per conversation');
    const fresh = await send(t, app, { Sender: 101, ClientMsgId: 'c-2' });
    t.not(fresh, first);
    const [m] = await getMessages(t, app, [first]);
    t.equal(m.Content, text('once'));
  });

  t.test('string users: SenderStr with Sender 0 or null, answers carry SenderStr', async (t) => {
    const app = await world(t);
    const a = await send(t, app, { Sender: 0, SenderStr: 'alice' });
    const b = await send(t, app, { Sender: null, SenderStr: 'alice', MentionedUsers: null, VisibleUsers: null, Ext: null, RefMsgInfo: null });
    const ms = await getMessages(t, app, [a, b]);
    t.same(ms.map((m) => [m.Sender, m.SenderStr, m.IndexInConversation]), [[0, 'alice', US], [0, 'alice', US + 1n]]);
    const ri = await readIndexes(t, app);
    t.same(ri.at(-1), { ParticipantUserId: 0, ParticipantUserIdStr: 'alice', ReadIndex: US + 1n }, 'alice read her own message');
    await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: GROUP, Sender: 0, SenderStr: 'bob', MsgType: 1, Content: 'x' }, 'InvalidParameter.NotInConversation');
  });

  t.test('mentions, visibility lists (numbers and strings) and Ext are stored and persisted in the state', async (t) => {
    const app = await world(t);
    const id = await send(t, app, {
      Sender: 101, MentionedUsers: [102, 102], MentionedUsersStr: ['alice'], VisibleUsers: [102, 103], InvisibleUsersStr: ['alice'], Ext: { a: '1' },
    });
    const m = conv(app).messagesById.get(id)!;
    t.same(m.mentionedUsers, [102n, 'alice'], 'duplicates once');
    t.same(m.visibleUsers, [102n, 103n]);
    t.same(m.invisibleUsers, ['alice']);
    const state = JSON.parse(snapshot(app))[0].Messages[3];
    t.same([state.MentionedUsers, state.MentionedUsersStr, state.VisibleUsers, state.InvisibleUsersStr, state.Ext], [[102], ['alice'], [102, 103], ['alice'], { a: '1' }]);
    const c = conv(app);
    t.same([101n, 102n, 103n, 104n, 'alice'].map((u) => visibleTo(c, m, u)), [true, true, true, false, false], 'sender and the visible users');
  });

  t.test('RefMsgInfo: the quoted message must exist; items show its type and status', async (t) => {
    const app = await world(t);
    await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: GROUP, Sender: 101, MsgType: 1, Content: 'x', RefMsgInfo: { ReferencedMessageId: 123, Hint: 'h' } }, 'InvalidParameter.NotExistMessage');
    await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: SINGLE, Sender: 101, MsgType: 1, Content: 'x', RefMsgInfo: { ReferencedMessageId: M1, Hint: 'h' } }, 'InvalidParameter.NotExistMessage');
    await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: GROUP, Sender: 101, MsgType: 1, Content: 'x', RefMsgInfo: { ReferencedMessageId: M1 } }, 'InvalidParameter');
    const q1 = await send(t, app, { Sender: 102, RefMsgInfo: { ReferencedMessageId: M3, Hint: 'three' } });
    const q2 = await send(t, app, { Sender: 102, RefMsgInfo: { ReferencedMessageId: M2, Hint: 'two' } });
    let [a, b] = await getMessages(t, app, [q1, q2]);
    t.same(a.RefMsgInfo, { ReferencedMessageId: M3, Hint: 'three', ReferencedMessageType: 10003, Status: 0 });
    await ok(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M3, ParticipantUserId: 101 });
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2 });
    [a, b] = await getMessages(t, app, [q1, q2]);
    t.equal(a.RefMsgInfo.Status, 3, 'recalled');
    t.same(b.RefMsgInfo, { ReferencedMessageId: M2, Hint: 'two', ReferencedMessageType: 10001, Status: 4 }, 'deleted');
  });

  t.test('Priority is accepted in every conversation type', async (t) => {
    const app = await world(t);
    const live = await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: LIVE, Sender: 102, MsgType: 1, Content: 'x', Priority: 2 });
    t.ok(live.MessageId > TWO_53);
    await send(t, app, { Sender: 101, Priority: 0 });
    t.equal(conv(app, LIVE).lastIndex, US);
    await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: LIVE, Sender: 102, MsgType: 1, Content: 'x', Priority: 3 }, 'InvalidParameter');
  });

  t.test('bad requests: 400 vendor envelope, nothing changes', async (t) => {
    const app = await world(t);
    const base = { AppId: APP, ConversationShortId: GROUP, Sender: 101, MsgType: 10001, Content: 'x' };
    await refused(t, app, 'SendMessage', { ...base, Sender: 999 }, 'InvalidParameter.NotInConversation');
    await refused(t, app, 'SendMessage', { ...base, ConversationShortId: 5 }, 'InvalidParameter.NotExistConversation');
    await refused(t, app, 'SendMessage', { ...base, AppId: APP + 1 }, 'InvalidParameter.NotExistConversation');
    const e1 = await refused(t, app, 'SendMessage', { ...base, Sender: 0 }, 'InvalidParameter');
    t.match(e1.Message, /Sender/);
    await refused(t, app, 'SendMessage', { ...base, Sender: null }, 'InvalidParameter');
    const e2 = await refused(t, app, 'SendMessage', { AppId: APP, ConversationShortId: GROUP, SenderStr: 'alice', MsgType: 1, Content: 'x' }, 'InvalidParameter');
    t.match(e2.Message, /Sender: is required/, 'Sender is required by the spec even with SenderStr');
    await refused(t, app, 'SendMessage', { ...base, Sender: -1 }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, MsgType: 2147483648 }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, Content: undefined }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, Ext: { a: 1 } }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, VisibleUsers: [0] }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, CreateTime: -5 }, 'InvalidParameter');
    await refused(t, app, 'SendMessage', { ...base, ConversationShortId: '1800000000000000001' }, 'InvalidParameter');
  });
});

t.test('visibleTo: per-member visibility of a message', async (t) => {
  const [c] = conversationsFromFixture({
    Conversations: [{
      AppId: 1, ConversationShortId: 9, ConversationType: 2,
      Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 2 }, { ParticipantUserId: 3, BarrierIndex: 2 }, { ParticipantUserIdStr: 's' }],
      Messages: [
        { MessageId: 11, Sender: 1, MsgType: 1, Content: 'plain' },
        { MessageId: 12, Sender: 1, MsgType: 1, Content: 'for all deleted', DeleteType: 0 },
        { MessageId: 13, Sender: 1, MsgType: 1, Content: 'sender only', DeleteType: 1 },
        { MessageId: 14, Sender: 1, MsgType: 1, Content: 'deleted by 2 and s', DeletedFor: [2], DeletedForStr: ['s'] },
        { MessageId: 15, Sender: 1, MsgType: 1, Content: 'visible to s', VisibleUsersStr: ['s'] },
        { MessageId: 16, Sender: 2, MsgType: 1, Content: 'invisible to 1', InvisibleUsers: [1, 2] },
        { MessageId: 17, SenderStr: 's', MsgType: 1, Content: 'from s, deleted by s', DeletedForStr: ['s'] },
      ],
    }],
  }, NOW, 'sequential'); // indexes 1..7, so the barriers below read by eye
  const users = [1n, 2n, 3n, 's', 99n, '1'];
  const row = (id: number) => users.map((u) => visibleTo(c, c.messagesById.get(BigInt(id))!, u));
  t.same(row(11), [true, true, false, true, false, false], 'plain: every member but the one behind the barrier; not a non-member, not the string "1"');
  t.same(row(12), [false, false, false, false, false, false], 'deleted for everyone, the sender too');
  t.same(row(13), [true, false, false, false, false, false], 'DeleteType 1: the sender only');
  t.same(row(14), [true, false, true, false, false, false], 'DeleteMessage: hidden from who deleted it');
  t.same(row(15), [true, false, false, true, false, false], 'VisibleUsers: them and the sender');
  t.same(row(16), [false, true, true, true, false, false], 'InvisibleUsers: not them, but the sender always');
  t.same(row(17), [true, true, true, false, false, false], 'a sender who deleted its own message no longer sees it');
  c.members.get(1n)!.barrierIndex = 5n;
  t.same(row(15).slice(0, 1).concat(row(16).slice(0, 1)), [false, false], 'a barrier hides messages up to its index, even the sender\'s');
});

t.test('GetMessages', async (t) => {
  t.test('order as asked, duplicates once, unknown ids and other conversations\' messages left out', async (t) => {
    const app = await world(t);
    const ms = await getMessages(t, app, [M3, 5, M1, M3, 1700000000000001010n, M2]);
    t.same(ms.map((m) => m.MessageId), [M3, M1, M2]);
    t.same(ms[1], {
      AppId: APP, ConversationShortId: GROUP, ConversationType: 2, MessageId: M1, MsgType: 10001, Content: text('one'),
      Sender: 101, CreateTime: 1709040720191, Status: 0, Ext: { k1: 'v1', k2: 'v2' }, IndexInConversation: 1,
    }, 'every MessageItem field');
    t.same(await getMessages(t, app, [12345]), [], 'nothing found is an empty list, not an error');
  });

  t.test('MessageIds: 1 to 100 ids', async (t) => {
    const app = await world(t);
    const hundred = Array.from({ length: 100 }, (_, i) => (i === 99 ? M1 : 1000 + i));
    t.same((await getMessages(t, app, hundred)).map((m) => m.MessageId), [M1]);
    const e = await refused(t, app, 'GetMessages', { AppId: APP, ConversationShortId: GROUP, MessageIds: [...hundred, 7] }, 'InvalidParameter');
    t.match(e.Message, /MessageIds: must have 1 to 100 items/); // the wording of mock-contract §2
    await refused(t, app, 'GetMessages', { AppId: APP, ConversationShortId: GROUP, MessageIds: [] }, 'InvalidParameter');
    await refused(t, app, 'GetMessages', { AppId: APP, ConversationShortId: GROUP }, 'InvalidParameter');
    await refused(t, app, 'GetMessages', { AppId: APP, ConversationShortId: GROUP, MessageIds: [0] }, 'InvalidParameter');
    await refused(t, app, 'GetMessages', { AppId: APP, ConversationShortId: 77, MessageIds: [M1] }, 'InvalidParameter.NotExistConversation');
  });

  t.test('deleted for everyone: left out; deleted for one member, DeleteType 1 and recalled: listed', async (t) => {
    const app = await world(t);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, DeleteType: 0 });
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, DeleteType: 1 });
    await ok(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M3, ParticipantUserId: 103 });
    const ms = await getMessages(t, app, [M1, M2, M3]);
    t.same(ms.map((m) => [m.MessageId, m.Status]), [[M2, 0], [M3, 0]]);
    await ok(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M3, ParticipantUserId: 101 });
    t.same((await getMessages(t, app, [M3]))[0].Status, 3, 'recalled: Status 3');
  });
});

t.test('GetConversationMessages', async (t) => {
  t.test('forward from Cursor 0 (the oldest), pages of 2, NewCursor and HasMore', async (t) => {
    const app = await world(t);
    let r = await page(t, app, { Limit: 2 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M1, M2], true, 3]);
    t.same(r.Messages[0], (await getMessages(t, app, [M1]))[0], 'the same MessageItem as GetMessages');
    r = await page(t, app, { Cursor: r.NewCursor, Limit: 2 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M3], false, 4], 'at the end NewCursor is the next index to be sent');
    const m4 = await send(t, app, { Sender: 102 });
    r = await page(t, app, { Cursor: r.NewCursor, Limit: 2 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[m4], false, US + 1n], 'polling from NewCursor finds the new message');
    r = await page(t, app, { Cursor: US + 99n, Limit: 5 });
    t.same([r.Messages, r.HasMore, r.NewCursor], [[], false, US + 1n]);
  });

  t.test('backward from Cursor 0 (the newest) down to the oldest', async (t) => {
    const app = await world(t);
    let r = await page(t, app, { Reverse: 1, Limit: 2 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M3, M2], true, 1]);
    r = await page(t, app, { Reverse: 1, Cursor: r.NewCursor, Limit: 2 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M1], false, 0]);
    r = await page(t, app, { Reverse: 1, Cursor: 2, Limit: 20 });
    t.same(r.Messages.map((m: any) => m.MessageId), [M2, M1], 'Cursor is the first message returned');
  });

  t.test('cursors between sparse indexes (binary search), both directions', async (t) => {
    const app = await world(t);
    const idx = (r: any) => r.Messages.map((m: any) => Number(m.IndexInConversation));
    let r = await page(t, app, { ConversationShortId: GAPS, Cursor: 15, Limit: 2 });
    t.same([idx(r), r.HasMore, r.NewCursor], [[20, 30], true, 40]);
    r = await page(t, app, { ConversationShortId: GAPS, Cursor: 45, Limit: 2, Reverse: 1 });
    t.same([idx(r), r.HasMore, r.NewCursor], [[40, 30], true, 20]);
    r = await page(t, app, { ConversationShortId: GAPS, Cursor: 50, Limit: 1 });
    t.same([idx(r), r.HasMore, r.NewCursor], [[50], false, 51]);
    r = await page(t, app, { ConversationShortId: GAPS, Cursor: 9, Limit: 3, Reverse: 1 });
    t.same([idx(r), r.HasMore, r.NewCursor], [[], false, 0]);
    r = await page(t, app, { ConversationShortId: GAPS, Cursor: 1000, Limit: 3, Reverse: 1 });
    t.same([idx(r), r.HasMore], [[50, 40, 30], true], 'a cursor past the newest starts at the newest');
  });

  t.test('messages deleted for everyone are skipped, and do not make HasMore true', async (t) => {
    const app = await world(t);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2 });
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M3 });
    let r = await page(t, app, { Limit: 1 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M1], false, 4]);
    r = await page(t, app, { Limit: 1, Reverse: 1 });
    t.same([r.Messages.map((m: any) => m.MessageId), r.HasMore, r.NewCursor], [[M1], false, 0]);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, DeleteType: 1 });
    t.same((await page(t, app, {})).Messages.map((m: any) => m.MessageId), [M1], 'DeleteType 1 stays listed');
  });

  t.test('Limit 1..20, Reverse other than 0/1 reads as 0, a live group is always paged backward', async (t) => {
    const app = await world(t);
    t.equal((await page(t, app, { Limit: 20 })).Messages.length, 3);
    const e = await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: 0, Limit: 21 }, 'InvalidParameter');
    t.match(e.Message, /Limit: must be at most 20/);
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: 0, Limit: 0 }, 'InvalidParameter');
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: 0 }, 'InvalidParameter');
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: -1, Limit: 2 }, 'InvalidParameter');
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Limit: 2 }, 'InvalidParameter');
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: GROUP, Cursor: 0, Limit: 2, Reverse: 'x' }, 'InvalidParameter');
    await refused(t, app, 'GetConversationMessages', { AppId: APP, ConversationShortId: 66, Cursor: 0, Limit: 2 }, 'InvalidParameter.NotExistConversation');
    const odd = await page(t, app, { Reverse: 7, Limit: 1 });
    t.same([odd.Messages[0].MessageId, odd.NewCursor], [M1, 2], 'Reverse 7 pages forward');
    await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: LIVE, Sender: 101, MsgType: 1, Content: 'live' });
    const live = await page(t, app, { ConversationShortId: LIVE, Reverse: 1, Limit: 5 });
    for (const Reverse of [0, 7, undefined]) {
      // the model: a live group must use Reverse 1; the service adjusts it, so the emulator does too (issue 13 item 4)
      t.same(await page(t, app, { ConversationShortId: LIVE, Limit: 5, Reverse }), live, `Reverse ${Reverse} on a live group reads as 1`);
    }
    t.same([live.Messages.map((m: any) => [m.Content, m.ConversationType]), live.HasMore], [[['live', 100]], false]);
  });
});

t.test('DeleteConversationMessage', async (t) => {
  t.test('DeleteType 0: gone for everyone, later mutations answer NotExistMessage', async (t) => {
    const app = await world(t);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2 });
    const m = conv(app).messagesById.get(M2)!;
    t.equal(m.deleteType, 0);
    t.same([101n, 102n, 103n].map((u) => visibleTo(conv(app), m, u)), [false, false, false]);
    for (const [action, extra] of [
      ['DeleteConversationMessage', {}], ['DeleteConversationMessage', { DeleteType: 1 }], ['DeleteMessage', { ParticipantUserId: 101 }],
      ['RecallMessage', { ParticipantUserId: 101 }], ['ModifyMessage', { Content: 'x' }],
    ] as const) {
      await refused(t, app, action, { AppId: APP, ConversationShortId: GROUP, MessageId: M2, ...extra }, 'InvalidParameter.NotExistMessage');
    }
    t.equal(JSON.parse(snapshot(app))[0].Messages[1].DeleteType, 0, 'kept in the state');
  });

  t.test('DeleteType 1: visible to the sender only; can become 0 later', async (t) => {
    const app = await world(t);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, DeleteType: 1 });
    const m = conv(app).messagesById.get(M2)!;
    t.same([101n, 102n, 103n].map((u) => visibleTo(conv(app), m, u)), [false, true, false]);
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, DeleteType: 0 });
    t.equal(m.deleteType, 0);
  });

  t.test('bad requests; live group only DeleteType 0', async (t) => {
    const app = await world(t);
    const live = (await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: LIVE, Sender: 101, MsgType: 1, Content: 'x' })).MessageId;
    const e = await refused(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: LIVE, MessageId: live, DeleteType: 1 }, 'InvalidParameter');
    t.match(e.Message, /DeleteType/);
    await refused(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, DeleteType: 2 }, 'InvalidParameter');
    await refused(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: 31337 }, 'InvalidParameter.NotExistMessage');
    await refused(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: 31337, MessageId: M1 }, 'InvalidParameter.NotExistConversation');
    await refused(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: GROUP }, 'InvalidParameter');
    await ok(t, app, 'DeleteConversationMessage', { AppId: APP, ConversationShortId: LIVE, MessageId: live, DeleteType: 0 });
    t.same((await page(t, app, { ConversationShortId: LIVE, Reverse: 1 })).Messages, []);
  });
});

t.test('DeleteMessage hides a message from one member', async (t) => {
  const app = await world(t);
  await refused(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, ParticipantUserId: 999 }, 'InvalidParameter.NotInConversation');
  await refused(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: 42, ParticipantUserId: 102 }, 'InvalidParameter.NotExistMessage');
  await refused(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: 42, MessageId: M1, ParticipantUserId: 102 }, 'InvalidParameter.NotExistConversation');
  await refused(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, ParticipantUserId: 0 }, 'InvalidParameter');
  await ok(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, ParticipantUserId: 102 });
  await ok(t, app, 'DeleteMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, ParticipantUserId: 102 });
  const m = conv(app).messagesById.get(M1)!;
  t.same(m.deletedFor, [102n], 'recorded once');
  t.same([101n, 102n, 103n].map((u) => visibleTo(conv(app), m, u)), [true, false, true]);
  t.same(JSON.parse(snapshot(app))[0].Messages[0].DeletedFor, [102], 'kept in the state');
  t.equal((await getMessages(t, app, [M1])).length, 1, 'the server read still lists it');
});

t.test('RecallMessage marks Status 3', async (t) => {
  const app = await world(t);
  await refused(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, ParticipantUserId: 555 }, 'InvalidParameter.NotInConversation');
  await refused(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: 555, ParticipantUserId: 102 }, 'InvalidParameter.NotExistMessage');
  await refused(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: 555, MessageId: M2, ParticipantUserId: 102 }, 'InvalidParameter.NotExistConversation');
  await refused(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, ParticipantUserId: 102, RecallRole: 3 }, 'InvalidParameter');
  await ok(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, ParticipantUserId: 102, RecallRole: 0 });
  await ok(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, ParticipantUserId: 101, RecallRole: 1 });
  const r = await page(t, app, {});
  t.same(r.Messages.map((m: any) => m.Status), [0, 3, 0], 'GetConversationMessages shows it');
  t.equal(JSON.parse(snapshot(app))[0].Messages[1].Status, 3, 'kept in the state');
  const [m] = await getMessages(t, app, [M2]);
  t.same([m.Status, m.Content, m.IndexInConversation], [3, text('two'), 2], 'a recalled message is still listed, Status 3 (the model\'s "recalled"), its content kept');
  const err = await refused(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M2, Content: text('edited') }, 'InvalidParameter');
  t.match(err.Message, /MessageId: message \d+ was recalled and cannot be modified/);
});

t.test('ModifyMessage replaces Content and merges Ext (docs/6348/337137 example)', async (t) => {
  const app = await world(t);
  await ok(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, Ext: { k1: 'u', k3: 'v3' } });
  let [m] = await getMessages(t, app, [M1]);
  t.same([m.Content, m.Ext], [text('one'), { k1: 'u', k2: 'v2', k3: 'v3' }]);
  await ok(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, Content: text('edited') });
  [m] = await getMessages(t, app, [M1]);
  t.same([m.Content, m.Ext], [text('edited'), { k1: 'u', k2: 'v2', k3: 'v3' }]);
  const before = snapshot(app);
  await ok(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, Content: '', Ext: null });
  t.equal(snapshot(app), before, 'nothing given, nothing changed');
  await refused(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: 8, Content: 'x' }, 'InvalidParameter.NotExistMessage');
  await refused(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: 8, MessageId: M1, Content: 'x' }, 'InvalidParameter.NotExistConversation');
  await refused(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, Ext: { a: ['x'] } }, 'InvalidParameter');
  await refused(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: GROUP, MessageId: M1, Content: 5 }, 'InvalidParameter');
});

t.test('read positions: ModifyParticipantReadIndex, GetParticipantReadIndex, GetMessagesReadReceipt', async (t) => {
  const app = await world(t);
  const receipts = async (ids: bigint[]) =>
    (await okSchema(t, app, 'GetMessagesReadReceipt', { AppId: APP, ConversationShortId: GROUP, MessageIds: ids })).ReadReceipt
      .map((r: any) => [r.MessageId, r.ReadUserIds, r.UnReadUserIds, r.ReadUserIdsStr ?? [], r.UnReadUserIdsStr ?? []]);
  t.same(await receipts([M1, M2]), [
    [M1, [102], [103, 104], [], ['alice']],
    [M2, [101], [103, 104], [], ['alice']],
  ]);
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103, ReadIndex: 2 });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 0, ParticipantUserIdStr: 'alice', ReadIndex: 1 });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: null, ParticipantUserIdStr: 'alice', ReadIndex: 3 });
  t.same(await readIndexes(t, app), [
    { ParticipantUserId: 101, ReadIndex: 3 }, { ParticipantUserId: 102, ReadIndex: 1 }, { ParticipantUserId: 103, ReadIndex: 2 },
    { ParticipantUserId: 0, ParticipantUserIdStr: 'alice', ReadIndex: 3 },
  ], '104 (at 0) is not listed: absent means 0');
  t.same(await receipts([M1, M2, M3]), [
    [M1, [102, 103], [104], ['alice'], []],
    [M2, [101, 103], [104], ['alice'], []],
    [M3, [], [102, 103, 104], ['alice'], []],
  ]);

  const e = await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103, ReadIndex: 2 }, 'InvalidParameter');
  t.match(e.Message, /ReadIndex: must be greater than the member's current ReadIndex 2/);
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103, ReadIndex: 1 }, 'InvalidParameter');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 900, ReadIndex: 9 }, 'InvalidParameter.NotInConversation');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 0, ParticipantUserIdStr: 'bob', ReadIndex: 9 }, 'InvalidParameter.NotInConversation');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 0, ReadIndex: 9 }, 'InvalidParameter');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103 }, 'InvalidParameter');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103, ReadIndex: -4 }, 'InvalidParameter');
  await refused(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: 3, ParticipantUserId: 103, ReadIndex: 9 }, 'InvalidParameter.NotExistConversation');
  await refused(t, app, 'GetParticipantReadIndex', { AppId: APP, ConversationShortId: 3 }, 'InvalidParameter.NotExistConversation');
  await refused(t, app, 'GetParticipantReadIndex', { AppId: 0, ConversationShortId: GROUP }, 'InvalidParameter');

  // a one-to-one chat: the receiver's read position drives ReceiverIsRead
  const id = (await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: SINGLE, Sender: 101, MsgType: 1, Content: 'x' })).MessageId;
  const single = async () => (await ok(t, app, 'GetMessagesReadReceipt', { AppId: APP, ConversationShortId: SINGLE, MessageIds: [id] })).ReadReceipt[0];
  t.same(await single(), { MessageId: id, ConversationShortId: SINGLE, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [102] });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: SINGLE, ParticipantUserId: 102, ReadIndex: US });
  t.same(await single(), { MessageId: id, ConversationShortId: SINGLE, ReceiverIsRead: true, ReadUserIds: [102], UnReadUserIds: [] });
});

t.test('story: a team of four chats, reads, and the mock restarts from its data file', async (t) => {
  const dir = t.testdir({});
  const data = join(dir, 'state.json');
  const TEAM = 1900000000000000042n;
  const doc = {
    Conversations: [{
      AppId: APP, ConversationShortId: TEAM, ConversationType: 2, OwnerUserId: 201, Name: 'release team',
      Participants: [
        { ParticipantUserId: 201, Role: 1, ReadIndex: 1 }, { ParticipantUserId: 202, Role: 2, ReadIndex: 1 },
        { ParticipantUserId: 203, ReadIndex: 0 }, { ParticipantUserIdStr: 'ops-bot', ReadIndex: 0 },
      ],
      Messages: [{ MessageId: 1700000000000009001n, Sender: 201, MsgType: 10001, Content: text('kickoff'), IndexInConversation: 1, CreateTime: 1709040000000 }],
    }],
  };
  const app = await makeApp(t, { fixtureDoc: doc, data, flushIntervalMs: 10, index: 'sequential' }); // indexes 1..6 read by eye
  const say = async (who: number | string, what: string, extra: Record<string, unknown> = {}) => {
    app.mock.clock.advance(60_000);
    const sender = typeof who === 'string' ? { Sender: 0, SenderStr: who } : { Sender: who };
    return (await ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: TEAM, MsgType: 10001, Content: text(what), ...sender, ...extra })).MessageId as bigint;
  };
  const kickoff = 1700000000000009001n;
  const build = await say('ops-bot', 'build 42 is green');
  const question = await say(203, 'ship it?', { MentionedUsers: [201, 202] });
  const answer = await say(201, 'yes', { RefMsgInfo: { ReferencedMessageId: question, Hint: 'ship it?' } });
  const typo = await say(202, 'tagged v1.2', { ClientMsgId: 'tag-1' });
  t.equal(await say(202, 'tagged v1.2 (retry)', { ClientMsgId: 'tag-1' }), typo, 'a retried send is the same message');
  await ok(t, app, 'ModifyMessage', { AppId: APP, ConversationShortId: TEAM, MessageId: typo, Content: text('tagged v1.2.0'), Ext: { edited: '1' } });
  await ok(t, app, 'RecallMessage', { AppId: APP, ConversationShortId: TEAM, MessageId: build, ParticipantUserId: 201, RecallRole: 1 });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: TEAM, ParticipantUserId: 203, ReadIndex: 4 });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: APP, ConversationShortId: TEAM, ParticipantUserId: 0, ParticipantUserIdStr: 'ops-bot', ReadIndex: 5 });
  const ids = [kickoff, build, question, answer, typo];

  const observe = async (a: FastifyInstance) => {
    const receipts = (await ok(t, a, 'GetMessagesReadReceipt', { AppId: APP, ConversationShortId: TEAM, MessageIds: ids })).ReadReceipt;
    const positions = (await ok(t, a, 'GetParticipantReadIndex', { AppId: APP, ConversationShortId: TEAM })).ReadIndexes;
    const forward = await ok(t, a, 'GetConversationMessages', { AppId: APP, ConversationShortId: TEAM, Cursor: 0, Limit: 3 });
    const rest = await ok(t, a, 'GetConversationMessages', { AppId: APP, ConversationShortId: TEAM, Cursor: forward.NewCursor, Limit: 3 });
    const backward = await ok(t, a, 'GetConversationMessages', { AppId: APP, ConversationShortId: TEAM, Cursor: 0, Limit: 20, Reverse: 1 });
    return { receipts, positions, history: [...forward.Messages, ...rest.Messages], pages: [forward.HasMore, forward.NewCursor, rest.HasMore, rest.NewCursor], backward: backward.Messages };
  };
  const seen = await observe(app);

  // the three reads agree with each other
  t.same(seen.positions.map((p: any) => [p.ParticipantUserId, p.ParticipantUserIdStr, p.ReadIndex]),
    [[201, undefined, 4], [202, undefined, 5], [203, undefined, 4], [0, 'ops-bot', 5]]);
  t.same(seen.history.map((m: any) => [m.MessageId, m.IndexInConversation, m.Sender, m.SenderStr, m.Status]), [
    [kickoff, 1, 201, undefined, 0], [build, 2, 0, 'ops-bot', 3], [question, 3, 203, undefined, 0],
    [answer, 4, 201, undefined, 0], [typo, 5, 202, undefined, 0],
  ]);
  t.same(seen.pages, [true, 4, false, 6]);
  t.same(seen.backward.map((m: any) => m.MessageId), [...ids].reverse());
  const readIndexOf = new Map<string, bigint>(seen.positions.map((p: any) => [String(p.ParticipantUserIdStr ?? p.ParticipantUserId), BigInt(p.ReadIndex)]));
  for (const [i, r] of seen.receipts.entries()) {
    const m = seen.history[i];
    t.equal(r.MessageId, m.MessageId, 'receipts in the order asked');
    const readers = [...readIndexOf].filter(([u, ri]) => u !== String(m.SenderStr ?? m.Sender) && ri >= BigInt(m.IndexInConversation)).map(([u]) => u);
    t.same([...r.ReadUserIds.map(String), ...(r.ReadUserIdsStr ?? [])], readers, `receipt of message ${i + 1} follows the read positions`);
  }
  t.same(seen.receipts[4], { MessageId: typo, ConversationShortId: TEAM, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [201, 203], ReadUserIdsStr: ['ops-bot'], UnReadUserIdsStr: [] });
  t.same(seen.history[3].RefMsgInfo, { ReferencedMessageId: question, Hint: 'ship it?', ReferencedMessageType: 10001, Status: 0 });
  t.same([seen.history[4].Content, seen.history[4].Ext], [text('tagged v1.2.0'), { edited: '1' }]);

  // restart: the same world from the data file, ids exact
  await app.close();
  const again = await makeApp(t, { fixtureDoc: { Conversations: [] }, data, index: 'sequential' });
  t.equal(again.mock.store.conversation(APP, TEAM)?.name, 'release team', 'loaded from the data file, not the fixture');
  const after = await observe(again);
  t.same(after, seen, 'every answer is the same after the restart');
  t.ok(after.history.every((m: any) => typeof m.MessageId === 'bigint' && m.MessageId > TWO_53), 'ids stay exact int64');
  const next = (await ok(t, again, 'SendMessage', { AppId: APP, ConversationShortId: TEAM, Sender: 203, MsgType: 1, Content: 'after restart' })).MessageId;
  t.equal((await getMessagesIn(t, again, TEAM, [next]))[0].IndexInConversation, 6, 'indexes continue after the restart');
  t.equal(await sayAgain(t, again, TEAM), typo, 'the ClientMsgId index is rebuilt from the file');
  await again.close(); // before the test directory goes away
});

const getMessagesIn = (t: Parameters<typeof ok>[0], app: FastifyInstance, c: bigint, ids: bigint[]) =>
  ok(t, app, 'GetMessages', { AppId: APP, ConversationShortId: c, MessageIds: ids }).then((r) => r.Messages as any[]);

const sayAgain = (t: Parameters<typeof ok>[0], app: FastifyInstance, c: bigint) =>
  ok(t, app, 'SendMessage', { AppId: APP, ConversationShortId: c, Sender: 202, MsgType: 1, Content: 'dup', ClientMsgId: 'tag-1' }).then((r) => r.MessageId);
