// GetMessagesReadReceipt semantics, mock-contract §3: who has read each message, in worlds built from fixtures.
import t from 'tap';
import { makeApp, call, ok, fails, snapshot, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

const RRR = 'GetMessagesReadReceipt';

interface P { id: bigint | number | string; read?: number }
interface M { id: bigint; from: bigint | number | string; index?: number }

/** One conversation of a fixture document; string ids become the …Str fields. */
function conv(appId: number, shortId: bigint, type: number, members: P[], messages: M[]) {
  const user = (key: string, u: bigint | number | string) => (typeof u === 'string' ? { [`${key}Str`]: u } : { [key]: u });
  return {
    AppId: appId, ConversationShortId: shortId, ConversationType: type, ...user('OwnerUserId', members[0].id),
    Participants: members.map((p) => ({ ...user('ParticipantUserId', p.id), ReadIndex: p.read ?? 0 })),
    // indexes 1, 2, 3… given explicitly, so read positions read by eye (a missing one would be time-like)
    Messages: messages.map((m, j) => ({ MessageId: m.id, ...user('Sender', m.from), MsgType: 10001, Content: 'x', IndexInConversation: m.index ?? j + 1 })),
  };
}
/** json-bigint objects have a null prototype: copy into plain ones for strictSame. */
const plain = (v: any): any => (Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);
const world = (...conversations: unknown[]) => ({ fixtureDoc: { Conversations: conversations } });
const ask = (appId: number, shortId: bigint, ids: (bigint | number)[]) => ({ AppId: appId, ConversationShortId: shortId, MessageIds: ids });

t.test('the seed request answers the documented Result exactly', async (t) => {
  const app = await makeApp(t);
  const a = await call(app, RRR, ask(SEED_APP, SEED_CONV, [SEED_MSG]));
  t.equal(a.status, 200);
  t.strictSame(plain(a.body.Result), { ReadReceipt: [{ MessageId: SEED_MSG, ConversationShortId: SEED_CONV, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [30341] }] });
  t.match(a.text, /"Result":\{"ReadReceipt":\[\{[^\]]*"ReadUserIds":\[\],"UnReadUserIds":\[30341\]\}\]\}\}$/, 'raw text');
  t.notOk(a.text.includes('Str'), 'no …Str lists when no member has a string id');
});

t.test('one-to-one: ReceiverIsRead follows the receiver ReadIndex', async (t) => {
  const A = 1001, B = 1002, C1 = 5000000000000000001n;
  const m1 = 5000000000000000011n, m2 = 5000000000000000012n, m3 = 5000000000000000013n;
  const msgs: M[] = [{ id: m1, from: A }, { id: m2, from: A }, { id: m3, from: B }];
  const receipts = async (readB: number, readA = 2) => {
    const app = await makeApp(t, world(conv(9001, C1, 1, [{ id: A, read: readA }, { id: B, read: readB }], msgs)));
    return (await ok(t, app, RRR, ask(9001, C1, [m1, m2]))).ReadReceipt.map((r: any) => [r.ReceiverIsRead, r.ReadUserIds, r.UnReadUserIds]);
  };
  t.strictSame(await receipts(0), [[false, [], [B]], [false, [], [B]]], 'receiver at 0 has read nothing');
  t.strictSame(await receipts(1), [[true, [B], []], [false, [], [B]]], 'receiver at index 1 has read m1 (ReadIndex >= index), not m2');
  t.strictSame(await receipts(2), [[true, [B], []], [true, [B], []]], 'receiver at 2 has read both');
  t.strictSame(await receipts(99), [[true, [B], []], [true, [B], []]], 'a ReadIndex past the last message');

  // a message sent by B: the receiver is A
  const app = await makeApp(t, world(conv(9001, C1, 1, [{ id: A, read: 2 }, { id: B, read: 3 }], msgs)));
  const r3 = (await ok(t, app, RRR, ask(9001, C1, [m3]))).ReadReceipt[0];
  t.strictSame([r3.ReceiverIsRead, r3.ReadUserIds, r3.UnReadUserIds], [false, [], [A]], 'A (at 2) has not read m3 (index 3)');

  // moving the ReadIndex in place (the verb ModifyParticipantReadIndex will use)
  const c = app.mock.store.conversation(9001, C1)!;
  app.mock.store.setReadIndex(c, BigInt(A), 3n);
  const after = (await ok(t, app, RRR, ask(9001, C1, [m3]))).ReadReceipt[0];
  t.strictSame([after.ReceiverIsRead, after.ReadUserIds, after.UnReadUserIds], [true, [A], []], 'after A reaches 3');
});

