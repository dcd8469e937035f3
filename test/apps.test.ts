// GetAppToken, /_mock/apps, /_mock/tokens/verify, strict apps and credentials bound to AppIds (mock-contract §5, §9).
import t from 'tap';
import { createDecipheriv } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { parseConfig } from '../src/config.js';
import { MockClock } from '../src/protocol/clock.js';
import { call, fails, ok, makeApp } from './helpers.js';
import { serveSdk, sdkClient, world } from './sdk-client.js';

const APP = 820001;
const KEY16 = Buffer.alloc(16, 7).toString('base64');

async function control(app: any, method: string, url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  return { status: res.statusCode, body: parseJson(res.body) as any };
}

/** The reference layout (volcengine-im-api §8.1) decoded from scratch with node:crypto and node:zlib: base62 (digits,
 * A-Z, a-z) -> crc32(ciphertext) u32, AppId u32, AES-CBC ciphertext (key = AppKey bytes, IV = its first 16 bytes). */
function decodeIndependently(token: string, appKey: string) {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let n = 0n;
  for (const ch of token) n = n * 62n + BigInt(digits.indexOf(ch));
  const bytes = Buffer.from(n.toString(16).padStart(80, '0'), 'hex'); // 8 + 32 bytes for a numeric user
  const ct = bytes.subarray(8);
  const key = Buffer.from(appKey, 'base64');
  const d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, key.subarray(0, 16));
  const plain = Buffer.concat([d.update(ct), d.final()]);
  return { crc: crc32(ct), head: bytes.readUInt32BE(0), outerAppId: bytes.readUInt32BE(4), plain };
}

t.test('GetAppToken through the SDK; the token decodes with /_mock/tokens/verify and independently', async (t) => {
  const { app, sdk } = await serveSdk(t, { fixtureDoc: { Conversations: [] } });
  const a = await sdk('GetAppToken', { AppId: APP, UserId: 9007199254740993n, ExpireTime: 1767229200000n });
  t.equal(a.ResponseMetadata.Error, undefined);
  t.same(Object.keys(a.Result), ['AppId', 'UserId', 'Token']);
  t.equal(a.Result.UserId, 9007199254740993n);
  t.match(a.Result.Token, /^[0-9A-Za-z]+$/);
  const again = await sdk('GetAppToken', { AppId: APP, UserId: 9007199254740993n, ExpireTime: 1767229200000n });
  t.equal(again.Result.Token, a.Result.Token, 'deterministic for the same inputs');
  const v = await control(app, 'POST', '/_mock/tokens/verify', { Token: a.Result.Token });
  t.same(v, { status: 200, body: { AppId: APP, UserId: 9007199254740993n, ExpireTime: 1767229200000, Expired: false } });
  const apps = await control(app, 'GET', `/_mock/apps?AppId=${APP}`);
  t.equal(apps.body.Apps[0].AppKeyDerived, true);
  const appKey = apps.body.Apps[0].AppKey;
  t.equal(Buffer.from(appKey, 'base64').length, 32, 'a derived AppKey is 32 bytes, base64');
  // independently, with node:crypto (the plaintext block: version, type, AppId, UserId, expiry)
  const { crc, head, outerAppId, plain } = decodeIndependently(a.Result.Token, appKey);
  t.equal(crc, head, 'crc32 of the ciphertext in front');
  t.equal(outerAppId, APP, 'then the AppId');
  t.same([plain.length, plain.readUInt16BE(0), plain.readUInt16BE(2), plain.readUInt32BE(4), plain.readBigUInt64BE(8), plain.readBigUInt64BE(16)],
    [24, 1, 1, APP, 9007199254740993n, 1767229200000n], 'version 1, type 1, AppId, UserId, expiry');
  app.mock.clock.set(1767229200000);
  t.equal((await control(app, 'POST', '/_mock/tokens/verify', { Token: a.Result.Token })).body.Expired, true, 'expired by the mock clock');
});

