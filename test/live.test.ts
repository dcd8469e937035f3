// Live groups (mock-contract §10): block, whitelist, managers, member marks and profiles, live participant status,
// conversation marks, BatchSendGroupMessage; their state in /_mock/state, the data file and reset; each action through
// the vendor's Node SDK too.
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { call, fails, makeApp, ok, snapshot } from './helpers.js';

type App = FastifyInstance;
const NOW = 1_767_225_600_000;
const NOW_S = NOW / 1000;

async function conversation(t: Test, app: App, appId: number, owner: number, members: number[], type = 100): Promise<bigint> {
  const r = await ok(t, app, 'CreateConversation', { AppId: appId, OwnerUserId: owner, ConversationCoreInfo: { ConversationType: type, Name: 'live' } });
  const id = BigInt(r.ConversationShortId);
  if (members.length) {
    const add = await ok(t, app, 'BatchAddConversationParticipant', {
      AppId: appId, ConversationShortId: id, Operator: owner, ParticipantInfos: members.map((u) => ({ ParticipantUserId: u })),
    });
    t.same(add.FailedUserIds, [], 'members added');
  }
  return id;
}

async function control(app: App, method: string, url: string, body?: unknown) {
  const res = await app.inject({
    method: method as 'POST', url, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    payload: body === undefined ? undefined : stringifyJson(body),
  });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined };
}

const blocked = async (t: Test, app: App, appId: number, id: bigint, action: number) =>
  (await ok(t, app, 'BatchGetBlockParticipants', { AppId: appId, ConversationShortId: id, Cursor: 0, Limit: 20, BlockAction: action })).Participants;

/** A call that must be refused 400 with this Code and change nothing. */
async function refusedUnchanged(t: Test, app: App, action: string, body: unknown, code = 'InvalidParameter') {
  const before = snapshot(app);
  await fails(t, app, action, body, 400, code);
  t.equal(snapshot(app), before, `${action}: state unchanged`);
}

t.test('mute and ban end by the mock clock: listed, then not; a ban removes the member and refuses re-adding', async (t) => {
  const app = await makeApp(t);
  const A = 7501;
  const id = await conversation(t, app, A, 1, [2, 3, 4, 5]);
  t.same(await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: id, ParticipantBlockInfos: { 3: 0, 2: 60, 99: 60, 1: 60 } }),
    { FailedParticipantUserIds: [1, 99] }, 'the owner cannot be muted, nor a non-member (in the map\'s order: numeric keys ascending)');
  t.same(await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: id, BlockAction: 1, ParticipantBlockInfos: { 4: 60, 98: 0, 1: 0 } }),
    { FailedParticipantUserIds: [1] }, 'a ban needs no membership; the owner cannot be banned');
  const muted = await blocked(t, app, A, id, 0);
  t.same(muted.map((p: any) => [p.ParticipantUserId, p.BlockTime, p.CreateTime]), [[2, NOW_S + 60, NOW_S], [3, 0, NOW_S]], 'muted, ascending, BlockTime = until');
  t.same(Object.keys(muted[0]).sort(), ['AvatarUrl', 'BlockTime', 'CreateTime', 'Ext', 'Marks', 'NickName', 'ParticipantUserId']);
  t.same((await blocked(t, app, A, id, 1)).map((p: any) => p.ParticipantUserId), [4, 98], 'banned');
  t.same(await ok(t, app, 'IsUserInConversation', { AppId: A, ConversationShortId: id, ParticipantUserId: 4 }), { IsUserInConversation: false }, 'the ban removed 4');
  const readd = { AppId: A, ConversationShortId: id, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 4 }, { ParticipantUserId: 6 }] };
  t.same((await ok(t, app, 'BatchAddConversationParticipant', readd)).FailedUserIds, [4], 'a banned user is refused, the others added');
  t.same((await ok(t, app, 'SendMessage', { AppId: A, ConversationShortId: id, Sender: 2, MsgType: 10001, Content: '{}' })).MessageId > 0n, true, 'server sends ignore mutes');

  t.equal((await control(app, 'POST', '/_mock/clock', { AdvanceMs: 60_000 })).status, 200);
  t.same((await blocked(t, app, A, id, 0)).map((p: any) => p.ParticipantUserId), [3], 'the 60 s mute has ended at its BlockTime');
  t.same((await blocked(t, app, A, id, 1)).map((p: any) => p.ParticipantUserId), [98], 'the 60 s ban has ended');
  t.same((await ok(t, app, 'BatchAddConversationParticipant', readd)).FailedUserIds, [], 'the ended ban no longer refuses');

  t.same(await ok(t, app, 'BatchDeleteBlockParticipants', { AppId: A, ConversationShortId: id, ParticipantUserIds: [3, 2] }),
    { FailedParticipantUserIds: [2] }, 'an ended mute cannot be lifted');
  t.same(await blocked(t, app, A, id, 0), [], 'unmuted');
  t.same(await ok(t, app, 'BatchDeleteBlockParticipants', { AppId: A, ConversationShortId: id, BlockAction: 1, ParticipantUserIds: [98, 5] }),
    { FailedParticipantUserIds: [5] });
  t.same(await blocked(t, app, A, id, 1), [], 'unbanned');
});

