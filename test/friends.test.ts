// Friends and blacklists (mock-contract §9): AddFriend, DeleteFriend, UpdateFriend, ListFriend, IsFriend,
// AddBlackList, RemoveBlackList, UpdateBlackList, GetBlackList, IsInBlackList.
import t from 'tap';
import { fails, ok } from './helpers.js';
import { serveSdk, world } from './sdk-client.js';

const APP = 830001;
const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
const s = (v: unknown) => String(v);

t.test('friends through the SDK', async (t) => {
  const { app, sdk } = await serveSdk(t);
  let a = await sdk('AddFriend', { AppId: APP, UserId: 1, FriendUserIds: [2, 9007199254740993n, 1, 2], Ext: { from: 'app' } });
  t.same(a.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[1n, 'InvalidParameter']], 'yourself fails, the others are added');
  app.mock.clock.set(1_767_225_601_000);
  a = await sdk('AddFriend', { AppId: APP, UserId: 2, FriendUserIds: [1, 3] });
  t.same(a.Result.FailedInfos, [], 'already friends is a success');
  a = await sdk('IsFriend', { AppId: APP, UserId: 2, FriendUserIds: [1, 3, 4] });
  t.same(a.Result.Infos, [{ FriendUserId: 1n, IsFriend: true }, { FriendUserId: 3n, IsFriend: true }, { FriendUserId: 4n, IsFriend: false }]);
  a = await sdk('ListFriend', { AppId: APP, UserId: 1, NeedTotal: true });
  t.same(a.Result, {
    FriendInfos: [
      { FriendUserId: 2n, Alias: '', Ext: { from: 'app' }, ApplyTime: 1767225600000n, CreateTime: 1767225600000n, ModifyTime: 1767225600000n },
      { FriendUserId: 9007199254740993n, Alias: '', Ext: { from: 'app' }, ApplyTime: 1767225600000n, CreateTime: 1767225600000n, ModifyTime: 1767225600000n },
    ],
    HasMore: false, NextCursor: -1n, TotalCount: 2n,
  }, 'oldest first; Ext is the adder side');
  t.same((await sdk('ListFriend', { AppId: APP, UserId: 2 })).Result.FriendInfos.map((f: any) => [f.FriendUserId, f.Ext]), [[1n, {}], [3n, {}]], 'the other side has its own (empty) Ext');
  a = await sdk('UpdateFriend', { AppId: APP, UserId: 2, FriendInfos: [{ FriendUserId: 1, Alias: 'one', Ext: { a: '1' } }, { FriendUserId: 4, Alias: 'x' }, { FriendUserId: 3 }] });
  t.same(a.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[4n, 'NotFriend'], [3n, 'InvalidParameter']]);
  await sdk('UpdateFriend', { AppId: APP, UserId: 2, FriendInfos: [{ FriendUserId: 1, Ext: { b: '2' } }] });
  const two = (await sdk('ListFriend', { AppId: APP, UserId: 2 })).Result.FriendInfos[0];
  t.same([two.Alias, two.Ext, two.ModifyTime], ['one', { a: '1', b: '2' }, 1767225601000n], 'Alias kept, Ext merged');
  t.same((await sdk('ListFriend', { AppId: APP, UserId: 1 })).Result.FriendInfos[0].Alias, '', 'each side has its own Alias');
  a = await sdk('DeleteFriend', { AppId: APP, UserId: 1, DeleteUserIds: [2, 77] });
  t.same(a.Result.FailedInfos, [], 'not friends is a no-op');
  t.same((await sdk('IsFriend', { AppId: APP, UserId: 2, FriendUserIds: [1] })).Result.Infos[0].IsFriend, false, 'both sides removed');
  t.same((await sdk('IsFriend', { AppId: APP, UserId: 1, FriendUserIds: [2], InboxType: 1 })).Result.Infos[0].IsFriend, false);
  await sdk('AddFriend', { AppId: APP, UserId: 5, FriendUserIds: [6], InboxType: 3 });
  t.same((await sdk('IsFriend', { AppId: APP, UserId: 5, FriendUserIds: [6] })).Result.Infos[0].IsFriend, false, 'InboxTypes are separate');
  t.same((await sdk('IsFriend', { AppId: APP, UserId: 6, FriendUserIds: [5], InboxType: 3 })).Result.Infos[0].IsFriend, true);
});

