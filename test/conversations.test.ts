// Conversations and members through the vendor's own API (issue 3): CreateConversation … BatchSendMessage.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test as Tap } from 'tap';
import { buildApp } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { makeApp, call, ok, fails, snapshot, SEED_APP, SEED_CONV, GROUP_CONV, GROUP_INDEXES, NOW_US } from './helpers.js';

const START_MS = 1_767_225_600_000;
const START_S = START_MS / 1000;
const BIG = 2n ** 53n;

type App = FastifyInstance;

/** Creates a group (or live group) owned by owner and adds members; returns its id. */
async function group(t: Tap, app: App, appId: number, owner: bigint, members: bigint[] = [], type = 2): Promise<bigint> {
  const r = await ok(t, app, 'CreateConversation', { AppId: appId, OwnerUserId: owner, ConversationCoreInfo: { ConversationType: type, Name: 'g' } });
  const id = BigInt(r.ConversationShortId);
  if (members.length) {
    const add = await ok(t, app, 'BatchAddConversationParticipant', {
      AppId: appId, ConversationShortId: id, Operator: owner, ParticipantInfos: members.map((u) => ({ ParticipantUserId: u })),
    });
    t.same(add.FailedUserIds, [], 'every member added');
  }
  return id;
}

async function oneToOne(t: Tap, app: App, appId: number, a: bigint, b: bigint, extra: Record<string, unknown> = {}) {
  return ok(t, app, 'CreateConversation', { AppId: appId, OwnerUserId: a, OtherUserId: b, ConversationCoreInfo: { ConversationType: 1 }, ...extra });
}

async function count(t: Tap, app: App, appId: number, id: bigint): Promise<number> {
  return Number((await ok(t, app, 'GetConversationUserCount', { AppId: appId, ConversationShortId: id })).Count);
}

async function memberIds(t: Tap, app: App, appId: number, id: bigint, extra: Record<string, unknown> = {}): Promise<unknown[]> {
  const r = await ok(t, app, 'ScanConversationParticipantList', { AppId: appId, ConversationShortId: id, Cursor: 0, Limit: 50, OnlyUserIds: true, ...extra });
  return r.Participants.map((p: any) => p.ParticipantUserIdStr ?? Number(p.ParticipantUserId));
}

t.test('CreateConversation generates a ConversationShortId above 2^53, its ConversationId, and times in seconds', async (t) => {
  const clock = new MockClock(() => START_MS);
  const app = await makeApp(t, { clock });
  const r = await ok(t, app, 'CreateConversation', {
    AppId: 7001, OwnerUserId: 11, InboxType: 3,
    ConversationCoreInfo: { ConversationType: 2, Name: 'Team', AvatarUrl: 'https://a/x.png', Description: 'd', Notice: 'n', Ext: { k: 'v' } },
  });
  t.type(r.ConversationShortId, 'bigint', 'written as an exact integer');
  t.ok(r.ConversationShortId > BIG, 'above 2^53');
  t.equal(r.ConversationId, `0:3:2:${r.ConversationShortId}`);
  t.equal(r.Exist, false);
  t.same(r.ConversationInfo, {
    AppId: 7001, ConversationShortId: r.ConversationShortId, ConversationId: r.ConversationId, ConversationType: 2, InboxType: 3,
    CreateTime: START_S, ModifyTime: START_S, CreatorUserId: 11, OwnerUserId: 11,
    Name: 'Team', AvatarUrl: 'https://a/x.png', Description: 'd', Notice: 'n', Ext: { k: 'v' }, MemberCount: 1, Status: 0,
  });
  const again = await ok(t, app, 'CreateConversation', { AppId: 7001, OwnerUserId: 11, ConversationCoreInfo: { ConversationType: 2 } });
  t.not(again.ConversationShortId, r.ConversationShortId, 'each group gets its own id');
  t.ok(again.ConversationShortId > BIG);
});

t.test('CreateConversation: ConversationType other than 1, 2, 100 is InvalidParameter and creates nothing', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  for (const type of [0, 3, 99, 101, -1]) {
    await fails(t, app, 'CreateConversation', { AppId: 7002, OwnerUserId: 1, OtherUserId: 2, ConversationCoreInfo: { ConversationType: type } }, 400, 'InvalidParameter');
  }
  t.equal(snapshot(app), before);
});

t.test('CreateConversation: a one-to-one needs OtherUserId or OtherUserIdStr', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const cases: [string, Record<string, unknown>][] = [
    ['no other user', {}],
    ['OtherUserId 0', { OtherUserId: 0 }],
    ['OtherUserIdStr empty', { OtherUserId: 0, OtherUserIdStr: '' }],
    ['other user is the owner', { OtherUserId: 1 }],
  ];
  for (const [name, extra] of cases) {
    const err = await fails(t, app, 'CreateConversation', { AppId: 7003, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 1 }, ...extra }, 400, 'InvalidParameter');
    t.match(err.Message, /OtherUserId/, name);
  }
  t.equal(snapshot(app), before);
});

t.test('CreateConversation: one one-to-one per user pair and InboxType, unless a different IdempotentId', async (t) => {
  const app = await makeApp(t);
  const first = await oneToOne(t, app, 7004, 1n, 2n);
  t.equal(first.Exist, false);
  t.equal(first.ConversationInfo.OtherUserId, 2);
  const reversed = await oneToOne(t, app, 7004, 2n, 1n);
  t.equal(reversed.Exist, true, 'the same pair the other way round finds it');
  t.equal(reversed.ConversationShortId, first.ConversationShortId);
  const otherInbox = await oneToOne(t, app, 7004, 1n, 2n, { InboxType: 1 });
  t.equal(otherInbox.Exist, false, 'another InboxType is another mailbox');
  const withKey = await oneToOne(t, app, 7004, 1n, 2n, { IdempotentId: 'k1' });
  t.equal(withKey.Exist, false, 'a different IdempotentId makes another one');
  t.not(withKey.ConversationShortId, first.ConversationShortId);
  const strUser = await ok(t, app, 'CreateConversation', { AppId: 7004, OwnerUserId: 0, OwnerUserIdStr: '1', OtherUserId: 2, ConversationCoreInfo: { ConversationType: 1 } });
  t.equal(strUser.Exist, false, 'the string user "1" is not user 1');
  const seeded = await oneToOne(t, app, SEED_APP, 30341n, 30340n);
  t.equal(seeded.Exist, true, 'a fixture one-to-one is found too');
  t.equal(seeded.ConversationShortId, SEED_CONV);
  t.equal(await count(t, app, 7004, BigInt(first.ConversationShortId)), 2, 'both users are members');
});