t.test('BatchGetBlockParticipants pages; string users; limits and bad bodies change nothing', async (t) => {
  const app = await makeApp(t);
  const A = 7502;
  const id = await conversation(t, app, A, 1, [2, 3, 4]);
  await ok(t, app, 'BatchAddConversationParticipant', { AppId: A, ConversationShortId: id, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 5, NickName: 'five', Ext: { k: 'v' } }] });
  const r = await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: id, ParticipantBlockInfos: { 5: 10, 4: 10, 3: 10 }, ParticipantBlockInfosStr: { alice: 5 } });
  t.same(r, { FailedParticipantUserIds: [], FailedParticipantUserIdsStr: ['alice'] }, 'a string user who is no member fails in the Str twin');
  const p1 = await ok(t, app, 'BatchGetBlockParticipants', { AppId: A, ConversationShortId: id, Cursor: 0, Limit: 2 });
  t.same([p1.Participants.map((p: any) => p.ParticipantUserId), p1.HasMore], [[3, 4], true]);
  const p2 = await ok(t, app, 'BatchGetBlockParticipants', { AppId: A, ConversationShortId: id, Cursor: p1.NextCursor, Limit: 2 });
  t.same([p2.Participants.map((p: any) => p.ParticipantUserId), p2.HasMore, p2.NextCursor], [[5], false, -1]);
  t.same([p2.Participants[0].NickName, p2.Participants[0].Ext], ['five', { k: 'v' }], 'the member profile');
  const base = { AppId: A, ConversationShortId: id };
  for (const body of [
    { ...base, ParticipantBlockInfos: {} },
    { ...base, ParticipantBlockInfos: { abc: 1 } },
    { ...base, ParticipantBlockInfos: { 0: 1 } },
    { ...base, ParticipantBlockInfos: { 2: -1 } },
    { ...base, ParticipantBlockInfos: { 2: 9223372036854775807n } },
    { ...base, ParticipantBlockInfos: { 2: 1 }, BlockAction: 2 },
    { ...base, ParticipantBlockInfos: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [String(i + 1), 1])) },
    { AppId: A, ParticipantBlockInfos: { 2: 1 } },
  ]) await refusedUnchanged(t, app, 'BatchAddBlockParticipants', body);
  for (const body of [{ ...base, ParticipantUserIds: [] }, { ...base, ParticipantUserIds: Array.from({ length: 101 }, (_, i) => i + 1) }, { ...base, ParticipantUserIds: [0] }]) {
    await refusedUnchanged(t, app, 'BatchDeleteBlockParticipants', body);
  }
  for (const extra of [{ Limit: 21 }, { Limit: 0 }, { Cursor: -1 }, { BlockAction: 3 }]) {
    await fails(t, app, 'BatchGetBlockParticipants', { ...base, Cursor: 0, Limit: 20, ...extra }, 400, 'InvalidParameter');
  }
});

t.test('whitelist: members only, paged by user id, removal', async (t) => {
  const app = await makeApp(t);
  const A = 7503;
  const id = await conversation(t, app, A, 1, [2, 3, 4]);
  const base = { AppId: A, ConversationShortId: id };
  t.same(await ok(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [4, 2, 99] }), { FailedUserIds: [99] });
  t.same(await ok(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [3], ParticipantUserIdsStr: ['bob'] }),
    { FailedUserIds: [], FailedUserIdsStr: ['bob'] });
  const p1 = await ok(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 2 });
  t.same(p1.Participants.map((p: any) => [p.ParticipantUserId, p.Operator, p.CreateTime]), [[2, 1, NOW_S], [3, 1, NOW_S]]);
  t.equal(p1.HasMore, true);
  const p2 = await ok(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: p1.NextCursor, Limit: 2 });
  t.same([p2.Participants.map((p: any) => p.ParticipantUserId), p2.HasMore, p2.NextCursor], [[4], false, -1], 'NextCursor -1 at the end');
  t.same(await ok(t, app, 'BatchRemoveWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [2, 50] }), { FailedUserIds: [50] });
  t.same((await ok(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 20 })).Participants.map((p: any) => p.ParticipantUserId), [3, 4]);
  await refusedUnchanged(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: Array.from({ length: 101 }, (_, i) => i + 1) });
  await refusedUnchanged(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: null });
  await refusedUnchanged(t, app, 'BatchRemoveWhitelistParticipant', { ...base, ParticipantUserIds: [2] });
  await fails(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 21 }, 400, 'InvalidParameter');
});