t.test('ListFriend pages oldest first; GetBlackList newest first, with FriendUserInfo', async (t) => {
  const { app, sdk } = await serveSdk(t);
  for (const chunk of [range(10, 101), range(10, 111), range(5, 121)]) await ok(t, app, 'AddFriend', { AppId: APP, UserId: 100, FriendUserIds: chunk });
  const seen: string[] = [];
  let cursor: unknown = 0;
  for (let i = 0; i < 5 && Number(cursor) >= 0; i++) {
    const p = await ok(t, app, 'ListFriend', { AppId: APP, UserId: 100, Cursor: cursor, Limit: 10 });
    seen.push(...p.FriendInfos.map((f: any) => s(f.FriendUserId)));
    t.equal(p.HasMore, Number(p.NextCursor) >= 0);
    t.equal(p.TotalCount, 0, 'TotalCount only with NeedTotal');
    cursor = p.NextCursor;
  }
  t.same(seen, range(25, 101).map(s), 'every friend once, in the order added');
  t.equal((await ok(t, app, 'ListFriend', { AppId: APP, UserId: 100 })).FriendInfos.length, 20, 'default Limit 20');

  const a = await sdk('AddBlackList', { AppId: APP, UserId: 100, BlackListInfos: [{ BlackListUserId: 101, BlackListUserExt: { why: 'spam' } }, { BlackListUserId: 200 }, { BlackListUserId: 100 }] });
  t.same(a.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[100n, 'InvalidParameter']]);
  app.mock.clock.set(1_767_225_602_000);
  await sdk('AddBlackList', { AppId: APP, UserId: 100, BlackListInfos: [{ BlackListUserId: 300 }, { BlackListUserId: 101, BlackListUserExt: { ignored: 'x' } }] });
  let g = await sdk('GetBlackList', { AppId: APP, UserId: 100, Cursor: 0, Limit: 2, NeedTotal: true });
  t.same(g.Result.BlackListInfos.map((b: any) => b.BlackListUserId), [300n, 200n], 'newest first');
  t.same([g.Result.HasMore, g.Result.NextCursor, g.Result.TotalCount], [true, 2n, 3n]);
  g = await sdk('GetBlackList', { AppId: APP, UserId: 100, Cursor: 2, Limit: 2 });
  t.same(g.Result, {
    BlackListInfos: [{
      BlackListUserId: 101n, BlackListUserExt: { why: 'spam' }, CreateTime: 1767225600000n, ModifyTime: 1767225600000n,
      FriendUserInfo: { FriendUserId: 101n, Alias: '', Ext: {}, ApplyTime: 1767225600000n, CreateTime: 1767225600000n, ModifyTime: 1767225600000n },
    }],
    HasMore: false, NextCursor: -1n, TotalCount: 0n,
  }, 'already blocked is kept as it was; a friend who is blocked stays a friend');
  const u = await sdk('UpdateBlackList', { AppId: APP, UserId: 100, BlackListInfos: [{ BlackListUserId: 101, BlackListUserExt: { more: '1' } }, { BlackListUserId: 999 }] });
  t.same(u.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[999n, 'NotInBlackList']]);
  t.same((await sdk('GetBlackList', { AppId: APP, UserId: 100, Cursor: 2, Limit: 1 })).Result.BlackListInfos[0].BlackListUserExt, { why: 'spam', more: '1' }, 'Ext merged');
  let is = await sdk('IsInBlackList', { AppId: APP, UserId: 100, BlackListUserIds: [101, 102, 300] });
  t.same(is.Result, { IsInBlackListInfos: { 101: true, 102: false, 300: true } });
  t.same((await sdk('IsInBlackList', { AppId: APP, UserId: 101, BlackListUserIds: [100] })).Result.IsInBlackListInfos, { 100: false }, 'one-way');
  const r = await sdk('RemoveBlackList', { AppId: APP, UserId: 100, BlackListUserIds: [101, 555] });
  t.same(r.Result, {});
  is = await sdk('IsInBlackList', { AppId: APP, UserId: 100, BlackListUserIds: [101] });
  t.same(is.Result.IsInBlackListInfos, { 101: false });
  t.same((await sdk('IsFriend', { AppId: APP, UserId: 100, FriendUserIds: [101] })).Result.Infos[0].IsFriend, true);
});