t.test('CreateConversation: an IdempotentId already used in the AppId returns that conversation with Exist', async (t) => {
  const app = await makeApp(t);
  const a = await ok(t, app, 'CreateConversation', { AppId: 7005, OwnerUserId: 1, IdempotentId: 'room-1', ConversationCoreInfo: { ConversationType: 2, Name: 'one' } });
  const before = snapshot(app);
  const b = await ok(t, app, 'CreateConversation', { AppId: 7005, OwnerUserId: 9, IdempotentId: 'room-1', ConversationCoreInfo: { ConversationType: 2, Name: 'two' } });
  t.equal(b.Exist, true);
  t.equal(b.ConversationShortId, a.ConversationShortId);
  t.equal(b.ConversationInfo.Name, 'one', 'nothing changed');
  t.equal(snapshot(app), before, 'nothing created');
  const elsewhere = await ok(t, app, 'CreateConversation', { AppId: 7006, OwnerUserId: 1, IdempotentId: 'room-1', ConversationCoreInfo: { ConversationType: 2 } });
  t.equal(elsewhere.Exist, false, 'another AppId is another namespace');
  const plain1 = await ok(t, app, 'CreateConversation', { AppId: 7005, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } });
  const plain2 = await ok(t, app, 'CreateConversation', { AppId: 7005, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } });
  t.not(plain1.ConversationShortId, plain2.ConversationShortId, 'a group without IdempotentId is always new');
  await ok(t, app, 'DestroyConversation', { AppId: 7005, ConversationShortId: a.ConversationShortId, OwnerUserId: 1 });
  const after = await ok(t, app, 'CreateConversation', { AppId: 7005, OwnerUserId: 1, IdempotentId: 'room-1', ConversationCoreInfo: { ConversationType: 2 } });
  t.equal(after.Exist, false, 'after DestroyConversation the key is free again');
});

t.test('CreateConversation: the owner is a member (Role 1 in a group and a live group); a one-to-one has both users', async (t) => {
  const app = await makeApp(t);
  for (const type of [2, 100]) {
    const id = await group(t, app, 7007, 5n, [], type);
    const r = await ok(t, app, 'BatchGetConversationParticipant', { AppId: 7007, ConversationShortId: id, ParticipantUserIds: [5] });
    t.same(r.Participants, [{ ConversationShortId: id, ParticipantUserId: 5, Operator: 5, Role: 1, BlockTime: 0, CreateTime: START_S, Level: 0, Status: 0 }], `type ${type}`);
    const info = await ok(t, app, 'BatchGetConversations', { AppId: 7007, ConversationShortId: [id] });
    t.equal(info.ConversationCoreInfos[0].ConversationType, type);
  }
  const single = await oneToOne(t, app, 7007, 5n, 6n);
  const id = BigInt(single.ConversationShortId);
  for (const u of [5, 6]) t.equal((await ok(t, app, 'IsUserInConversation', { AppId: 7007, ConversationShortId: id, ParticipantUserId: u })).IsUserInConversation, true);
  t.equal((await ok(t, app, 'IsUserInConversation', { AppId: 7007, ConversationShortId: id, ParticipantUserId: 7 })).IsUserInConversation, false);
  t.equal(await count(t, app, 7007, id), 2);
});

t.test('GetUserConversations pages with Cursor and Limit (1 to 20), HasMore and NextCursor', async (t) => {
  const app = await makeApp(t);
  const made: bigint[] = [];
  for (let i = 0; i < 25; i++) {
    made.push(await group(t, app, 7008, 1n));
    app.mock.clock.advance(1000);
  }
  const page1 = await ok(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: 0, Limit: 20, DataType: 1 });
  t.equal(page1.ConversationInfos.length, 20);
  t.equal(page1.HasMore, true);
  t.equal(page1.NextCursor, 20);
  const page2 = await ok(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: page1.NextCursor, Limit: 20, DataType: 1 });
  t.equal(page2.ConversationInfos.length, 5);
  t.equal(page2.HasMore, false);
  t.equal(page2.NextCursor, 25);
  t.same([...page1.ConversationInfos, ...page2.ConversationInfos].map((c: any) => BigInt(c.ConversationShortId)), made, 'DataType 1: create time ascending');
  t.equal(page1.ConversationInfos[0].MemberCount, 1, 'SkipMemberCount defaults to false here');
  const skipped = await ok(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: 0, Limit: 1, SkipMemberCount: true });
  t.notOk('MemberCount' in skipped.ConversationInfos[0]);
  const before = snapshot(app);
  for (const Limit of [0, 21, -1]) {
    await fails(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: 0, Limit }, 400, 'InvalidParameter');
  }
  await fails(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: -1, Limit: 5 }, 400, 'InvalidParameter');
  await fails(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 1, Cursor: 0, Limit: 5, DataType: 3 }, 400, 'InvalidParameter');
  await fails(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 0, Cursor: 0, Limit: 5 }, 400, 'InvalidParameter');
  t.equal(snapshot(app), before);
  const none = await ok(t, app, 'GetUserConversations', { AppId: 7008, ParticipantUserId: 2, Cursor: 0, Limit: 20 });
  t.same(none, { ConversationInfos: [], HasMore: false, NextCursor: 0 });
});