t.test('managers: Role 2 wherever members are listed; non-members and the owner fail', async (t) => {
  const app = await makeApp(t);
  const A = 7504;
  const id = await conversation(t, app, A, 1, [2, 3]);
  const base = { AppId: A, ConversationShortId: id };
  t.same(await ok(t, app, 'BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [2, 1, 99] }), { FailedManagerUserIds: [1, 99] });
  const scan = await ok(t, app, 'ScanConversationParticipantList', { ...base, Cursor: 0, Limit: 20 });
  t.same(scan.Participants.map((p: any) => [p.ParticipantUserId, p.Role]), [[1, 1], [2, 2]], 'owner and managers');
  const got = await ok(t, app, 'BatchGetConversationParticipant', { ...base, ParticipantUserIds: [2, 3] });
  t.same(got.Participants.map((p: any) => [p.ParticipantUserId, p.Role]), [[2, 2], [3, 0]]);
  t.same(await ok(t, app, 'BatchRemoveManager', { ...base, Operator: 1, RemoveManagerUserIds: [2, 3] }), { FailedManagerUserIds: [3] }, 'a plain member is no manager');
  t.same((await ok(t, app, 'ScanConversationParticipantList', { ...base, Cursor: 0, Limit: 20 })).Participants.map((p: any) => p.ParticipantUserId), [1]);
  await refusedUnchanged(t, app, 'BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [] });
  await refusedUnchanged(t, app, 'BatchRemoveManager', { ...base, Operator: 1, RemoveManagerUserIds: [2], RemoveManagerUserIdsStr: Array.from({ length: 100 }, (_, i) => `u${i}`) });
});

t.test('BatchModifyConversationParticipant: groups and live groups; the fields given', async (t) => {
  const app = await makeApp(t);
  const A = 7505;
  const id = await conversation(t, app, A, 1, [2, 3], 2);
  const base = { AppId: A, ConversationShortId: id, Operator: 1 };
  const r = await ok(t, app, 'BatchModifyConversationParticipant', { ...base, ParticipantInfos: [
    { ParticipantUserId: 2, Role: 2, NickName: 'two', Level: 7, Ext: { a: 'b' }, BlockTime: NOW_S + 5 },
    { ParticipantUserId: 99, NickName: 'x' },
    { ParticipantUserId: 1, Role: 0 },
    { ParticipantUserId: 3, Role: 1 },
  ] });
  t.same(r, { FailedUserIds: [99, 1, 3] }, 'non-member, demoting the owner, a second owner');
  const got = await ok(t, app, 'BatchGetConversationParticipant', { AppId: A, ConversationShortId: id, ParticipantUserIds: [2, 3] });
  t.match(got.Participants[0], { ParticipantUserId: 2, Role: 2, NickName: 'two', Level: 7, Ext: { a: 'b' }, BlockTime: NOW_S + 5 });
  t.match(got.Participants[1], { ParticipantUserId: 3, Role: 0 });
  const live = await conversation(t, app, A, 1, [2]);
  t.same(await ok(t, app, 'BatchModifyConversationParticipant', { ...base, ConversationShortId: live, ParticipantInfos: [{ ParticipantUserId: 2, Level: 3 }] }), { FailedUserIds: [] });
  const single = await ok(t, app, 'CreateConversation', { AppId: A, OwnerUserId: 1, OtherUserId: 2, ConversationCoreInfo: { ConversationType: 1 } });
  await refusedUnchanged(t, app, 'BatchModifyConversationParticipant', { ...base, ConversationShortId: single.ConversationShortId, ParticipantInfos: [{ ParticipantUserId: 2 }] }, 'InvalidParameter.UnsupportedConversationType');
  await refusedUnchanged(t, app, 'BatchModifyConversationParticipant', { ...base, ParticipantInfos: Array.from({ length: 101 }, (_, i) => ({ ParticipantUserId: i + 1 })) });
  await refusedUnchanged(t, app, 'BatchModifyConversationParticipant', { ...base, ParticipantInfos: [{ ParticipantUserId: 2, Level: 'high' }] });
});

t.test('BatchUpdateLiveParticipants: profile and marks; marks feed the MarkType filter', async (t) => {
  const app = await makeApp(t);
  const A = 7506;
  const id = await conversation(t, app, A, 1, [2, 3]);
  const base = { AppId: A, ConversationShortId: id };
  const r = await ok(t, app, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [
    { UserId: 2, AvatarUrl: 'https://a/2.png', NickName: 'two', Marks: ['vip', 'red'] },
    { UserId: 1, Ext: { lvl: '9' }, Marks: ['vip'] },
    { UserId: 99, NickName: 'x' },
    { UserId: 3, Marks: ['vip'] },
  ] });
  t.same(r.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[99, 'ParticipantNotInConversation'], [3, 'InvalidParameter']]);
  t.ok(r.FailedInfos.every((f: any) => typeof f.Message === 'string' && f.Message.length > 0));
  await ok(t, app, 'BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [2] });
  const scan = async (mark: string) => (await ok(t, app, 'ScanConversationParticipantList', { ...base, Cursor: 0, Limit: 20, MarkType: mark })).Participants;
  const vip = await scan('vip');
  t.same(vip.map((p: any) => p.ParticipantUserId), [1, 2], 'MarkType keeps the listed members that carry it');
  t.match(vip[1], { AvatarUrl: 'https://a/2.png', NickName: 'two', Marks: ['vip', 'red'] });
  t.same((await scan('red')).map((p: any) => p.ParticipantUserId), [2]);
  await ok(t, app, 'BatchUpdateLiveParticipants', { ...base, MarkAction: 2, ParticipantInfos: [{ UserId: 2, NickName: 'two', Marks: ['red'] }] });
  t.same(await scan('red'), [], 'mark removed');
  t.same((await ok(t, app, 'ScanConversationParticipantList', { ...base, Cursor: 0, Limit: 20, ScanOnlineParticipant: true })).Participants, [],
    'online listing: nobody online until presence says so (src/actions/online.ts)');
  await refusedUnchanged(t, app, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: Array.from({ length: 11 }, () => ({ UserId: 2, NickName: 'n' })) });
  await refusedUnchanged(t, app, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [] });
  await refusedUnchanged(t, app, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [{ UserId: 0, NickName: 'n' }] });
  await refusedUnchanged(t, app, 'BatchUpdateLiveParticipants', { ...base, MarkAction: 3, ParticipantInfos: [{ UserId: 2, NickName: 'n' }] });
});