t.test('a fixture AppKey is used; UserIdStr tokens; a tampered token is refused', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [], Apps: [{ AppId: APP, AppKey: KEY16 }, { AppId: APP + 1 }] } });
  const r = await ok(t, app, 'GetAppToken', { AppId: APP, UserId: 0, UserIdStr: 'alice', ExpireTime: 1 });
  t.same([r.UserId, r.UserIdStr], [0, 'alice']);
  const v = await control(app, 'POST', '/_mock/tokens/verify', { Token: r.Token });
  t.same(v.body, { AppId: APP, UserId: 0, UserIdStr: 'alice', ExpireTime: 1, Expired: true });
  const apps = await control(app, 'GET', '/_mock/apps');
  t.same(apps.body.Apps.map((a: any) => [a.AppId, a.AppKeyDerived]), [[APP, false], [APP + 1, true]]);
  t.equal(apps.body.Apps[0].AppKey, KEY16);
  t.equal(apps.body.Strict, true, 'an Apps list makes apps strict');
  const n = await ok(t, app, 'GetAppToken', { AppId: APP, UserId: 5, ExpireTime: 1767229200000 });
  const { plain } = decodeIndependently(n.Token, KEY16);
  t.equal(plain.readBigUInt64BE(8), 5n, 'AES-128 with the fixture key');
  const tampered = n.Token.slice(0, -1) + (n.Token.endsWith('0') ? '1' : '0');
  const bad = await control(app, 'POST', '/_mock/tokens/verify', { Token: tampered });
  t.equal(bad.status, 400);
  t.match(bad.body.Error.Message, /Token: /);
  for (const body of [{ Token: '!!' }, { Token: 5 }, {}, { Token: 'a', X: 1 }]) t.equal((await control(app, 'POST', '/_mock/tokens/verify', body)).status, 400, stringifyJson(body));
  for (const url of [`/_mock/reset?AppId=${APP}&To=empty`, '/_mock/reset?To=empty']) {
    t.equal((await control(app, 'POST', url)).status, 200);
    t.same((await control(app, 'GET', '/_mock/apps')).body.Apps.map((a: any) => [a.AppId, a.AppKey === KEY16]), [[APP, true], [APP + 1, false]], `${url}: Apps are kept`);
    await ok(t, app, 'BatchGetUser', { AppId: APP, UserIds: [1] });
  }
});

t.test('GetAppToken: bad bodies are 400', async (t) => {
  const app = await makeApp(t);
  const before = world(app);
  await fails(t, app, 'GetAppToken', { AppId: APP, UserId: 1 }, 400, 'InvalidParameter');
  await fails(t, app, 'GetAppToken', { AppId: APP, UserId: 0, ExpireTime: 5 }, 400, 'InvalidParameter');
  await fails(t, app, 'GetAppToken', { AppId: APP, UserId: 1, ExpireTime: 0 }, 400, 'InvalidParameter');
  await fails(t, app, 'GetAppToken', { AppId: APP, UserId: 0, UserIdStr: 'x'.repeat(257), ExpireTime: 5 }, 400, 'InvalidParameter');
  t.equal(world(app), before);
});

t.test('strict apps: --apps or the fixtures Apps list; credentials bound to AppIds', async (t) => {
  const app = await makeApp(t, { apps: [666675] });
  await ok(t, app, 'GetMessagesReadReceipt', { AppId: 666675, ConversationShortId: 1691070514797524328n, MessageIds: [1709040620191372977n] });
  const err = await fails(t, app, 'RegisterUsers', { AppId: 1, Users: [{ UserId: 1 }] }, 400, 'InvalidParameter.NotExistAppId');
  t.equal(err.CodeN, undefined, 'no gateway CodeN');
  t.match(err.Message, /AppId 1 \(strict apps: 666675\) does not exist/);
  t.same((await ok(t, app, 'BatchGetUser', { AppId: 666675, UserIds: [1] })).NotFoundUsers, [1]);
  // a bad body is still a plain InvalidParameter (validation first)
  await fails(t, app, 'RegisterUsers', { AppId: 1 }, 400, 'InvalidParameter');

  const loose = await makeApp(t);
  await ok(t, loose, 'BatchGetUser', { AppId: 1, UserIds: [1] });

  const KEY = { accessKeyId: 'AKLTbound', secretKey: 'bound-secret' };
  const { port } = await serveSdk(t, { clock: new MockClock(), auth: 'enforce', credentials: [{ ...KEY, appIds: [APP, 777001] }, { accessKeyId: 'AKLTfree', secretKey: 's' }] });
  const bound = sdkClient(port, KEY);
  t.equal((await bound('BatchGetUser', { AppId: APP, UserIds: [1] })).ResponseMetadata.Error, undefined, 'a bound AppId is allowed');
  const denied = await bound('BatchGetUser', { AppId: 666675, UserIds: [1] });
  t.same(denied.ResponseMetadata.Error, { Code: 'AccessDenied.NoPermissionForApp', Message: 'the access key AKLTbound may not operate AppId 666675' });
  const free = sdkClient(port, { accessKeyId: 'AKLTfree', secretKey: 's' });
  t.equal((await free('BatchGetUser', { AppId: 666675, UserIds: [1] })).ResponseMetadata.Error, undefined, 'an unbound key may call any AppId');
  const raw = await call(loose, 'BatchGetUser', { AppId: 1, UserIds: [1] });
  t.equal(raw.status, 200);
});

