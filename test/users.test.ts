// RegisterUsers, UnRegisterUsers, BatchUpdateUser, BatchGetUser, BatchUpdateUserTags (mock-contract §9).
import t from 'tap';
import { call, fails, ok } from './helpers.js';
import { serveSdk, world } from './sdk-client.js';

const APP = 810001;
const users = (ids: number[], extra: Record<string, unknown> = {}) => ids.map((id) => ({ UserId: id, NickName: `u${id}`, ...extra }));

t.test('through the SDK: register, get, update, tags, unregister', async (t) => {
  const { app, sdk } = await serveSdk(t);
  let a = await sdk('RegisterUsers', { AppId: APP, Users: [{ UserId: 9007199254740993n, NickName: 'big', Portrait: 'p', Ext: { k: 'v' }, Tags: ['age:20'], IsRobot: true }, { UserId: 2, NickName: 'two' }] });
  t.same(a.Result, { FailedInfos: [] });
  app.mock.clock.set(1_767_225_700_000);
  a = await sdk('BatchGetUser', { AppId: APP, UserIds: [2, 9007199254740993n, 3] });
  t.same(a.Result, {
    Users: [
      { AppId: APP, UserId: 2n, NickName: 'two', Portrait: '', Ext: {}, Tags: [], IsRobot: false, CreateTime: 1767225600000n, ModifyTime: 1767225600000n },
      { AppId: APP, UserId: 9007199254740993n, NickName: 'big', Portrait: 'p', Ext: { k: 'v' }, Tags: ['age:20'], IsRobot: true, CreateTime: 1767225600000n, ModifyTime: 1767225600000n },
    ],
    NotFoundUsers: [3n],
  }, 'in the order asked, int64 exact, times in ms');
  a = await sdk('BatchUpdateUser', { AppId: APP, Users: [{ UserId: 2, NickName: 'deux', Portrait: 'q', Ext: { a: 'b' }, Tags: ['x:1'] }, { UserId: 5, NickName: '', Portrait: '', Ext: {}, Tags: [] }] });
  t.same(a.Result.FailedInfos, [{ UserId: 5n, Code: 'UserNotFound', Message: 'user 5 is not registered' }]);
  a = await sdk('BatchUpdateUserTags', { AppId: APP, UserIds: [2, 6], Tags: ['x:2', 'lvl:9'], Op: 0 });
  t.same(a.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[6n, 'UserNotFound']]);
  let got = (await sdk('BatchGetUser', { AppId: APP, UserIds: [2] })).Result.Users[0];
  t.same([got.NickName, got.Portrait, got.Ext, got.Tags, got.CreateTime, got.ModifyTime], ['deux', 'q', { a: 'b' }, ['x:2', 'lvl:9'], 1767225600000n, 1767225700000n], 'update overwrote the profile; a tag key has one value');
  await sdk('BatchUpdateUserTags', { AppId: APP, UserIds: [2], Tags: ['x'], Op: 1 });
  got = (await sdk('BatchGetUser', { AppId: APP, UserIds: [2] })).Result.Users[0];
  t.same(got.Tags, ['lvl:9'], 'Op 1 removes the key');
  a = await sdk('UnRegisterUsers', { AppId: APP, UserIds: [2, 7] });
  t.same(a.Result.FailedInfos.map((f: any) => [f.UserId, f.Code]), [[7n, 'UserNotFound']]);
  t.same((await sdk('BatchGetUser', { AppId: APP, UserIds: [2] })).Result, { Users: [], NotFoundUsers: [2n] });
});

