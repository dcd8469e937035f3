// The new kinds of state through fixtures, /_mock/state and the data file (mock-contract §7): a world built through the
// API is read back unchanged after a restart, from the change log (FILE.log) and from a rewritten FILE.
import t from 'tap';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { makeApp, ok } from './helpers.js';
import { world } from './sdk-client.js';

const APP = 840001;

async function control(app: any, method: string, url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined };
}

async function build(t: any, app: any) {
  await ok(t, app, 'RegisterUsers', { AppId: APP, Users: [1, 2, 3, 9007199254740993n].map((id) => ({ UserId: id, NickName: `n${id}`, Tags: ['lvl:1'], Ext: { k: String(id) } })) });
  await ok(t, app, 'AddFriend', { AppId: APP, UserId: 1, FriendUserIds: [3, 2, 9007199254740993n], Ext: { via: 'test' } });
  await ok(t, app, 'UpdateFriend', { AppId: APP, UserId: 2, FriendInfos: [{ FriendUserId: 1, Alias: 'boss' }] });
  await ok(t, app, 'DeleteFriend', { AppId: APP, UserId: 1, DeleteUserIds: [3] });
  await ok(t, app, 'AddFriend', { AppId: APP, UserId: 1, FriendUserIds: [3] }); // re-added: now last in 1's list
  await ok(t, app, 'AddBlackList', { AppId: APP, UserId: 2, BlackListInfos: [{ BlackListUserId: 3, BlackListUserExt: { a: 'b' } }, { BlackListUserId: 1 }], InboxType: 2 });
  await ok(t, app, 'UnRegisterUsers', { AppId: APP, UserIds: [3] });
  t.equal((await control(app, 'PUT', '/_mock/presence', { AppId: APP, UserId: 2, Connections: [{ ConnId: 'c1', DeviceId: 7, ClientVersion: 3, Platform: 'web' }] })).status, 200);
}