t.test('GetUserConversations: DataType orders, InboxType filters, and the index follows membership', async (t) => {
  const app = await makeApp(t);
  const clock = app.mock.clock;
  const g1 = await group(t, app, 7009, 1n, [2n]);
  clock.advance(10_000);
  const g2 = await group(t, app, 7009, 2n);
  clock.advance(10_000);
  const live = await group(t, app, 7009, 2n, [], 100);
  clock.advance(10_000);
  const inbox1 = await ok(t, app, 'CreateConversation', { AppId: 7009, OwnerUserId: 2, OtherUserId: 3, InboxType: 1, ConversationCoreInfo: { ConversationType: 1 } });
  clock.advance(10_000);
  await ok(t, app, 'ModifyConversation', { AppId: 7009, ConversationCoreInfo: { ConversationShortId: g1, Name: 'active' } });
  const list = async (extra: Record<string, unknown>) => (await ok(t, app, 'GetUserConversations', { AppId: 7009, ParticipantUserId: 2, Cursor: 0, Limit: 20, ...extra }))
    .ConversationInfos.map((c: any) => BigInt(c.ConversationShortId));
  t.same(await list({}), [g1, live, g2], 'DataType 0: most recently active first');
  t.same(await list({ DataType: 1 }), [g1, g2, live], 'DataType 1: create time ascending');
  t.same(await list({ DataType: 2 }), [live], 'DataType 2: live groups the user created');
  t.same(await list({ InboxType: 1 }), [BigInt(inbox1.ConversationShortId)], 'InboxType 1 only');
  await ok(t, app, 'BatchDeleteConversationParticipant', { AppId: 7009, ConversationShortId: g1, Operator: 1, ParticipantUserIds: [2] });
  t.same(await list({ DataType: 1 }), [g2, live], 'removed from g1');
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7009, ConversationShortId: g1, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2 }] });
  t.same(await list({ DataType: 1 }), [g1, g2, live], 'added back');
  await ok(t, app, 'DestroyConversation', { AppId: 7009, ConversationShortId: g2, OwnerUserId: 2 });
  t.same(await list({ DataType: 1 }), [g1, live], 'destroyed g2 is gone');
});

t.test('BatchAdd/BatchDeleteConversationParticipant refuse a one-to-one conversation', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  await fails(t, app, 'BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Operator: 30340, ParticipantInfos: [{ ParticipantUserId: 9 }] }, 400, 'InvalidParameter.UnsupportedConversationType');
  await fails(t, app, 'BatchDeleteConversationParticipant', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Operator: 30340, ParticipantUserIds: [30341] }, 400, 'InvalidParameter.UnsupportedConversationType');
  t.equal(snapshot(app), before);
});

t.test('BatchDeleteConversationParticipant: non-members and the owner go to FailedUserIds, the rest leave', async (t) => {
  const app = await makeApp(t);
  const r = await ok(t, app, 'BatchDeleteConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, ParticipantUserIds: [30341, 99, 30340, 30342] });
  t.same(r.FailedUserIds, [99, 30340]);
  t.same(await memberIds(t, app, SEED_APP, GROUP_CONV), [30340, 30343]);
});

t.test('BatchAddConversationParticipant: an existing member is overwritten, ReadIndex may be seeded, Role rules', async (t) => {
  const app = await makeApp(t);
  const id = await group(t, app, 7010, 1n);
  await ok(t, app, 'BatchAddConversationParticipant', {
    AppId: 7010, ConversationShortId: id, Operator: 1,
    ParticipantInfos: [{ ParticipantUserId: 2, NickName: 'bo', Level: 3, Ext: { a: '1' }, ReadIndex: 7, Role: 2 }, { ParticipantUserId: 3, Role: 1 }, { ParticipantUserId: 4, Role: 9 }],
  });
  app.mock.clock.advance(5000);
  const r = await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7010, ConversationShortId: id, Operator: 4, ParticipantInfos: [{ ParticipantUserId: 2, NickName: 'bob' }, { ParticipantUserId: 1, Role: 0 }] });
  t.same(r.FailedUserIds, []);
  const got = await ok(t, app, 'BatchGetConversationParticipant', { AppId: 7010, ConversationShortId: id, ParticipantUserIds: [2, 3, 4, 1, 404] });
  t.same(got.Participants.map((p: any) => [p.ParticipantUserId, p.Role, p.NickName, p.Level, p.Operator, p.CreateTime, p.Ext]), [
    [2, 0, 'bob', 0, 4, START_S, undefined], // overwritten: role, level, ext back to the new call's values; join time kept
    [3, 0, undefined, 0, 1, START_S, undefined], // Role 1 is only the owner's
    [4, 0, undefined, 0, 1, START_S, undefined], // an unknown role is 0
    [1, 1, undefined, 0, 4, START_S, undefined], // the owner stays Role 1
  ]);
  const setting = await ok(t, app, 'GetConversationSetting', { AppId: 7010, ConversationShortId: id, ParticipantUserId: 2 });
  t.equal(setting.ConversationSettingInfo.ReadIndex, 7, 'ReadIndex seeded on the first add and kept by the overwrite');
  t.equal(await count(t, app, 7010, id), 4);
});

t.test('BatchAddConversationParticipant: Barrier hides earlier messages from the new member', async (t) => {
  const app = await makeApp(t);
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, Barrier: true, ParticipantInfos: [{ ParticipantUserId: 500 }] });
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, ParticipantInfos: [{ ParticipantUserId: 501 }] });
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, Barrier: true, ParticipantInfos: [{ ParticipantUserId: 30341 }] });
  const conv = app.mock.store.conversation(SEED_APP, GROUP_CONV)!;
  t.equal(conv.members.get(500n)!.barrierIndex, GROUP_INDEXES[2], 'the group\'s last message when 500 joined');
  t.equal(conv.members.get(501n)!.barrierIndex, 0n, 'no barrier without Barrier');
  t.equal(conv.members.get(30341n)!.barrierIndex, 0n, 'an existing member keeps the history it had');
});

t.test('BatchAddConversationParticipant: a group holds 200 members, a live group 10000; the overflow is in FailedUserIds', async (t) => {
  const app = await makeApp(t);
  const id = await group(t, app, 7011, 1n);
  const users = Array.from({ length: 205 }, (_, i) => BigInt(1000 + i));
  const r = await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7011, ConversationShortId: id, Operator: 1, ParticipantInfos: users.map((u) => ({ ParticipantUserId: u })) });
  t.same(r.FailedUserIds, users.slice(199).map(Number), 'owner + 199 = 200');
  t.equal(await count(t, app, 7011, id), 200);
  const again = await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7011, ConversationShortId: id, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 1000, NickName: 'x' }, { ParticipantUserId: 9999 }] });
  t.same(again.FailedUserIds, [9999], 'a full group still overwrites existing members');
  const live = await group(t, app, 7011, 1n, [], 100);
  const many = Array.from({ length: 10001 }, (_, i) => ({ ParticipantUserId: 100_000 + i }));
  const lr = await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7011, ConversationShortId: live, Operator: 1, ParticipantInfos: many });
  t.same(lr.FailedUserIds, [109_999, 110_000]);
  t.equal(await count(t, app, 7011, live), 10000);
});