t.test('QueryLiveParticipantStatus: in the order asked, the first 200', async (t) => {
  const app = await makeApp(t);
  const A = 7507;
  const id = await conversation(t, app, A, 1, [2]);
  const r = await ok(t, app, 'QueryLiveParticipantStatus', { AppId: A, ConversationShortId: id, ParticipantUserIds: [99, 2, 2] });
  t.same(r.Status, [
    { AppId: A, ConversationShortId: id, ParticipantUserId: 99, IsInConversation: false, CreateTime: 0 },
    { AppId: A, ConversationShortId: id, ParticipantUserId: 2, IsInConversation: true, CreateTime: NOW_S },
  ]);
  const many = await ok(t, app, 'QueryLiveParticipantStatus', { AppId: A, ConversationShortId: id, ParticipantUserIds: Array.from({ length: 250 }, (_, i) => i + 1) });
  t.equal(many.Status.length, 200, 'more than 200 are ignored, as documented');
  t.equal(many.Status[199].ParticipantUserId, 200);
  await fails(t, app, 'QueryLiveParticipantStatus', { AppId: A, ConversationShortId: id, ParticipantUserIds: [] }, 400, 'InvalidParameter');
  await fails(t, app, 'QueryLiveParticipantStatus', { AppId: A, ConversationShortId: id, ParticipantUserIds: ['2'] }, 400, 'InvalidParameter');
});