t.test('group: sender excluded, lists sorted ascending as int64, ReceiverIsRead always false', async (t) => {
  const G = 6000000000000000001n;
  const big = [9223372036854775807n, 9007199254740993n, 18014398509481985n, 9007199254740995n];
  const sender = 7n;
  const members: P[] = [
    { id: big[0], read: 2 }, { id: 300, read: 1 }, { id: sender, read: 2 }, { id: big[1], read: 0 },
    { id: big[2], read: 2 }, { id: 20, read: 0 }, { id: big[3], read: 1 },
  ];
  const m1 = 6000000000000000011n, m2 = 6000000000000000012n;
  const app = await makeApp(t, world(conv(9002, G, 2, members, [{ id: m1, from: sender }, { id: m2, from: sender }])));
  const a = await call(app, RRR, ask(9002, G, [m1, m2]));
  t.equal(a.status, 200);
  const [r1, r2] = a.body.Result.ReadReceipt;
  t.strictSame(r1.ReadUserIds, [300, 9007199254740995n, 18014398509481985n, 9223372036854775807n], 'm1 (index 1) read by those at >= 1, ascending');
  t.strictSame(r1.UnReadUserIds, [20, 9007199254740993n]);
  t.strictSame(r2.ReadUserIds, [18014398509481985n, 9223372036854775807n], 'm2 (index 2)');
  t.strictSame(r2.UnReadUserIds, [20, 300, 9007199254740993n, 9007199254740995n]);
  t.equal(r1.ReceiverIsRead, false);
  t.equal(r2.ReceiverIsRead, false, 'false in a group even when some have read it');
  t.notOk([...r1.ReadUserIds, ...r1.UnReadUserIds].includes(sender) || [...r1.ReadUserIds, ...r1.UnReadUserIds].includes(7), 'sender left out');
  t.ok(a.text.includes('"UnReadUserIds":[20,9007199254740993]'), 'exact digits, sorted, in the raw text');

  // everyone has read it: still false in a group
  const all = await makeApp(t, world(conv(9002, G, 2, members.map((p) => ({ ...p, read: 5 })), [{ id: m1, from: sender }])));
  const r = (await ok(t, all, RRR, ask(9002, G, [m1]))).ReadReceipt[0];
  t.equal(r.ReceiverIsRead, false);
  t.equal(r.UnReadUserIds.length, 0);
  t.equal(r.ReadUserIds.length, 6);
});

t.test('a sender who is no longer a member, and a member who sent nothing', async (t) => {
  const G = 6100000000000000001n, m1 = 6100000000000000011n;
  const app = await makeApp(t, world(conv(9003, G, 2, [{ id: 1, read: 1 }, { id: 2 }], [{ id: m1, from: 99 }])));
  const r = (await ok(t, app, RRR, ask(9003, G, [m1]))).ReadReceipt[0];
  t.strictSame([r.ReadUserIds, r.UnReadUserIds], [[1], [2]], 'every current member counts when the sender has left');
});

t.test('a live group is refused and nothing changes', async (t) => {
  const L = 6200000000000000001n, m1 = 6200000000000000011n;
  const app = await makeApp(t, world(conv(9004, L, 100, [{ id: 1, read: 1 }, { id: 2 }], [{ id: m1, from: 1 }])));
  const before = snapshot(app);
  const err = await fails(t, app, RRR, ask(9004, L, [m1]), 400, 'InvalidParameter.UnsupportedConversationType');
  t.match(err.Message, /one-to-one and group/);
  t.equal(snapshot(app), before);
});