t.test('strict apps from the fixtures survive replacing or resetting the only listed AppId', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [], Apps: [{ AppId: APP, AppKey: KEY16 }] } });
  const stillStrict = async (what: string) => {
    await fails(t, app, 'BatchGetUser', { AppId: 1, UserIds: [1] }, 400, 'InvalidParameter.NotExistAppId');
    await ok(t, app, 'BatchGetUser', { AppId: APP, UserIds: [1] });
    const apps = await control(app, 'GET', '/_mock/apps');
    t.equal(apps.body.Strict, true, `${what}: strict apps still on`);
    t.same(apps.body.Apps.map((a: any) => [a.AppId, a.AppKey]), [[APP, KEY16]], `${what}: the App record and its AppKey kept`);
  };
  await stillStrict('loaded');
  t.equal((await control(app, 'PUT', `/_mock/state?AppId=${APP}`, { Conversations: [] })).status, 200);
  await stillStrict('after PUT /_mock/state?AppId= with no Apps');
  t.equal((await control(app, 'POST', `/_mock/reset?AppId=${APP}&To=empty`)).status, 200);
  await stillStrict('after POST /_mock/reset?AppId=&To=empty');
  t.equal((await control(app, 'PUT', '/_mock/state', { Conversations: [] })).status, 200);
  await ok(t, app, 'BatchGetUser', { AppId: 1, UserIds: [1] }); // a whole new world without Apps is not strict
});

t.test('config: --apps and --credentials AK:SK:APPID+APPID', async (t) => {
  const c = parseConfig(['--apps', '666675,777001', '--credentials', 'AK1:SK1:666675+777001,AK2:S:K2'], {});
  t.same(c.apps, [666675, 777001]);
  t.same(c.credentials, [{ accessKeyId: 'AK1', secretKey: 'SK1', appIds: [666675, 777001] }, { accessKeyId: 'AK2', secretKey: 'S:K2' }]);
  t.same(parseConfig([], { VOLC_MOCK_APPS: '5' }).apps, [5]);
  t.throws(() => parseConfig(['--apps', '0'], {}), /--apps: AppId 0 must be an integer from 1 to 2147483647/);
  t.throws(() => parseConfig(['--apps', 'x'], {}), /--apps/);
});

t.test('startMock: apps, credentials, and the helpers for apps, tokens, presence and broadcasts', async (t) => {
  const { startMock } = await import('../src/index.js');
  const mock = await startMock({ seed: 3, apps: [APP], fixtureDoc: { Conversations: [] } });
  t.teardown(() => mock.close());
  const res = await fetch(`${mock.url}/?Action=GetAppToken&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"AppId":${APP},"UserId":7,"ExpireTime":4102444800000}` });
  const token = (parseJson(await res.text()) as any).Result.Token;
  t.same(await mock.verifyToken(token), { AppId: APP, UserId: 7, ExpireTime: 4102444800000, Expired: false });
  await t.rejects(mock.verifyToken('zz'), /HTTP 400 InvalidParameter/);
  const apps = await mock.apps();
  t.same([apps.Strict, apps.Apps.map((a) => a.AppId)], [true, [APP]]);
  await mock.setPresence({ AppId: APP, UserId: 7, Connections: [{ ConnId: 'a' }] });
  t.equal(mock.app.mock.store.isOnline(APP, 7n), true);
  t.same(await mock.broadcasts({ appId: APP }), []);
  const other = await fetch(`${mock.url}/?Action=BatchGetUser&Version=2020-12-01`, { method: 'POST', body: '{"AppId":1,"UserIds":[1]}' });
  t.equal(other.status, 400, 'strict apps through startMock');
});