t.test('MarkConversation / GetConversationMarks: add, remove, at most 20', async (t) => {
  const app = await makeApp(t);
  const A = 7508;
  const id = await conversation(t, app, A, 1, []);
  const base = { AppId: A, ConversationShortId: id };
  t.same(await ok(t, app, 'MarkConversation', { ...base, MarkTypes: ['hot', 'new', 'hot'] }), {});
  t.same(await ok(t, app, 'GetConversationMarks', base), { MarkTypes: ['hot', 'new'] });
  await ok(t, app, 'MarkConversation', { ...base, MarkTypes: ['hot', 'gone'], MarkAction: 2 });
  t.same(await ok(t, app, 'GetConversationMarks', base), { MarkTypes: ['new'] });
  await ok(t, app, 'MarkConversation', { ...base, MarkTypes: Array.from({ length: 19 }, (_, i) => `m${i}`) });
  t.equal((await ok(t, app, 'GetConversationMarks', base)).MarkTypes.length, 20);
  await refusedUnchanged(t, app, 'MarkConversation', { ...base, MarkTypes: ['one-too-many'] });
  await refusedUnchanged(t, app, 'MarkConversation', { ...base, MarkTypes: Array.from({ length: 21 }, (_, i) => `x${i}`), MarkAction: 2 });
  await refusedUnchanged(t, app, 'MarkConversation', { ...base, MarkTypes: [] });
  await refusedUnchanged(t, app, 'MarkConversation', { ...base, MarkTypes: [''] });
  await refusedUnchanged(t, app, 'MarkConversation', { ...base, MarkTypes: ['a'], MarkAction: 0 });
});

t.test('every live-group action: another ConversationType is UnsupportedConversationType; a missing conversation is NotExistConversation', async (t) => {
  const app = await makeApp(t);
  const A = 7509;
  const group = await conversation(t, app, A, 1, [2], 2);
  const bodies: Record<string, Record<string, unknown>> = {
    BatchAddBlockParticipants: { ParticipantBlockInfos: { 2: 1 } },
    BatchDeleteBlockParticipants: { ParticipantUserIds: [2] },
    BatchGetBlockParticipants: { Cursor: 0, Limit: 20 },
    BatchAddWhitelistParticipant: { Operator: 1, ParticipantUserIds: [2] },
    BatchRemoveWhitelistParticipant: { Operator: 1, ParticipantUserIds: [2] },
    BatchGetWhitelistParticipant: { Cursor: 0, Limit: 20 },
    BatchAddManager: { Operator: 1, ManagerUserIds: [2] },
    BatchRemoveManager: { Operator: 1, RemoveManagerUserIds: [2] },
    BatchUpdateLiveParticipants: { ParticipantInfos: [{ UserId: 2, NickName: 'n' }] },
    QueryLiveParticipantStatus: { ParticipantUserIds: [2] },
    MarkConversation: { MarkTypes: ['m'] },
    GetConversationMarks: {},
  };
  for (const [action, body] of Object.entries(bodies)) {
    await refusedUnchanged(t, app, action, { AppId: A, ConversationShortId: group, ...body }, 'InvalidParameter.UnsupportedConversationType');
    await fails(t, app, action, { AppId: A, ConversationShortId: 42, ...body }, 400, 'InvalidParameter.NotExistConversation');
  }
});