t.test('Members must be positive ids; the owner cannot be removed', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  for (const u of [0, -5]) {
    await fails(t, app, 'BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, ParticipantInfos: [{ ParticipantUserId: 7 }, { ParticipantUserId: u }] }, 400, 'InvalidParameter');
    await fails(t, app, 'BatchDeleteConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30340, ParticipantUserIds: [30341, u] }, 400, 'InvalidParameter');
  }
  t.equal(snapshot(app), before, 'the valid items of a bad call were not applied either');
  const r = await ok(t, app, 'BatchDeleteConversationParticipant', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Operator: 30341, ParticipantUserIds: [30340] });
  t.same(r.FailedUserIds, [30340]);
  t.equal(snapshot(app), before);
});

t.test('DestroyConversation: groups only, owner only, then the conversation is gone', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  await fails(t, app, 'DestroyConversation', { AppId: SEED_APP, ConversationShortId: SEED_CONV, OwnerUserId: 30340 }, 400, 'InvalidParameter.UnsupportedConversationType');
  const err = await fails(t, app, 'DestroyConversation', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, OwnerUserId: 30341 }, 403, 'AccessDenied');
  t.notOk('CodeN' in err, 'a business refusal: no gateway CodeN (100013 would tell Go clients the credentials were refused)');
  await fails(t, app, 'DestroyConversation', { AppId: SEED_APP, ConversationShortId: 12345, OwnerUserId: 30340 }, 400, 'InvalidParameter.NotExistConversation');
  t.equal(snapshot(app), before);
  t.same(await ok(t, app, 'DestroyConversation', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, OwnerUserId: 30340 }), {});
  await fails(t, app, 'GetConversationUserCount', { AppId: SEED_APP, ConversationShortId: GROUP_CONV }, 400, 'InvalidParameter.NotExistConversation');
  await fails(t, app, 'DestroyConversation', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, OwnerUserId: 30340 }, 400, 'InvalidParameter.NotExistConversation');
  await fails(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, MessageIds: [1709040720191372001n] }, 400, 'InvalidParameter.NotExistConversation');
  const got = await ok(t, app, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [GROUP_CONV, SEED_CONV] });
  t.same(got.ConversationCoreInfos.map((c: any) => c.ConversationShortId), [SEED_CONV]);
  t.notOk(app.mock.store.conversation(SEED_APP, GROUP_CONV));
});

t.test('ModifyConversation: omitted fields unchanged, Ext merged, owner must be a member, ModifyTime moves', async (t) => {
  const app = await makeApp(t);
  const id = await group(t, app, 7012, 1n, [2n]);
  await ok(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { ConversationShortId: id, Notice: 'n1', Ext: { k1: 'v1', k2: 'v2' } } });
  app.mock.clock.advance(60_000);
  await ok(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { ConversationShortId: id, Description: 'about', Ext: { k1: 'u', k3: 'v3' }, OwnerUserId: 2 } });
  const info = (await ok(t, app, 'BatchGetConversations', { AppId: 7012, ConversationShortId: [id] })).ConversationCoreInfos[0];
  t.equal(info.Name, 'g', 'Name unchanged');
  t.equal(info.Notice, 'n1', 'Notice unchanged');
  t.equal(info.Description, 'about');
  t.same(info.Ext, { k1: 'u', k2: 'v2', k3: 'v3' }, 'Ext merged');
  t.equal(info.OwnerUserId, 2);
  t.equal(info.CreatorUserId, 1, 'the creator stays');
  t.equal(info.ModifyTime, START_S + 60);
  t.equal(info.CreateTime, START_S);
  const roles = await ok(t, app, 'BatchGetConversationParticipant', { AppId: 7012, ConversationShortId: id, ParticipantUserIds: [1, 2] });
  t.same(roles.Participants.map((p: any) => p.Role), [0, 1], 'ownership moved with the roles');
  const before = snapshot(app);
  await fails(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { ConversationShortId: id, Name: 'x', OwnerUserId: 3 } }, 400, 'InvalidParameter.NotInConversation');
  await fails(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { ConversationShortId: id, OwnerUserIdStr: '2' } }, 400, 'InvalidParameter.NotInConversation');
  await fails(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { ConversationShortId: 777, Name: 'x' } }, 400, 'InvalidParameter.NotExistConversation');
  await fails(t, app, 'ModifyConversation', { AppId: SEED_APP, ConversationCoreInfo: { ConversationShortId: SEED_CONV, OwnerUserId: 30342 } }, 400, 'InvalidParameter.NotInConversation');
  await fails(t, app, 'ModifyConversation', { AppId: 7012, ConversationCoreInfo: { Name: 'x' } }, 400, 'InvalidParameter');
  t.equal(snapshot(app), before);
  // a one-to-one handed to the other user: owner and other user swap, it is still the pair's conversation
  await ok(t, app, 'ModifyConversation', { AppId: SEED_APP, ConversationCoreInfo: { ConversationShortId: SEED_CONV, OwnerUserId: 30341 } });
  const single = (await ok(t, app, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [SEED_CONV] })).ConversationCoreInfos[0];
  t.same([single.OwnerUserId, single.OtherUserId], [30341, 30340]);
  t.equal((await oneToOne(t, app, SEED_APP, 30340n, 30341n)).ConversationShortId, SEED_CONV);
  app.mock.store.replace([], SEED_APP);
  t.equal((await oneToOne(t, app, SEED_APP, 30340n, 30341n)).Exist, false, 'after a reset of the AppId the pair index holds nothing stale');
});

