// UserBroadcast (recorded with the users it reached; 20 calls per AppId per day by the mock clock, UTC+8) and
// QueryOnlineStatus with PUT /_mock/presence (mock-contract §4, §9).
import t from 'tap';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { fails, ok } from './helpers.js';
import { serveSdk, world } from './sdk-client.js';

const APP = 850001;
const BODY = { AppId: APP, Sender: 1, MsgType: 10001, Content: '{"text":"hi"}', MsgTTL: 60 };

async function control(app: any, method: string, url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined };
}

t.test('UserBroadcast through the SDK reaches registered users by tag', async (t) => {
  const { app, sdk } = await serveSdk(t);
  await ok(t, app, 'RegisterUsers', { AppId: APP, Users: [
    { UserId: 1, Tags: ['age:20', 'vip:1'] }, { UserId: 2, Tags: ['age:30'] }, { UserId: 3 }, { UserId: 9007199254740993n, Tags: ['vip:1'] },
  ] });
  const a = await sdk('UserBroadcast', { ...BODY, Ext: { k: 'v' } });
  t.equal(a.ResponseMetadata.Error, undefined);
  t.same(a.Result, {}, 'empty Result');
  await sdk('UserBroadcast', { ...BODY, Tags: ['age'], TagOp: 0 });
  await sdk('UserBroadcast', { ...BODY, Tags: ['age:20', 'vip:1'], TagOp: 1 });
  await sdk('UserBroadcast', { ...BODY, Tags: ['vip:1', 'age:30'] });
  const got = (await control(app, 'GET', `/_mock/broadcasts?AppId=${APP}`)).body.Broadcasts;
  t.same(got.map((b: any) => b.ReachedUserIds.map(String)), [['1', '2', '3', '9007199254740993'], ['1', '2'], ['1'], ['1', '2', '9007199254740993']]);
  t.match(got[0], { AppId: APP, Sender: 1, MsgType: 10001, MsgTTL: 60, Ext: { k: 'v' }, InboxType: 0, Tags: [], TagOp: 0, ReachedCount: 4, Time: 1767225600000 });
  t.same((await control(app, 'GET', '/_mock/broadcasts?AppId=1')).body.Broadcasts, []);
});

t.test('UserBroadcast: 20 calls per AppId per day, the day in UTC+8', async (t) => {
  const { app } = await serveSdk(t);
  app.mock.clock.set(Date.UTC(2026, 0, 1, 15, 59, 0)); // 23:59 in UTC+8
  for (let i = 0; i < 20; i++) await ok(t, app, 'UserBroadcast', BODY);
  const before = world(app);
  const err = await fails(t, app, 'UserBroadcast', BODY, 429, 'FlowLimitExceeded');
  t.match(err.Message, /20 calls per AppId per day/);
  t.equal((await control(app, 'GET', `/_mock/broadcasts?AppId=${APP}`)).body.Broadcasts.length, 20, 'the refused call is not recorded');
  t.equal(world(app), before);
  await ok(t, app, 'UserBroadcast', { ...BODY, AppId: APP + 1 }); // another AppId has its own count
  app.mock.clock.set(Date.UTC(2026, 0, 1, 16, 0, 0)); // midnight in UTC+8
  await ok(t, app, 'UserBroadcast', { ...BODY, Content: 'the next day' });
  // a page is the newest Limit (default 20, at most 100), oldest first, with the Total kept
  const page = (await control(app, 'GET', `/_mock/broadcasts?AppId=${APP}`)).body;
  t.same([page.Broadcasts.length, page.Total, page.Broadcasts.at(-1).Content], [20, 21, 'the next day'], 'the newest 20 of 21');
  const five = (await control(app, 'GET', `/_mock/broadcasts?AppId=${APP}&Limit=5`)).body;
  t.same([five.Broadcasts.length, five.Total, five.Broadcasts.at(-1).Content], [5, 21, 'the next day']);
  t.equal((await control(app, 'GET', `/_mock/broadcasts?Limit=101`)).status, 400, 'Limit over 100 is refused');
  t.equal((await control(app, 'POST', `/_mock/reset?AppId=${APP}`)).status, 200);
  t.same((await control(app, 'GET', `/_mock/broadcasts?AppId=${APP}`)).body.Broadcasts, [], 'a reset clears the record');
});

t.test('UserBroadcast: bad bodies', async (t) => {
  const { app } = await serveSdk(t);
  for (const body of [{ ...BODY, MsgTTL: 0 }, { ...BODY, MsgTTL: 604801 }, { ...BODY, TagOp: 2 }, { ...BODY, Content: undefined }, { ...BODY, Sender: 0 }]) {
    await fails(t, app, 'UserBroadcast', body, 400, 'InvalidParameter');
  }
  await ok(t, app, 'UserBroadcast', { ...BODY, MsgTTL: 604800 });
  t.equal((await control(app, 'GET', '/_mock/broadcasts')).body.Broadcasts.length, 1, 'only the good call counted');
});

t.test('QueryOnlineStatus through the SDK, presence set through the control plane', async (t) => {
  const { app, sdk } = await serveSdk(t);
  let a = await sdk('QueryOnlineStatus', { AppId: APP, UserIds: [1, 2] });
  t.same(a.Result, { AppId: APP, QueryOnlineResults: {} }, 'nobody is online until a test says so');
  let p = await control(app, 'PUT', '/_mock/presence', { AppId: APP, UserId: 9007199254740993n, Connections: [{ ConnId: 'c1', DeviceId: 9007199254740995n, ClientVersion: 3, Platform: 'ios' }, { ConnId: 'c2' }] });
  t.same(p, { status: 200, body: { AppId: APP, UserId: 9007199254740993n, Online: true } });
  a = await sdk('QueryOnlineStatus', { AppId: APP, UserIds: [9007199254740993n, 2] });
  t.same(a.Result.QueryOnlineResults, { '9007199254740993': [
    { ConnId: 'c1', UserId: 9007199254740993n, DeviceId: 9007199254740995n, ClientVersion: 3, Platform: 'ios' },
    { ConnId: 'c2', UserId: 9007199254740993n, DeviceId: 0, ClientVersion: 0, Platform: '' },
  ] });
  t.equal(app.mock.store.isOnline(APP, 9007199254740993n), true, 'the hook live groups use');
  p = await control(app, 'PUT', '/_mock/presence', { AppId: APP, UserId: 9007199254740993n, Connections: [] });
  t.equal(p.body.Online, false);
  t.same((await sdk('QueryOnlineStatus', { AppId: APP, UserIds: [9007199254740993n] })).Result.QueryOnlineResults, {}, 'an empty list = offline');
  const before = world(app);
  for (const body of [{ AppId: APP, UserId: 1 }, { AppId: APP, UserId: 1, Connections: [{ DeviceId: 1 }] }, { AppId: 0, UserId: 1, Connections: [] }, { AppId: APP, UserId: 1, Connections: Array.from({ length: 101 }, (_, i) => ({ ConnId: `c${i}` })) }]) {
    const r = await control(app, 'PUT', '/_mock/presence', body);
    t.equal(r.status, 400, r.body?.Error?.Message);
  }
  t.equal(world(app), before, 'a bad presence changes nothing');
  await fails(t, app, 'QueryOnlineStatus', { AppId: APP, UserIds: Array.from({ length: 101 }, (_, i) => i + 1) }, 400, 'InvalidParameter');
  await ok(t, app, 'QueryOnlineStatus', { AppId: APP, UserIds: Array.from({ length: 100 }, (_, i) => i + 1) });
});