t.test('BatchSendGroupMessage into 20 conversations gives exactly what 20 SendMessage calls give', async (t) => {
  // two emulators with the same seed and clock, the same 20 groups; one sends by BatchSendGroupMessage, the other by SendMessage
  const apps = [await makeApp(t), await makeApp(t)];
  const A = 7510;
  const ids: bigint[][] = [[], []];
  for (const [k, app] of apps.entries()) {
    for (let i = 0; i < 20; i++) {
      const id = await conversation(t, app, A, 1, [2, 3], 2);
      await ok(t, app, 'SendMessage', { AppId: A, ConversationShortId: id, Sender: 2, MsgType: 10001, Content: '{"text":"before"}' });
      ids[k].push(id);
    }
  }
  t.same(ids[0], ids[1], 'the same conversations in both');
  const message = { MsgType: 10001, Content: '{"text":"to all"}', Ext: { k: 'v' }, MentionedUsers: [2], InvisibleUsers: [3] };
  const batch = await ok(t, apps[0], 'BatchSendGroupMessage', { AppId: A, Sender: 1, ConversationType: 2, ConversationShortIds: ids[0], ...message });
  t.same(batch.FailedConversationShortIds, []);
  const single: Record<string, bigint> = {};
  for (const id of ids[1]) single[String(id)] = (await ok(t, apps[1], 'SendMessage', { AppId: A, ConversationShortId: id, Sender: 1, ...message })).MessageId;
  t.same(Object.keys(batch.ConversationMessageId), Object.keys(single), 'one message into each conversation');
  // MessageIds are drawn from the seeded generator that RequestIds also draw from, so they differ between the two runs;
  // with each batch MessageId written as its SendMessage twin (in one pass: one run's ids reappear in the other's), the
  // two worlds are the same
  const twin = new Map(Object.entries(batch.ConversationMessageId).map(([conv, id]) => [String(id), String(single[conv])]));
  const asSingle = (text: string) => text.replace(/\d{19}/g, (d) => twin.get(d) ?? d);
  t.equal(asSingle(snapshot(apps[0])), snapshot(apps[1]), 'the same state: indexes, read positions, messages, visibility');
  for (const id of ids[0].slice(0, 3)) {
    const messageId = single[String(id)];
    const [a, b] = await Promise.all(apps.map(async (app) => ({
      messages: await ok(t, app, 'GetConversationMessages', { AppId: A, ConversationShortId: id, Cursor: 0, Limit: 20 }),
      read: await ok(t, app, 'GetParticipantReadIndex', { AppId: A, ConversationShortId: id }),
    })));
    t.equal(asSingle(stringifyJson(a)), stringifyJson(b), 'indexes and read positions read back alike');
    const sent = b.messages.Messages.find((m: any) => m.MessageId === messageId);
    const prior = b.messages.Messages.find((m: any) => m.MessageId !== messageId);
    t.ok(BigInt(sent.IndexInConversation) > BigInt(prior.IndexInConversation), 'after the earlier message');
    const own = b.read.ReadIndexes.find((r: any) => r.ParticipantUserId === 1);
    t.equal(String(own.ReadIndex), String(sent.IndexInConversation), 'the sender has read its own message');
  }
  const receipts = await Promise.all([batch.ConversationMessageId, single].map((sent, k) =>
    ok(t, apps[k], 'GetMessagesReadReceipt', { AppId: A, ConversationShortId: ids[0][0], MessageIds: [sent[String(ids[0][0])]] })));
  t.same(receipts[0].ReadReceipt[0].UnReadUserIds, receipts[1].ReadReceipt[0].UnReadUserIds, 'the same read receipt');
  t.same(receipts[0].ReadReceipt[0].ReadUserIds, receipts[1].ReadReceipt[0].ReadUserIds);
  t.same(receipts[0].ReadReceipt[0].UnReadUserIds, [2, 3]);
});

t.test('BatchSendGroupMessage: per-conversation failures; 21 conversations, mixed types, one-to-one refused', async (t) => {
  const app = await makeApp(t);
  const A = 7511;
  const g1 = await conversation(t, app, A, 1, [2], 2);
  const g2 = await conversation(t, app, A, 5, [6], 2);
  const live = await conversation(t, app, A, 1, [2]);
  const body = { AppId: A, Sender: 1, ConversationType: 2, MsgType: 10001, Content: '{}' };
  const r = await ok(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [g1, 424242, g2, g1] });
  t.same(r.FailedConversationShortIds, [424242, g2], 'a missing conversation, and one the Sender is not in');
  t.same(Object.keys(r.ConversationMessageId), [String(g1)], 'sent once into g1');
  const again = await ok(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [g1], ClientMsgId: 'k1' });
  t.same((await ok(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [g1], ClientMsgId: 'k1' })).ConversationMessageId, again.ConversationMessageId, 'ClientMsgId: sent once, as SendMessage');
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: Array.from({ length: 21 }, () => g1) });
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [g1, live] });
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationType: 100, ConversationShortIds: [live, g1] });
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationType: 1, ConversationShortIds: [g1] }, 'InvalidParameter.UnsupportedConversationType');
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [] });
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, ConversationShortIds: [g1], Priority: 3 });
  await refusedUnchanged(t, app, 'BatchSendGroupMessage', { ...body, Content: undefined, ConversationShortIds: [g1] });
});

const LIVE_DOC = (id: bigint) => ({ Conversations: [{
  AppId: 7512, ConversationShortId: id, ConversationType: 100, OwnerUserId: 1,
  Participants: [{ ParticipantUserId: 1, Role: 1 }, { ParticipantUserId: 2, Role: 2, AvatarUrl: 'a.png', Marks: ['vip'] }, { ParticipantUserIdStr: 'eve' }],
  Blocks: [{ ParticipantUserId: 2, BlockAction: 0, BlockTime: NOW_S + 100, CreateTime: NOW_S }, { ParticipantUserId: 9, BlockAction: 1, BlockTime: 0, CreateTime: NOW_S }],
  Whitelist: [{ ParticipantUserIdStr: 'eve', Operator: 1, CreateTime: NOW_S }],
  MarkTypes: ['hot'],
}] });