t.test('Get/ModifyConversationSetting: per-member settings, ReadIndex unless NoReadIndex, members only', async (t) => {
  const app = await makeApp(t);
  const get = (user: number, extra = {}) => ok(t, app, 'GetConversationSetting', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, ParticipantUserId: user, ...extra });
  t.same((await get(30341)).ConversationSettingInfo, {
    AppId: SEED_APP, ConversationShortId: GROUP_CONV, ConversationId: `0:0:2:${GROUP_CONV}`, ConversationType: 2, InboxType: 0,
    ParticipantUserId: 30341, ReadIndex: GROUP_INDEXES[1], StickTopTime: 0, IsMute: false, IsStickTop: false, IsSetFavorite: false, SetFavoriteTime: 0,
  });
  await ok(t, app, 'ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: GROUP_CONV, ParticipantUserId: 30341, IsMute: true, IsStickTop: true, Ext: { a: '1' } } });
  await ok(t, app, 'ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: GROUP_CONV, ParticipantUserId: 30341, IsSetFavorite: true, SetFavoriteTime: 1700000000123, Ext: { b: '2' } } });
  const s = (await get(30341, { NoReadIndex: true })).ConversationSettingInfo;
  t.same([s.IsMute, s.IsStickTop, s.StickTopTime, s.IsSetFavorite, s.SetFavoriteTime, s.Ext, s.ReadIndex],
    [true, true, START_MS, true, 1700000000123, { a: '1', b: '2' }, 0], 'kept across calls; stick-top time defaults to now (ms); ReadIndex withheld');
  t.equal((await get(30342)).ConversationSettingInfo.IsMute, false, 'another member is untouched');
  await ok(t, app, 'ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: GROUP_CONV, ParticipantUserId: 30341, IsStickTop: false, IsMute: false } });
  const off = (await get(30341)).ConversationSettingInfo;
  t.same([off.IsMute, off.IsStickTop, off.StickTopTime, off.IsSetFavorite], [false, false, 0, true]);
  const before = snapshot(app);
  await fails(t, app, 'GetConversationSetting', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, ParticipantUserId: 404 }, 400, 'InvalidParameter.NotInConversation');
  await fails(t, app, 'ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: GROUP_CONV, ParticipantUserId: 404, IsMute: true } }, 400, 'InvalidParameter.NotInConversation');
  await fails(t, app, 'ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: GROUP_CONV, ParticipantUserId: 30341, StickTopTime: -1 } }, 400, 'InvalidParameter');
  t.equal(snapshot(app), before);
});

t.test('ScanConversationParticipantList: join order, Reverse, OnlyUserIds, Limit, NextCursor', async (t) => {
  const app = await makeApp(t);
  const id = await group(t, app, 7013, 1n, [5n, 3n, 4n, 2n]);
  const scan = (extra: Record<string, unknown>) => ok(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: id, Cursor: 0, Limit: 20, ...extra });
  const all = await scan({});
  t.same(all.Participants.map((p: any) => p.ParticipantUserId), [1, 5, 3, 4, 2], 'join-time order');
  t.same(all.Participants[0], { AvatarUrl: '', ConversationShortId: id, ParticipantUserId: 1, Operator: 1, Role: 1, BlockTime: 0, CreateTime: START_S, Level: 0, Status: 0 });
  t.equal(all.HasMore, false);
  t.ok(all.NextCursor < 0, 'negative NextCursor: no more');
  const p1 = await scan({ Limit: 2, Reverse: true });
  t.same(p1.Participants.map((p: any) => p.ParticipantUserId), [2, 4]);
  t.same([p1.HasMore, p1.NextCursor], [true, 2]);
  const p2 = await scan({ Limit: 2, Reverse: true, Cursor: p1.NextCursor });
  t.same(p2.Participants.map((p: any) => p.ParticipantUserId), [3, 5]);
  const p3 = await scan({ Limit: 2, Reverse: true, Cursor: p2.NextCursor });
  t.same(p3.Participants.map((p: any) => p.ParticipantUserId), [1]);
  t.same([p3.HasMore, p3.NextCursor], [false, -1]);
  const ids = await scan({ OnlyUserIds: true, Limit: 50 });
  t.same(ids.Participants[1], { AvatarUrl: '', ConversationShortId: id, Operator: 0, Role: 0, ParticipantUserId: 5 }, 'ids only');
  t.same(ids.Participants[0], { AvatarUrl: '', ConversationShortId: id, Operator: 0, Role: 1, ParticipantUserId: 1 }, 'ids only keep the Role: the owner is 1');
  const before = snapshot(app);
  for (const extra of [{ Limit: 21 }, { Limit: 0 }, { Limit: 51, OnlyUserIds: true }, { Cursor: -1 }]) {
    await fails(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: id, Cursor: 0, Limit: 20, ...extra }, 400, 'InvalidParameter');
  }
  t.equal(snapshot(app), before);
  const live = await group(t, app, 7013, 1n, [2n, 3n], 100);
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7013, ConversationShortId: live, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 3, Role: 2 }] });
  t.same((await ok(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: live, Cursor: 0, Limit: 20 })).Participants.map((p: any) => p.ParticipantUserId), [1, 3], 'live group: owner and admins');
  t.same((await ok(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: live, Cursor: 0, Limit: 20, ScanOnlineParticipant: true })).Participants.map((p: any) => p.ParticipantUserId), [], 'online members: nobody is online until a test says so (mock-contract §9)');
  t.same((await scan({ ScanOnlineParticipant: true })).Participants, [], 'no online scan outside live groups');
  // presence set through the control plane (mock-contract §9) is what the online listing reads
  const presence = await app.inject({ method: 'PUT', url: '/_mock/presence', headers: { 'content-type': 'application/json' }, payload: '{"AppId":7013,"UserId":2,"Connections":[{"ConnId":"c1"}]}' });
  t.equal(presence.statusCode, 200, presence.body);
  t.same((await ok(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: live, Cursor: 0, Limit: 20, ScanOnlineParticipant: true })).Participants.map((p: any) => p.ParticipantUserId), [2], 'a member with a connection is listed online');
  await app.inject({ method: 'PUT', url: '/_mock/presence', headers: { 'content-type': 'application/json' }, payload: '{"AppId":7013,"UserId":2,"Connections":[]}' });
  t.same((await ok(t, app, 'ScanConversationParticipantList', { AppId: 7013, ConversationShortId: live, Cursor: 0, Limit: 20, ScanOnlineParticipant: true })).Participants, [], 'an empty connection list is offline again');
});