t.test('ids: unknown left out, duplicates once, order as asked, other conversations not reached', async (t) => {
  const C = 6300000000000000001n, D = 6300000000000000002n;
  const [m1, m2, m3, other] = [6300000000000000011n, 6300000000000000012n, 6300000000000000013n, 6300000000000000021n];
  const app = await makeApp(t, world(
    conv(9005, C, 2, [{ id: 1, read: 3 }, { id: 2, read: 1 }], [{ id: m1, from: 1 }, { id: m2, from: 1 }, { id: m3, from: 2 }]),
    conv(9005, D, 2, [{ id: 1, read: 1 }, { id: 2, read: 1 }], [{ id: other, from: 1 }]),
  ));
  const ids = async (asked: (bigint | number)[]) => (await ok(t, app, RRR, ask(9005, C, asked))).ReadReceipt.map((r: any) => r.MessageId);
  t.strictSame(await ids([m3, m1, m2]), [m3, m1, m2], 'in the order asked');
  t.strictSame(await ids([m2, m2, m1, m2, m1]), [m2, m1], 'each distinct id once, at its first position');
  t.strictSame(await ids([1, m1, 6300000000000000099n]), [m1], 'unknown ids left out');
  t.strictSame(await ids([other]), [], 'a message of another conversation is not this one\'s');
  t.strictSame(await ids([1, 2, 3]), [], 'all unknown: an empty list, not an error');
  const hundred = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? m1 : BigInt(i) + 1n));
  t.strictSame(await ids(hundred), [m1], '100 ids are accepted');
  const r = (await ok(t, app, RRR, ask(9005, C, [m3]))).ReadReceipt[0];
  t.strictSame([r.ConversationShortId, r.ReadUserIds, r.UnReadUserIds], [C, [1], []], 'member 1 at 3 has read m3 sent by 2');
});

t.test('AppId isolation: the same ConversationShortId in two AppIds', async (t) => {
  const C = 6400000000000000001n, m1 = 6400000000000000011n;
  const app = await makeApp(t, world(
    conv(9006, C, 2, [{ id: 1 }, { id: 2, read: 1 }, { id: 3 }], [{ id: m1, from: 1 }]),
    conv(9007, C, 2, [{ id: 10 }, { id: 11 }], [{ id: m1, from: 10 }]),
  ));
  const a = (await ok(t, app, RRR, ask(9006, C, [m1]))).ReadReceipt[0];
  const b = (await ok(t, app, RRR, ask(9007, C, [m1]))).ReadReceipt[0];
  t.strictSame([a.ReadUserIds, a.UnReadUserIds], [[2], [3]], 'AppId 9006 members');
  t.strictSame([b.ReadUserIds, b.UnReadUserIds], [[], [11]], 'AppId 9007 members');
  await fails(t, app, RRR, ask(9008, C, [m1]), 400, 'InvalidParameter.NotExistConversation');
});