t.test('limits and bad bodies: 400, state unchanged', async (t) => {
  const { app } = await serveSdk(t);
  await ok(t, app, 'AddFriend', { AppId: APP, UserId: 1, FriendUserIds: [2] });
  await ok(t, app, 'AddBlackList', { AppId: APP, UserId: 1, BlackListInfos: [{ BlackListUserId: 3 }] });
  const before = world(app);
  const infos = (n: number) => range(n, 10).map((id) => ({ BlackListUserId: id }));
  const cases: [string, unknown, RegExp][] = [
    ['AddFriend', { AppId: APP, UserId: 1, FriendUserIds: range(11, 10) }, /FriendUserIds: must have 1 to 10 items/],
    ['AddFriend', { AppId: APP, UserId: 1, FriendUserIds: [] }, /FriendUserIds: must have 1 to 10 items/],
    ['AddFriend', { AppId: APP, FriendUserIds: [2] }, /UserId: is required/],
    ['DeleteFriend', { AppId: APP, UserId: 1, DeleteUserIds: range(11, 10) }, /DeleteUserIds: must have 1 to 10 items/],
    ['UpdateFriend', { AppId: APP, UserId: 1, FriendInfos: range(11, 10).map((id) => ({ FriendUserId: id, Alias: 'a' })) }, /FriendInfos: must have 1 to 10 items/],
    ['UpdateFriend', { AppId: APP, UserId: 1, FriendInfos: [{ FriendUserId: 2, Ext: { a: 1 } }] }, /FriendInfos\[0\]\.Ext/],
    ['ListFriend', { AppId: APP, UserId: 1, Limit: 21 }, /Limit: must be from 1 to 20/],
    ['ListFriend', { AppId: APP, UserId: 1, Cursor: -1 }, /Cursor/],
    ['IsFriend', { AppId: APP, UserId: 1, FriendUserIds: range(11, 10) }, /FriendUserIds: must have 1 to 10 items/],
    ['AddBlackList', { AppId: APP, UserId: 1, BlackListInfos: infos(11) }, /BlackListInfos: must have 1 to 10 items/],
    ['AddBlackList', { AppId: APP, UserId: 1, BlackListInfos: [{ BlackListUserId: 0 }] }, /BlackListUserId/],
    ['RemoveBlackList', { AppId: APP, UserId: 1, BlackListUserIds: range(11, 10) }, /BlackListUserIds: must have 1 to 10 items/],
    ['UpdateBlackList', { AppId: APP, UserId: 1, BlackListInfos: infos(11) }, /BlackListInfos: must have 1 to 10 items/],
    ['GetBlackList', { AppId: APP, UserId: 1, Cursor: 0, Limit: 21 }, /Limit: must be from 1 to 20/],
    ['GetBlackList', { AppId: APP, UserId: 1, Limit: 5 }, /Cursor: is required/],
    ['IsInBlackList', { AppId: APP, UserId: 1, BlackListUserIds: range(11, 10) }, /BlackListUserIds: must have 1 to 10 items/],
  ];
  for (const [action, body, message] of cases) {
    const err = await fails(t, app, action, body, 400, 'InvalidParameter');
    t.match(err?.Message, message, `${action}: ${err?.Message}`);
  }
  t.equal(world(app), before, 'no state changed');
  t.same((await ok(t, app, 'AddFriend', { AppId: APP, UserId: 1, FriendUserIds: range(10, 10) })).FailedInfos, [], '10 is allowed');
  t.same((await ok(t, app, 'AddBlackList', { AppId: APP, UserId: 1, BlackListInfos: infos(10) })).FailedInfos, [], '10 is allowed');
  t.equal((await ok(t, app, 'GetBlackList', { AppId: APP, UserId: 1, Cursor: 0, Limit: 20 })).BlackListInfos.length, 11, 'Limit 20 is allowed');
});

t.test('friend and blacklist pages: the ordered index agrees with a list in the order rows were added (property)', async (t) => {
  const { Relations } = await import('../src/store/relations.js');
  const fc = (await import('fast-check')).default;
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), other: fc.integer({ min: 1, max: 40 }), alias: fc.string({ maxLength: 3 }) }),
    fc.record({ kind: fc.constant('delete' as const), other: fc.integer({ min: 1, max: 40 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), (ops, cursor, limit) => {
    const r = new Relations(() => {});
    const model: { other: bigint; alias: string }[] = []; // oldest added first; a replaced row keeps its place
    for (const o of ops) {
      const other = BigInt(o.other);
      const at = model.findIndex((m) => m.other === other);
      const friend = { appId: APP, inboxType: 0, userId: 1n, friendUserId: other, alias: o.kind === 'put' ? o.alias : '', ext: {}, applyTime: 0n, createTime: 0n, modifyTime: 0n };
      const black = { appId: APP, inboxType: 0, userId: 1n, blackListUserId: other, ext: {}, createTime: 0n, modifyTime: 0n };
      if (o.kind === 'put') {
        if (at >= 0) model[at].alias = o.alias; else model.push({ other, alias: o.alias });
        r.putFriend(friend);
        r.putBlack(black);
      } else if (at >= 0) {
        model.splice(at, 1);
        r.removeFriend(friend);
        r.removeBlack(black);
      }
    }
    const expect = (rows: { other: bigint; alias: string }[]) => {
      const start = Math.min(cursor, rows.length);
      const items = rows.slice(start, start + limit);
      const end = start + items.length;
      return { items, hasMore: end < rows.length, nextCursor: end < rows.length ? BigInt(end) : -1n, total: rows.length };
    };
    const f = r.friendsPage(APP, 0, 1n, BigInt(cursor), limit);
    const fe = expect(model);
    const b = r.blacksPage(APP, 0, 1n, BigInt(cursor), limit);
    const be = expect([...model].reverse());
    return JSON.stringify([f.items.map((x) => [String(x.friendUserId), x.alias]), f.hasMore, String(f.nextCursor), f.total])
        === JSON.stringify([fe.items.map((x) => [String(x.other), x.alias]), fe.hasMore, String(fe.nextCursor), fe.total])
      && JSON.stringify([b.items.map((x) => String(x.blackListUserId)), b.hasMore, String(b.nextCursor), b.total])
        === JSON.stringify([be.items.map((x) => String(x.other)), be.hasMore, String(be.nextCursor), be.total]);
  }), { numRuns: 300 });
  t.pass('300 random sequences of adds, replacements and removals page alike');
});