t.test('BatchGetConversations: MemberCount only when SkipMemberCount is false; unknown ids left out', async (t) => {
  const app = await makeApp(t);
  const r = await ok(t, app, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [GROUP_CONV, 42, SEED_CONV, GROUP_CONV] });
  t.same(r.ConversationCoreInfos.map((c: any) => c.ConversationShortId), [GROUP_CONV, SEED_CONV]);
  t.notOk('MemberCount' in r.ConversationCoreInfos[0], 'SkipMemberCount defaults to true');
  t.same(r.ConversationCoreInfos[1], {
    AppId: SEED_APP, ConversationShortId: SEED_CONV, ConversationId: `0:0:1:${SEED_CONV}`, ConversationType: 1, InboxType: 0,
    CreateTime: 1709040600, ModifyTime: 1709040600, CreatorUserId: 30340, OwnerUserId: 30340, OtherUserId: 30341, Status: 0,
  });
  const counted = await ok(t, app, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [GROUP_CONV], SkipMemberCount: false });
  t.equal(counted.ConversationCoreInfos[0].MemberCount, 4);
  t.same((await ok(t, app, 'BatchGetConversations', { AppId: 7014, ConversationShortId: [GROUP_CONV] })).ConversationCoreInfos, [], 'another AppId');
});

t.test('BatchSendMessage: one message per receiver in their one-to-one conversation, created when missing', async (t) => {
  const app = await makeApp(t);
  const store = app.mock.store;
  const r = await ok(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 30340, Receiver: [30341, 777, 30340, 777], MsgType: 10001, Content: '{"text":"hi"}', Ext: { e: '1' } });
  t.same(Object.keys(r.UserMessageId).sort(), ['30341', '777']);
  t.same(r.FailedReceiver, [30340], 'a user cannot message itself');
  for (const id of Object.values(r.UserMessageId)) t.ok((id as bigint) > BIG, 'MessageId above 2^53');
  const seeded = store.conversation(SEED_APP, SEED_CONV)!;
  const m = store.message(seeded, r.UserMessageId['30341'])!;
  t.same([m.index, m.sender, m.msgType, m.content, m.createTime, m.ext], [NOW_US, 30340n, 10001, '{"text":"hi"}', BigInt(START_MS), { e: '1' }], 'appended to the existing one-to-one');
  t.equal(seeded.members.get(30340n)!.readIndex, NOW_US, 'the sender has read its own message');
  t.equal(seeded.members.get(30341n)!.readIndex, 0n);
  const created = await oneToOne(t, app, SEED_APP, 777n, 30340n);
  t.equal(created.Exist, true, 'the new one-to-one is the pair\'s conversation');
  const conv = store.conversation(SEED_APP, BigInt(created.ConversationShortId))!;
  t.same(conv.messages.map((x) => x.messageId), [r.UserMessageId['777']]);
  const again = await ok(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 777, Receiver: [30340], MsgType: 10001, Content: 'x' });
  t.equal(store.message(conv, again.UserMessageId['30340'])!.index, NOW_US + 1n, 'the reverse direction uses the same conversation');
  const before = snapshot(app);
  const tooMany = Array.from({ length: 501 }, (_, i) => i + 1);
  await fails(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 1, Receiver: tooMany, MsgType: 10001, Content: 'x' }, 400, 'InvalidParameter');
  await fails(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 1, Receiver: [], MsgType: 10001, Content: 'x' }, 400, 'InvalidParameter');
  await fails(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 0, Receiver: [2], MsgType: 10001, Content: 'x' }, 400, 'InvalidParameter');
  await fails(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 1, Receiver: [2], MsgType: 10001 }, 400, 'InvalidParameter');
  t.equal(snapshot(app), before);
});

t.test('String user ids: the …Str twins are accepted, a string user is not the numeric one, answers carry the twin', async (t) => {
  const app = await makeApp(t);
  // Go clients send the number as 0 when they use the twin
  const g = await ok(t, app, 'CreateConversation', { AppId: 7015, OwnerUserId: 0, OwnerUserIdStr: 'alice', ConversationCoreInfo: { ConversationType: 2 } });
  t.equal(g.ConversationInfo.OwnerUserIdStr, 'alice');
  t.equal(g.ConversationInfo.CreatorUserIdStr, 'alice');
  const id = BigInt(g.ConversationShortId);
  app.mock.clock.advance(1000);
  const single = await ok(t, app, 'CreateConversation', { AppId: 7015, OwnerUserId: 0, OwnerUserIdStr: 'alice', OtherUserId: 0, OtherUserIdStr: '42', ConversationCoreInfo: { ConversationType: 1 } });
  t.equal(single.ConversationInfo.OtherUserIdStr, '42');
  t.notOk('OtherUserId' in single.ConversationInfo);
  const info = (await ok(t, app, 'BatchGetConversations', { AppId: 7015, ConversationShortId: [id] })).ConversationCoreInfos[0];
  t.same([info.OwnerUserId, info.OwnerUserIdStr, info.CreatorUserId, info.CreatorUserIdStr], [0, 'alice', 0, 'alice'], 'the required number is 0 beside the twin');
  const listed = await ok(t, app, 'GetUserConversations', { AppId: 7015, ParticipantUserId: 0, ParticipantUserIdStr: 'alice', Cursor: 0, Limit: 20, DataType: 1 });
  t.same(listed.ConversationInfos.map((c: any) => BigInt(c.ConversationShortId)), [id, BigInt(single.ConversationShortId)]);
  const numeric = await ok(t, app, 'GetUserConversations', { AppId: 7015, ParticipantUserId: 42, Cursor: 0, Limit: 20 });
  t.same(numeric.ConversationInfos, [], 'user 42 is not the string user "42"');
  t.equal((await ok(t, app, 'IsUserInConversation', { AppId: 7015, ConversationShortId: single.ConversationShortId, ParticipantUserId: 42 })).IsUserInConversation, false);
  const setting = await ok(t, app, 'GetConversationSetting', { AppId: 7015, ConversationShortId: id, ParticipantUserId: 0, ParticipantUserIdStr: 'alice' });
  t.same([setting.ConversationSettingInfo.ParticipantUserId, setting.ConversationSettingInfo.ParticipantUserIdStr], [0, 'alice']);
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 7015, ConversationShortId: id, Operator: 0, ParticipantInfos: [{ ParticipantUserId: 42 }] });
  t.same(await memberIds(t, app, 7015, id), ['alice', 42]);
  const scan = await ok(t, app, 'ScanConversationParticipantList', { AppId: 7015, ConversationShortId: id, Cursor: 0, Limit: 20 });
  t.same([scan.Participants[0].ParticipantUserId, scan.Participants[0].ParticipantUserIdStr, scan.Participants[0].OperatorStr], [0, 'alice', 'alice']);
  await ok(t, app, 'ModifyConversation', { AppId: 7015, ConversationCoreInfo: { ConversationShortId: id, OwnerUserId: 42 } });
  await ok(t, app, 'ModifyConversation', { AppId: 7015, ConversationCoreInfo: { ConversationShortId: id, OwnerUserId: 0, OwnerUserIdStr: 'alice' } });
  await fails(t, app, 'DestroyConversation', { AppId: 7015, ConversationShortId: id, OwnerUserId: 0, OwnerUserIdStr: 'bob' }, 403, 'AccessDenied');
  await ok(t, app, 'DestroyConversation', { AppId: 7015, ConversationShortId: id, OwnerUserId: 0, OwnerUserIdStr: 'alice' });
  await fails(t, app, 'DestroyConversation', { AppId: 7015, ConversationShortId: id, OwnerUserId: 0 }, 400, 'InvalidParameter');
});