t.test('string-id members appear in the …Str lists only', async (t) => {
  const C = 6500000000000000001n, m1 = 6500000000000000011n, m2 = 6500000000000000012n;
  const app = await makeApp(t, world(conv(9009, C, 2,
    [{ id: 'zoe', read: 1 }, { id: 5, read: 1 }, { id: 'alice', read: 0 }, { id: '5', read: 2 }, { id: 'bob', read: 2 }, { id: 4 }],
    [{ id: m1, from: 'bob' }, { id: m2, from: 5 }])));
  const a = await call(app, RRR, ask(9009, C, [m1, m2]));
  const [r1, r2] = a.body.Result.ReadReceipt;
  t.strictSame(r1.ReadUserIds, [5], 'numeric lists: numeric users only');
  t.strictSame(r1.UnReadUserIds, [4]);
  t.strictSame(r1.ReadUserIdsStr, ['5', 'zoe'], 'string user "5" is not numeric user 5; sorted; sender "bob" left out');
  t.strictSame(r1.UnReadUserIdsStr, ['alice']);
  t.strictSame([r2.ReadUserIds, r2.UnReadUserIds], [[], [4]], 'numeric sender 5 left out, string "5" is still there');
  t.strictSame([r2.ReadUserIdsStr, r2.UnReadUserIdsStr], [['5', 'bob'], ['alice', 'zoe']]);
  t.ok(a.text.includes('"ReadUserIdsStr":["5","zoe"]'), 'string ids written as strings');

  // one-to-one between a string user and a numeric user
  const one = await makeApp(t, world(conv(9010, C, 1, [{ id: 'alice', read: 1 }, { id: 42, read: 1 }], [{ id: m1, from: 42 }])));
  const r = (await ok(t, one, RRR, ask(9010, C, [m1]))).ReadReceipt[0];
  t.strictSame([r.ReceiverIsRead, r.ReadUserIds, r.UnReadUserIds, r.ReadUserIdsStr, r.UnReadUserIdsStr], [true, [], [], ['alice'], []]);
});

t.test('a lookup changes no state', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  await ok(t, app, RRR, ask(SEED_APP, SEED_CONV, [SEED_MSG, SEED_MSG, 1]));
  t.equal(snapshot(app), before);
});

t.test('a message deleted for everyone is left out of the receipts, like every other read', async (t) => {
  const app = await makeApp(t);
  const rr = () => ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  t.equal((await rr()).ReadReceipt.length, 1, 'there before');
  await ok(t, app, 'DeleteConversationMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageId: SEED_MSG, DeleteType: 0 });
  t.same((await rr()).ReadReceipt, [], 'gone after DeleteType 0');
});

t.test('membership changes show in the next answer (the member order kept on the conversation follows them)', async (t) => {
  const G = 6600000000000000001n, m1 = 6600000000000000011n;
  const app = await makeApp(t, world(conv(9010, G, 2, [{ id: 1, read: 1 }, { id: 'carol', read: 0 }, { id: 30 }], [{ id: m1, from: 1, index: 1 }])));
  const receipt = async () => {
    const r = (await ok(t, app, RRR, ask(9010, G, [m1]))).ReadReceipt[0];
    return [r.ReadUserIds, r.UnReadUserIds, r.ReadUserIdsStr, r.UnReadUserIdsStr];
  };
  const readIndexes = async () => (await ok(t, app, 'GetParticipantReadIndex', { AppId: 9010, ConversationShortId: G }))
    .ReadIndexes.map((r: any) => [r.ParticipantUserIdStr ?? r.ParticipantUserId, r.ReadIndex]);
  t.strictSame(await receipt(), [[], [30], [], ['carol']]);
  t.strictSame(await readIndexes(), [[1, 1]], 'members at 0 are not listed (absent means 0)');

  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 9010, ConversationShortId: G, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 20, ReadIndex: 1 }, { ParticipantUserId: 40 }] });
  t.strictSame(await receipt(), [[20], [30, 40], [], ['carol']], 'added members, in id order');
  t.strictSame(await readIndexes(), [[1, 1], [20, 1]]);

  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 9010, ConversationShortId: G, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 30, NickName: 'x' }] });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: 9010, ConversationShortId: G, ParticipantUserId: 30, ReadIndex: 1 });
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: 9010, ConversationShortId: G, ParticipantUserId: 0, ParticipantUserIdStr: 'carol', ReadIndex: 1 });
  t.strictSame(await receipt(), [[20, 30], [40], ['carol'], []], 'an overwritten member and moved ReadIndexes are seen');

  await ok(t, app, 'BatchDeleteConversationParticipant', { AppId: 9010, ConversationShortId: G, Operator: 1, ParticipantUserIds: [20, 40] });
  t.strictSame(await receipt(), [[30], [], ['carol'], []], 'removed members are gone');
  t.strictSame(await readIndexes(), [[1, 1], [30, 1], ['carol', 1]]);
});