t.test('live state rides on its conversation: fixtures, GET/PUT /_mock/state, reset', async (t) => {
  const id = 1_800_000_000_000_000_001n;
  const app = await makeApp(t, { fixtureDoc: LIVE_DOC(id) });
  const base = { AppId: 7512, ConversationShortId: id };
  t.same((await blocked(t, app, 7512, id, 1)).map((p: any) => p.ParticipantUserId), [9], 'ban from the fixture');
  t.same((await ok(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 20 })).Participants.length, 1);
  t.same(await ok(t, app, 'GetConversationMarks', base), { MarkTypes: ['hot'] });
  const state = (await control(app, 'GET', '/_mock/state?AppId=7512')).body;
  t.match(state.Conversations[0], { Blocks: LIVE_DOC(id).Conversations[0].Blocks, Whitelist: LIVE_DOC(id).Conversations[0].Whitelist, MarkTypes: ['hot'] });
  t.match(state.Conversations[0].Participants[1], { ParticipantUserId: 2, Role: 2, AvatarUrl: 'a.png', Marks: ['vip'] });
  await ok(t, app, 'MarkConversation', { ...base, MarkTypes: ['cold'] });
  await ok(t, app, 'BatchDeleteBlockParticipants', { ...base, BlockAction: 1, ParticipantUserIds: [9] });
  const changed = (await control(app, 'GET', '/_mock/state')).body;
  const other = await makeApp(t, { fixtureDoc: { Conversations: [] } });
  t.equal((await control(other, 'PUT', '/_mock/state', changed)).status, 200);
  t.equal(snapshot(other), snapshot(app), 'a state exported and imported is the same world');
  t.same(await ok(t, other, 'GetConversationMarks', base), { MarkTypes: ['hot', 'cold'] });
  t.equal((await control(app, 'POST', '/_mock/reset')).status, 200);
  t.same(await ok(t, app, 'GetConversationMarks', base), { MarkTypes: ['hot'] }, 'reset: back to the fixture');
  t.same((await blocked(t, app, 7512, id, 1)).map((p: any) => p.ParticipantUserId), [9]);
  const bad = LIVE_DOC(id);
  (bad.Conversations[0].Blocks[0] as any).BlockAction = 2;
  const kept = snapshot(other);
  t.equal((await control(other, 'PUT', '/_mock/state', bad)).status, 400, 'a bad BlockAction is refused');
  t.equal(snapshot(other), kept, 'and changes nothing');
});

t.test('live state survives the data file and its change log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const open = async () => {
    const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), data, flushIntervalMs: 60_000, fixtureDoc: { Conversations: [] } });
    await app.ready();
    return app;
  };
  const first = await open();
  const id = await conversation(t, first, 7513, 1, [2, 3]);
  await first.mock.store.flush(); // the snapshot holds the conversation; what follows goes to the change log
  const base = { AppId: 7513, ConversationShortId: id };
  await ok(t, first, 'BatchAddBlockParticipants', { ...base, BlockAction: 1, ParticipantBlockInfos: { 3: 0 } });
  await ok(t, first, 'BatchAddBlockParticipants', { ...base, ParticipantBlockInfos: { 2: 30 } });
  await ok(t, first, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [2] });
  await ok(t, first, 'BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [2] });
  await ok(t, first, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [{ UserId: 2, AvatarUrl: 'x.png', Marks: ['m'] }] });
  await ok(t, first, 'MarkConversation', { ...base, MarkTypes: ['hot'] });
  const before = snapshot(first);
  t.match(before, /"Blocks"/);
  await first.close();
  const second = await open();
  t.teardown(() => second.close());
  t.equal(snapshot(second), before, 'reloaded from the file and its log');
  t.same((await blocked(t, second, 7513, id, 1)).map((p: any) => p.ParticipantUserId), [3]);
});

// ---- the vendor's Node SDK over real HTTP ----

for (const name of ['VOLC_ACCESSKEY', 'VOLC_SECRETKEY', 'VOLC_PROXY_PORT', 'VOLC_PROXY_HOST']) delete process.env[name];
const { Service } = await import('@volcengine/openapi');