t.test('Bad input answers 400 in the vendor envelope and changes nothing', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const G = GROUP_CONV;
  const cases: [string, Record<string, unknown>, string][] = [
    ['CreateConversation', { AppId: 1, ConversationCoreInfo: { ConversationType: 2 } }, 'InvalidParameter'],
    ['CreateConversation', { AppId: 1, OwnerUserId: 1 }, 'InvalidParameter'],
    ['CreateConversation', { AppId: 1, OwnerUserId: 0, ConversationCoreInfo: { ConversationType: 2 } }, 'InvalidParameter'],
    ['CreateConversation', { AppId: 1, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2, Ext: { a: 1 } } }, 'InvalidParameter'],
    ['CreateConversation', { AppId: 0, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } }, 'InvalidParameter'],
    ['CreateConversation', { AppId: 1, OwnerUserId: 2n ** 63n, ConversationCoreInfo: { ConversationType: 2 } }, 'InvalidParameter'],
    ['BatchGetConversations', { AppId: SEED_APP, ConversationShortId: G }, 'InvalidParameter'],
    ['BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [] }, 'InvalidParameter'],
    ['ModifyConversation', { AppId: SEED_APP, ConversationCoreInfo: { ConversationShortId: G, Name: 5 } }, 'InvalidParameter'],
    ['DestroyConversation', { AppId: SEED_APP, ConversationShortId: G }, 'InvalidParameter'],
    ['GetUserConversations', { AppId: SEED_APP, ParticipantUserId: 30340, Limit: 5 }, 'InvalidParameter'],
    ['GetConversationSetting', { AppId: SEED_APP, ConversationShortId: G, ParticipantUserId: 0 }, 'InvalidParameter'],
    ['GetConversationSetting', { AppId: SEED_APP, ConversationShortId: 1, ParticipantUserId: 30340 }, 'InvalidParameter.NotExistConversation'],
    ['ModifyConversationSetting', { AppId: SEED_APP, ConversationSettingInfo: { ConversationShortId: G, ParticipantUserId: 30341, IsMute: 'yes' } }, 'InvalidParameter'],
    ['BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: G, Operator: 1, ParticipantInfos: [] }, 'InvalidParameter'],
    ['BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: G, ParticipantInfos: [{ ParticipantUserId: 9 }] }, 'InvalidParameter'],
    ['BatchAddConversationParticipant', { AppId: SEED_APP, ConversationShortId: 5, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 9 }] }, 'InvalidParameter.NotExistConversation'],
    ['BatchDeleteConversationParticipant', { AppId: SEED_APP, ConversationShortId: G, Operator: 1, ParticipantUserIds: null }, 'InvalidParameter'],
    ['BatchGetConversationParticipant', { AppId: SEED_APP, ConversationShortId: G, ParticipantUserIds: ['30340'] }, 'InvalidParameter'],
    ['ScanConversationParticipantList', { AppId: SEED_APP, ConversationShortId: G, Cursor: 0 }, 'InvalidParameter'],
    ['IsUserInConversation', { AppId: SEED_APP, ConversationShortId: G, ParticipantUserId: 1.5 }, 'InvalidParameter'],
    ['IsUserInConversation', { AppId: SEED_APP, ConversationShortId: 3, ParticipantUserId: 1 }, 'InvalidParameter.NotExistConversation'],
    ['GetConversationUserCount', { AppId: SEED_APP }, 'InvalidParameter'],
    ['BatchSendMessage', { AppId: SEED_APP, Sender: 30340, Receiver: [30341], MsgType: 'text', Content: 'x' }, 'InvalidParameter'],
  ];
  for (const [action, body, code] of cases) {
    const a = await call(app, action, body);
    t.equal(a.status, 400, `${action} ${JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    t.equal(a.body.ResponseMetadata.Error.Code, code);
    t.equal(a.body.ResponseMetadata.Action, action, 'vendor envelope');
    t.notOk('Result' in a.body);
  }
  t.equal(snapshot(app), before);
});

t.test('Scenario: a team group from creation to its end', async (t) => {
  const app = await makeApp(t);
  const App = 7100;
  // Ann creates the group
  const created = await ok(t, app, 'CreateConversation', { AppId: App, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2, Name: 'Launch' } });
  const id = created.ConversationShortId;
  // she adds Ben and Cat
  const added = await ok(t, app, 'BatchAddConversationParticipant', { AppId: App, ConversationShortId: id, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2, NickName: 'Ben' }, { ParticipantUserId: 3, NickName: 'Cat' }] });
  t.same(added.FailedUserIds, []);
  // the list shows the three of them in the order they joined
  const list = await ok(t, app, 'ScanConversationParticipantList', { AppId: App, ConversationShortId: id, Cursor: 0, Limit: 20 });
  t.same(list.Participants.map((p: any) => [p.ParticipantUserId, p.NickName, p.Role]), [[1, undefined, 1], [2, 'Ben', 0], [3, 'Cat', 0]]);
  t.equal((await ok(t, app, 'GetConversationUserCount', { AppId: App, ConversationShortId: id })).Count, 3);
  // she renames it and pins a notice
  await ok(t, app, 'ModifyConversation', { AppId: App, ConversationCoreInfo: { ConversationShortId: id, Name: 'Launch v2', Notice: 'Friday' } });
  const info = (await ok(t, app, 'BatchGetConversations', { AppId: App, ConversationShortId: [id] })).ConversationCoreInfos[0];
  t.same([info.Name, info.Notice], ['Launch v2', 'Friday']);
  // Ben mutes it, and his settings say so
  await ok(t, app, 'ModifyConversationSetting', { AppId: App, ConversationSettingInfo: { ConversationShortId: id, ParticipantUserId: 2, IsMute: true } });
  t.equal((await ok(t, app, 'GetConversationSetting', { AppId: App, ConversationShortId: id, ParticipantUserId: 2 })).ConversationSettingInfo.IsMute, true);
  // Ben cannot dissolve it
  await fails(t, app, 'DestroyConversation', { AppId: App, ConversationShortId: id, OwnerUserId: 2 }, 403, 'AccessDenied');
  t.equal((await ok(t, app, 'GetConversationUserCount', { AppId: App, ConversationShortId: id })).Count, 3, 'still there');
  // Ann can
  await ok(t, app, 'DestroyConversation', { AppId: App, ConversationShortId: id, OwnerUserId: 1 });
  await fails(t, app, 'GetConversationUserCount', { AppId: App, ConversationShortId: id }, 400, 'InvalidParameter.NotExistConversation');
  t.same((await ok(t, app, 'GetUserConversations', { AppId: App, ParticipantUserId: 3, Cursor: 0, Limit: 20 })).ConversationInfos, [], 'gone from Cat\'s list');
});

t.test('A created conversation survives a restart on the same data file, ids exact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-conv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const clock = new MockClock(() => START_MS);
  const first = await buildApp({ seed: 3, rateLimit: 0, clock, data });
  await first.ready();
  const created = await ok(t, first, 'CreateConversation', { AppId: 7200, OwnerUserId: 1, IdempotentId: 'keep', ConversationCoreInfo: { ConversationType: 2, Name: 'kept', Ext: { a: 'b' } } });
  await ok(t, first, 'BatchAddConversationParticipant', { AppId: 7200, ConversationShortId: created.ConversationShortId, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 9007199254740993n, ReadIndex: 4 }] });
  const sent = await ok(t, first, 'BatchSendMessage', { AppId: 7200, Sender: 1, Receiver: [2], MsgType: 10001, Content: 'x' });
  await first.close();

  const second = await buildApp({ seed: 3, rateLimit: 0, clock, data });
  await second.ready();
  t.teardown(() => second.close());
  const got = await ok(t, second, 'BatchGetConversations', { AppId: 7200, ConversationShortId: [created.ConversationShortId], SkipMemberCount: false });
  t.same(got.ConversationCoreInfos, [created.ConversationInfo && { ...created.ConversationInfo, MemberCount: 2 }]);
  t.ok(got.ConversationCoreInfos[0].ConversationShortId > BIG);
  t.equal(got.ConversationCoreInfos[0].ConversationShortId, created.ConversationShortId, 'id exact');
  t.equal((await ok(t, second, 'GetConversationSetting', { AppId: 7200, ConversationShortId: created.ConversationShortId, ParticipantUserId: 9007199254740993n })).ConversationSettingInfo.ReadIndex, 4);
  const again = await ok(t, second, 'CreateConversation', { AppId: 7200, OwnerUserId: 1, IdempotentId: 'keep', ConversationCoreInfo: { ConversationType: 2 } });
  t.equal(again.Exist, true, 'the IdempotentId index is rebuilt from the file');
  const pair = await oneToOne(t, second, 7200, 2n, 1n);
  t.equal(pair.Exist, true, 'the pair index is rebuilt from the file');
  const msgId = sent.UserMessageId['2'];
  const conv = second.mock.store.conversation(7200, BigInt(pair.ConversationShortId))!;
  t.equal(second.mock.store.message(conv, msgId)?.messageId, msgId, 'MessageId exact');
});

t.test('review fixes: a dissolved one-to-one frees its pair; a re-add never lowers a read position', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [
    { AppId: 9101, ConversationShortId: 1800000000000000001n, ConversationType: 1, OwnerUserId: 1, OtherUserId: 2, Status: 1,
      Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 2 }] },
    { AppId: 9101, ConversationShortId: 1800000000000000002n, ConversationType: 2, OwnerUserId: 1,
      Participants: [{ ParticipantUserId: 1, Role: 1 }, { ParticipantUserId: 3, ReadIndex: 5 }] },
  ] } });
  const create = () => ok(t, app, 'CreateConversation', { AppId: 9101, OwnerUserId: 1, OtherUserId: 2, ConversationCoreInfo: { ConversationType: 1 } });
  const first = await create();
  t.not(first.ConversationShortId, 1800000000000000001n, 'a new conversation, not the dissolved one');
  t.equal(first.Exist, false);
  const second = await create();
  t.equal(second.ConversationShortId, first.ConversationShortId, 'the pair now finds the new one');
  const sent = await ok(t, app, 'BatchSendMessage', { AppId: 9101, Sender: 1, Receiver: [2], MsgType: 10001, Content: 'hi' });
  t.same(sent.FailedReceiver ?? [], [], 'BatchSendMessage reaches the receiver');

  await ok(t, app, 'BatchAddConversationParticipant', { AppId: 9101, ConversationShortId: 1800000000000000002n, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 3, ReadIndex: 0 }] });
  const idx = await ok(t, app, 'GetParticipantReadIndex', { AppId: 9101, ConversationShortId: 1800000000000000002n });
  t.equal(String(idx.ReadIndexes.find((r: any) => String(r.ParticipantUserId) === '3')?.ReadIndex), '5', 'ReadIndex stays 5');
});