t.test('users, friends, blacklists and presence survive a restart: from the log, then from FILE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-rel-'));
  const data = join(dir, 'world.json');
  const a = await makeApp(t, { data, flushIntervalMs: 60_000 });
  await a.mock.store.flush(); // FILE written (first compaction)
  await build(t, a);
  const expected = world(a);
  t.match(expected, /"Users":\[/);
  await a.mock.store.flush(); // only the log grows
  t.ok(existsSync(`${data}.log`), 'the changes went to FILE.log');
  const log = readFileSync(`${data}.log`, 'utf8');
  t.match(log, /\{"Put":"Users","Record":\{"AppId":840001,"UserId":9007199254740993,/);
  t.match(log, /\{"Delete":"Friends","Record":/);
  t.match(readFileSync(data, 'utf8'), /"Users":\[\]/, 'FILE was not rewritten for these changes');
  const b = await makeApp(t, { data, flushIntervalMs: 60_000 });
  t.equal(world(b), expected, 'read back unchanged from FILE + FILE.log');
  const l = await ok(t, b, 'ListFriend', { AppId: APP, UserId: 1 });
  t.same(l.FriendInfos.map((f: any) => String(f.FriendUserId)), ['2', '9007199254740993', '3'], 'order of adding kept');
  t.same(b.mock.store.isOnline(APP, 2n), true);
  await b.close();
  t.match(readFileSync(data, 'utf8'), /"Users":\[/, 'a graceful close rewrites FILE with every kind');
  const c = await makeApp(t, { data, flushIntervalMs: 60_000 });
  t.equal(world(c), expected, 'read back unchanged from FILE alone');
  await c.close();
  await a.close();
});

t.test('a reset of one AppId is logged record by record', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-rel-'));
  const data = join(dir, 'world.json');
  const a = await makeApp(t, { data, flushIntervalMs: 60_000 });
  await build(t, a);
  await ok(t, a, 'RegisterUsers', { AppId: APP + 1, Users: [{ UserId: 5 }] });
  await a.mock.store.flush();
  t.equal((await control(a, 'POST', `/_mock/reset?AppId=${APP}`)).status, 200);
  await a.mock.store.flush();
  const expected = world(a);
  t.notMatch(expected, /840001,"UserId"/, 'the AppId is empty');
  const b = await makeApp(t, { data, flushIntervalMs: 60_000 });
  t.equal(world(b), expected);
  t.same((await ok(t, b, 'BatchGetUser', { AppId: APP + 1, UserIds: [5] })).NotFoundUsers, []);
  await b.close();
  await a.close();
});

t.test('fixtures and PUT /_mock/state carry the new lists; a bad document is refused whole, naming the field', async (t) => {
  const doc = {
    Conversations: [],
    Users: [{ AppId: APP, UserId: 1, NickName: 'one', Tags: ['a:1'] }],
    Friends: [{ AppId: APP, UserId: 1, FriendUserId: 2, Alias: 'two', CreateTime: 5 }],
    BlackLists: [{ AppId: APP, UserId: 1, BlackListUserId: 3 }],
    Presence: [{ AppId: APP, UserId: 1, Connections: [{ ConnId: 'x' }] }],
  };
  const app = await makeApp(t, { fixtureDoc: doc });
  const got = (await control(app, 'GET', `/_mock/state?AppId=${APP}`)).body;
  t.same(got.Friends.map((f: any) => [f.UserId, f.FriendUserId, f.Alias, f.CreateTime]), [[1, 2, 'two', 5], [2, 1, '', 5]], 'the other side of a friendship is added');
  t.same(got.Presence, [{ AppId: APP, UserId: 1, Connections: [{ ConnId: 'x', DeviceId: 0, ClientVersion: 0, Platform: '' }] }]);
  t.same((await ok(t, app, 'BatchGetUser', { AppId: APP, UserIds: [1] })).Users[0].Tags, ['a:1']);
  const before = world(app);
  const bad: [unknown, RegExp][] = [
    [{ ...doc, Users: [{ AppId: APP, UserId: 'x' }] }, /Users\[0\]\.UserId/],
    [{ ...doc, Users: [doc.Users[0], doc.Users[0]] }, /Users\[1\]: a second record/],
    [{ ...doc, Friends: [{ AppId: APP, UserId: 1, FriendUserId: 1 }] }, /Friends\[0\]\.FriendUserId: a user cannot be its own friend/],
    [{ ...doc, Apps: [{ AppId: APP, AppKey: 'short' }] }, /Apps\[0\]\.AppKey: must be base64 of 16, 24 or 32 bytes/],
    [{ ...doc, Presence: [{ AppId: APP, UserId: 1 }] }, /Presence\[0\]\.Connections: is required/],
    [{ ...doc, BlackLists: [{ AppId: APP, UserId: 1, BlackListUserId: 1 }] }, /BlackLists\[0\]\.BlackListUserId/],
  ];
  for (const [d, message] of bad) {
    const r = await control(app, 'PUT', '/_mock/state', d);
    t.equal(r.status, 400);
    t.match(r.body.Error.Message, message);
  }
  const stray = await control(app, 'PUT', `/_mock/state?AppId=${APP}`, { Conversations: [], Users: [{ AppId: 1, UserId: 1 }] });
  t.match(stray.body.Error.Message, /Users\[0\]\.AppId: must be 840001/);
  t.equal(world(app), before, 'nothing changed');
  t.equal((await control(app, 'PUT', '/_mock/state', got)).status, 200, 'what GET exports PUT imports');
  t.equal(world(app), before);
  t.equal((await control(app, 'POST', '/_mock/reset?To=empty')).status, 200);
  t.equal((await control(app, 'GET', '/_mock/state')).body.Users, undefined, 'reset to empty clears them');
  t.equal((await control(app, 'POST', '/_mock/reset')).status, 200);
  t.equal(world(app), before, 'reset to the fixtures brings them back');
});