t.test('RegisterUsers: a profile that breaks a rule goes to FailedInfos, the others are registered', async (t) => {
  const { app } = await serveSdk(t);
  const long = (n: number) => 'é'.repeat(Math.ceil(n / 2));
  const r = await ok(t, app, 'RegisterUsers', { AppId: APP, Users: [
    { UserId: 1, NickName: long(101) }, { UserId: 2, Portrait: long(501) }, { UserId: 3, Ext: { 's:x': '1' } },
    { UserId: 4, Ext: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, { UserId: 5, Ext: { ['k'.repeat(51)]: 'v' } },
    { UserId: 6, Ext: { k: 'v'.repeat(501) } }, { UserId: 7, NickName: 'x'.repeat(100), Portrait: 'p'.repeat(500) },
  ] });
  t.same(r.FailedInfos.map((f: any) => String(f.UserId)), ['1', '2', '3', '4', '5', '6']);
  t.match(r.FailedInfos[0], { Code: 'InvalidParameter', Message: /NickName: must be at most 100 bytes/ });
  t.match(r.FailedInfos[2].Message, /must not start with "s:"/);
  const got = await ok(t, app, 'BatchGetUser', { AppId: APP, UserIds: [1, 7] });
  t.same(got.NotFoundUsers.map(String), ['1']);
  t.equal(String(got.Users[0].UserId), '7', 'the profile at the limits is registered');
  const upd = await ok(t, app, 'BatchUpdateUser', { AppId: APP, Users: [{ UserId: 7, NickName: 'n'.repeat(101), Portrait: '', Ext: {}, Tags: [] }] });
  t.match(upd.FailedInfos, [{ UserId: 7, Code: 'InvalidParameter' }], 'BatchUpdateUser keeps the same rules');
});

t.test('limits and bad bodies: 400, state unchanged', async (t) => {
  const { app } = await serveSdk(t);
  await ok(t, app, 'RegisterUsers', { AppId: APP, Users: users([1]) });
  const before = world(app);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const cases: [string, unknown, RegExp][] = [
    ['RegisterUsers', { AppId: APP, Users: users(range(21)) }, /Users: must have 1 to 20 items/],
    ['RegisterUsers', { AppId: APP, Users: [] }, /Users: must have 1 to 20 items/],
    ['RegisterUsers', { AppId: APP, Users: [{ UserId: 0 }] }, /Users\[0\]\.UserId/],
    ['RegisterUsers', { AppId: APP, Users: [{ UserId: 1, NickName: 5 }] }, /NickName/],
    ['UnRegisterUsers', { AppId: APP, UserIds: range(11) }, /UserIds: must have 1 to 10 items/],
    ['BatchUpdateUser', { AppId: APP, Users: range(11).map((id) => ({ UserId: id, NickName: '', Portrait: '', Ext: {}, Tags: [] })) }, /Users: must have 1 to 10 items/],
    ['BatchUpdateUser', { AppId: APP, Users: [{ UserId: 1, NickName: 'x' }] }, /Portrait: is required/],
    ['BatchGetUser', { AppId: APP, UserIds: range(51) }, /UserIds: must have 1 to 50 items/],
    ['BatchGetUser', { AppId: APP, UserIds: ['1'] }, /UserIds\[0\]/],
    ['BatchUpdateUserTags', { AppId: APP, UserIds: range(11), Tags: ['a'], Op: 0 }, /UserIds: must have 1 to 10 items/],
    ['BatchUpdateUserTags', { AppId: APP, UserIds: [1], Tags: ['a'], Op: 2 }, /Op: must be an int32 integer from 0 to 1/],
    ['BatchUpdateUserTags', { AppId: APP, UserIds: [1], Tags: ['a'] }, /Op: is required/],
  ];
  for (const [action, body, message] of cases) {
    const err = await fails(t, app, action, body, 400, 'InvalidParameter');
    t.match(err?.Message, message, `${action}: ${err?.Message}`);
  }
  t.equal((await call(app, 'RegisterUsers', '{"AppId":1,')).status, 400, 'unparsable body');
  t.equal(world(app), before, 'no state changed');
  const at20 = await ok(t, app, 'RegisterUsers', { AppId: APP, Users: users(range(20)) });
  t.same(at20.FailedInfos, [], '20 users is allowed');
  t.equal((await ok(t, app, 'BatchGetUser', { AppId: APP, UserIds: range(50) })).Users.length, 20, '50 ids is allowed');
});

t.test('unregistering removes the profile only: memberships stay', async (t) => {
  const { app } = await serveSdk(t);
  await ok(t, app, 'RegisterUsers', { AppId: APP, Users: users([11, 12]) });
  const conv = await ok(t, app, 'CreateConversation', { AppId: APP, OwnerUserId: 11, ConversationCoreInfo: { ConversationType: 2, Name: 'g' } });
  const id = conv.ConversationInfo.ConversationShortId;
  await ok(t, app, 'UnRegisterUsers', { AppId: APP, UserIds: [11] });
  t.same(await ok(t, app, 'IsUserInConversation', { AppId: APP, ConversationShortId: id, ParticipantUserId: 11 }), { IsUserInConversation: true });
});