t.test('every live-group action through the vendor Node SDK', async (t) => {
  const app = await makeApp(t, { clock: new MockClock() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const service = new Service({
    host: `127.0.0.1:${(app.server.address() as AddressInfo).port}`, protocol: 'http:', region: 'cn-north-1', serviceName: 'rtc',
    accessKeyId: 'AKLTlive', secretKey: 'live-secret',
  });
  const sdk = async (action: string, body: unknown) => {
    const api = service.createJSONAPI(action, { Version: '2020-12-01' });
    const a = await api(stringifyJson(body) as any, { Action: action, transformResponse: [(d: string) => parseJson(d)] }) as any;
    t.equal(a.ResponseMetadata.Error, undefined, `${action}: no error`);
    return a.Result;
  };
  const A = 7514;
  const live = BigInt((await sdk('CreateConversation', { AppId: A, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 100 } })).ConversationInfo.ConversationShortId);
  const group = BigInt((await sdk('CreateConversation', { AppId: A, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } })).ConversationInfo.ConversationShortId);
  const base = { AppId: A, ConversationShortId: live };
  await sdk('BatchAddConversationParticipant', { ...base, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2 }, { ParticipantUserId: 3 }] });
  await sdk('BatchAddConversationParticipant', { AppId: A, ConversationShortId: group, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2 }] });
  t.same(await sdk('BatchAddBlockParticipants', { ...base, ParticipantBlockInfos: { 2: 60, 77: 60 } }), { FailedParticipantUserIds: [77] });
  t.same((await sdk('BatchGetBlockParticipants', { ...base, Cursor: 0, Limit: 20 })).Participants.map((p: any) => p.ParticipantUserId), [2]);
  t.same(await sdk('BatchDeleteBlockParticipants', { ...base, ParticipantUserIds: [2] }), { FailedParticipantUserIds: [] });
  t.same(await sdk('BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [3] }), { FailedUserIds: [] });
  t.same((await sdk('BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 20 })).NextCursor, -1);
  t.same(await sdk('BatchRemoveWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [3] }), { FailedUserIds: [] });
  t.same(await sdk('BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [3] }), { FailedManagerUserIds: [] });
  t.same(await sdk('BatchRemoveManager', { ...base, Operator: 1, RemoveManagerUserIds: [3] }), { FailedManagerUserIds: [] });
  t.same(await sdk('BatchModifyConversationParticipant', { ...base, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 3, NickName: 'c' }] }), { FailedUserIds: [] });
  t.same(await sdk('BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [{ UserId: 3, NickName: 'c', Marks: ['m'] }] }), { FailedInfos: [] });
  t.same((await sdk('QueryLiveParticipantStatus', { ...base, ParticipantUserIds: [3] })).Status[0].IsInConversation, true);
  t.same(await sdk('MarkConversation', { ...base, MarkTypes: ['hot'] }), {});
  t.same(await sdk('GetConversationMarks', base), { MarkTypes: ['hot'] });
  const sent = await sdk('BatchSendGroupMessage', { AppId: A, Sender: 1, ConversationType: 2, ConversationShortIds: [group], MsgType: 10001, Content: '{}' });
  t.equal(typeof sent.ConversationMessageId[String(group)], 'bigint', 'a MessageId above 2^53, exact');
  t.same(sent.FailedConversationShortIds, []);
});

t.test('a live group holds at most 10,000 blocks of each kind and 10,000 whitelist entries; past that an add fails for those users', async (t) => {
  const id = 1_800_000_000_000_000_099n;
  const doc = { Conversations: [{
    AppId: 7512, ConversationShortId: id, ConversationType: 100, OwnerUserId: 1,
    Participants: [{ ParticipantUserId: 1, Role: 1 }, { ParticipantUserId: 2 }, { ParticipantUserId: 3 }],
    Blocks: Array.from({ length: 10_000 }, (_, i) => ({ ParticipantUserId: 100_000 + i, BlockAction: 1, BlockTime: 0, CreateTime: NOW_S })),
    Whitelist: Array.from({ length: 9_999 }, (_, i) => ({ ParticipantUserId: 200_000 + i, Operator: 1, CreateTime: NOW_S })),
  }] };
  const app = await makeApp(t, { fixtureDoc: doc });
  const base = { AppId: 7512, ConversationShortId: id };
  const ban = await ok(t, app, 'BatchAddBlockParticipants', { ...base, BlockAction: 1, ParticipantBlockInfos: { 5: 0, 100000: 60 } });
  t.same(ban.FailedParticipantUserIds, [5], 'a new ban past 10,000 fails; a ban already held is renewed');
  const white = await ok(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [2, 3] });
  t.same(white.FailedUserIds, [3], 'one place left on the whitelist: the second user fails');
  const page = await ok(t, app, 'BatchGetWhitelistParticipant', { ...base, Cursor: 0, Limit: 20 });
  t.ok(page.Participants.some((p: any) => BigInt(p.ParticipantUserId) === 2n), 'the first one is on it');
});
