// The control plane under /_mock/ (mock-contract §8).
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, ok, fails, snapshot, SEED_APP, SEED_CONV, SEED_MSG, ensureBuilt, SEED_MSG_INDEX } from './helpers.js';
import { RateLimiter } from '../src/protocol/ratelimit.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { MockClock } from '../src/protocol/clock.js';
import { Journal } from '../src/control/journal.js';
import { parseConfig } from '../src/config.js';
import { isHealthy } from '../src/health.js';
import { VENDOR_QPS } from '../src/actions/catalog.js';

const RR = 'GetMessagesReadReceipt';
const seedReceipt = { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] };

interface Ctl { status: number; body: any; text: string; headers: Record<string, unknown> }

/** A control call; body is an object (written int64-exact) or a raw string. */
async function ctl(app: FastifyInstance, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Ctl> {
  const res = await app.inject({
    method: method as 'GET', url, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : stringifyJson(body),
  });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) : undefined, text: res.body, headers: res.headers };
}

/** A control call that must be refused with 400 InvalidParameter. */
async function refused(t: Test, app: FastifyInstance, method: string, url: string, body?: unknown): Promise<string> {
  const a = await ctl(app, method, url, body);
  t.equal(a.status, 400, `${method} ${url} ${typeof body === 'string' ? body : stringifyJson(body)} -> 400 (${a.body?.Error?.Message})`);
  t.equal(a.body?.Error?.Code, 'InvalidParameter');
  t.type(a.body?.Error?.Message, 'string');
  return a.body?.Error?.Message;
}

/** A one-to-one conversation document in appId. */
function convDoc(appId: number, shortId: bigint, messageId: bigint) {
  return {
    AppId: appId, ConversationShortId: shortId, ConversationType: 1, OwnerUserId: 1,
    Participants: [{ ParticipantUserId: 1, ReadIndex: 1 }, { ParticipantUserId: 2, ReadIndex: 0 }],
    Messages: [{ MessageId: messageId, Sender: 1, MsgType: 10001, Content: 'hi', IndexInConversation: 1, CreateTime: 1 }],
  };
}

t.test('health and ready', async (t) => {
  const app = await makeApp(t);
  const h = await ctl(app, 'GET', '/_mock/health');
  t.equal(h.status, 200);
  t.same(h.body, { Status: 'ok' });
  t.match(h.headers['content-type'], /application\/json/);
  t.equal((await ctl(app, 'GET', '/_mock/ready')).status, 200);
  app.mock.loaded = false;
  const r = await ctl(app, 'GET', '/_mock/ready');
  t.equal(r.status, 503);
  t.same(r.body, { Status: 'loading' });
});

t.test('unknown control route answers the control error shape', async (t) => {
  const app = await makeApp(t);
  const a = await ctl(app, 'GET', '/_mock/nope');
  t.equal(a.status, 404);
  t.equal(a.body.Error.Code, 'NotFound');
  t.notOk('ResponseMetadata' in a.body);
});

t.test('GET /_mock/actions: all 56 vendor actions, effective QPS, Emulated', async (t) => {
  const documented = await makeApp(t, { rateLimit: undefined });
  const a = await ctl(documented, 'GET', '/_mock/actions');
  t.equal(a.status, 200);
  t.equal(a.body.Actions.length, 56);
  t.same(a.body.Actions.map((x: any) => x.Action).sort(), Object.keys(VENDOR_QPS).sort());
  t.same(a.body.Actions.find((x: any) => x.Action === RR), { Action: RR, QPS: 100, Emulated: true });
  t.same(a.body.Actions.find((x: any) => x.Action === 'UserBroadcast'), { Action: 'UserBroadcast', QPS: 50, Emulated: true });
  t.same(a.body.Actions.find((x: any) => x.Action === 'BatchSendMessage').QPS, 200);
  const emulated = new Set(documented.mock.actions.map((x) => x.name));
  t.ok(a.body.Actions.every((x: any) => x.Emulated === emulated.has(x.Action)));
  const limited = await makeApp(t, { rateLimit: 7 });
  const b = await ctl(limited, 'GET', '/_mock/actions');
  t.ok(b.body.Actions.every((x: any) => x.QPS === 7), '--rate-limit 7 applies to every action');
  await refused(t, limited, 'GET', '/_mock/actions?x=1');
});

t.test('GET /_mock/state: the fixture document, int64 exact, per AppId', async (t) => {
  const app = await makeApp(t);
  const a = await ctl(app, 'GET', '/_mock/state');
  t.equal(a.status, 200);
  t.match(a.headers['content-type'], /application\/json/);
  t.match(a.text, /"ConversationShortId":1691070514797524328/, 'int64 written exactly, as a number');
  t.match(a.text, /"MessageId":1709040620191372977/);
  const seed = a.body.Conversations.find((c: any) => c.ConversationShortId === SEED_CONV);
  t.equal(seed.AppId, SEED_APP);
  t.same(seed.Participants.map((p: any) => [p.ParticipantUserId, p.ReadIndex]), [[30340, SEED_MSG_INDEX], [30341, 0]]);
  t.equal(a.body.Conversations.length, [...app.mock.store.conversations()].length);
  const other = await ctl(app, 'GET', '/_mock/state?AppId=1');
  t.same(other.body, { Conversations: [] });
  const one = await ctl(app, 'GET', `/_mock/state?AppId=${SEED_APP}`);
  t.ok(one.body.Conversations.length > 0 && one.body.Conversations.every((c: any) => c.AppId === SEED_APP));
  await refused(t, app, 'GET', '/_mock/state?AppId=abc');
  await refused(t, app, 'GET', '/_mock/state?AppId=0');
  await refused(t, app, 'GET', '/_mock/state?appId=1');
  // ?Conversations=0 (what the page polls): the other records, no conversations
  await ok(t, app, 'RegisterUsers', { AppId: SEED_APP, Users: [{ UserId: 77, NickName: 'u' }] });
  const light = await ctl(app, 'GET', `/_mock/state?Conversations=0&AppId=${SEED_APP}`);
  t.equal(light.status, 200);
  t.notOk('Conversations' in light.body, 'no Conversations');
  t.same(light.body.Users.map((u: any) => [u.UserId, u.NickName]), [[77, 'u']], 'the users are there');
  t.ok((await ctl(app, 'GET', '/_mock/state?Conversations=1')).body.Conversations.length > 0, 'Conversations=1 is the default');
  await refused(t, app, 'GET', '/_mock/state?Conversations=2');
});

t.test('PUT /_mock/state replaces the world; GET/PUT round-trips', async (t) => {
  const app = await makeApp(t);
  const before = await ctl(app, 'GET', '/_mock/state');
  const put = await ctl(app, 'PUT', '/_mock/state', { Conversations: [convDoc(42, 9007199254740993n, 9007199254740995n)] });
  t.equal(put.status, 200);
  t.same(put.body, { ConversationCount: 1 });
  const r = await ok(t, app, RR, { AppId: 42, ConversationShortId: 9007199254740993n, MessageIds: [9007199254740995n] });
  t.same(r.ReadReceipt[0].UnReadUserIds, [2]);
  t.equal(r.ReadReceipt[0].MessageId, 9007199254740995n, 'int64 above 2^53 kept exact');
  await fails(t, app, RR, seedReceipt, 400, 'InvalidParameter.NotExistConversation');
  // the old world, PUT back, reads back identical
  t.equal((await ctl(app, 'PUT', '/_mock/state', before.text)).status, 200);
  t.equal((await ctl(app, 'GET', '/_mock/state')).text, before.text);
});

t.test('PUT /_mock/state?AppId=N replaces that AppId only', async (t) => {
  const app = await makeApp(t);
  const seedBefore = (await ctl(app, 'GET', `/_mock/state?AppId=${SEED_APP}`)).text;
  t.equal((await ctl(app, 'PUT', '/_mock/state?AppId=42', { Conversations: [convDoc(42, 5n, 6n)] })).status, 200);
  t.equal((await ctl(app, 'GET', `/_mock/state?AppId=${SEED_APP}`)).text, seedBefore, 'other AppIds untouched');
  t.equal((await ctl(app, 'GET', '/_mock/state?AppId=42')).body.Conversations.length, 1);
  const snap = snapshot(app);
  const msg = await refused(t, app, 'PUT', '/_mock/state?AppId=42', { Conversations: [convDoc(42, 7n, 8n), convDoc(43, 9n, 10n)] });
  t.match(msg, /Conversations\[1\]\.AppId/);
  t.equal(snapshot(app), snap, 'nothing changed');
});

t.test('PUT /_mock/state: an invalid document is 400 and changes nothing', async (t) => {
  const app = await makeApp(t);
  const snap = snapshot(app);
  const cases: [string, unknown][] = [
    ['not JSON', '{"Conversations": ['],
    ['empty body', ''],
    ['not an object', '[1,2]'],
    ['Conversations missing', {}],
    ['wrong type', { Conversations: [{ ...convDoc(42, 5n, 6n), ConversationType: 'one' }] }],
    ['AppId out of range', { Conversations: [convDoc(0, 5n, 6n)] }],
    ['duplicate conversation', { Conversations: [convDoc(42, 5n, 6n), convDoc(42, 5n, 7n)] }],
    ['bad ConversationType', { Conversations: [{ ...convDoc(42, 5n, 6n), ConversationType: 3 }] }],
    ['message without sender', { Conversations: [{ ...convDoc(42, 5n, 6n), Messages: [{ MessageId: 6, MsgType: 1, Content: '' }] }] }],
  ];
  for (const [name, doc] of cases) {
    const msg = await refused(t, app, 'PUT', '/_mock/state', doc);
    t.ok(msg.length > 0, `${name}: ${msg}`);
  }
  t.equal(snapshot(app), snap, 'nothing changed');
  await ok(t, app, RR, seedReceipt);
});

t.test('POST /_mock/reset: back to the fixtures, To=empty, one AppId', async (t) => {
  const app = await makeApp(t);
  const fixtures = snapshot(app);
  await ctl(app, 'PUT', '/_mock/state', { Conversations: [convDoc(42, 5n, 6n), convDoc(43, 7n, 8n)] });
  t.not(snapshot(app), fixtures);
  const r = await ctl(app, 'POST', '/_mock/reset');
  t.equal(r.status, 200);
  t.equal(r.body.ConversationCount, [...app.mock.store.conversations()].length);
  t.equal(snapshot(app), fixtures, 'back to the fixtures');

  t.same((await ctl(app, 'POST', '/_mock/reset?To=empty')).body, { ConversationCount: 0 });
  t.equal([...app.mock.store.conversations()].length, 0);
  await fails(t, app, RR, seedReceipt, 400, 'InvalidParameter.NotExistConversation');

  // one AppId: seed AppId back from the fixtures, AppId 42 left alone
  await ctl(app, 'PUT', '/_mock/state', { Conversations: [convDoc(42, 5n, 6n)] });
  const one = await ctl(app, 'POST', `/_mock/reset?AppId=${SEED_APP}`);
  t.equal(one.status, 200);
  t.ok(one.body.ConversationCount > 0);
  await ok(t, app, RR, seedReceipt);
  await ok(t, app, RR, { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] });
  // one AppId emptied
  t.same((await ctl(app, 'POST', '/_mock/reset?AppId=42&To=empty')).body, { ConversationCount: 0 });
  await fails(t, app, RR, { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] }, 400, 'InvalidParameter.NotExistConversation');
  await ok(t, app, RR, seedReceipt);

  const snap = snapshot(app);
  await refused(t, app, 'POST', '/_mock/reset?To=nothing');
  await refused(t, app, 'POST', '/_mock/reset?AppId=-1');
  await refused(t, app, 'POST', '/_mock/reset?AppId=1&AppId=2');
  t.equal(snapshot(app), snap);
});

t.test('reset with a fixture document reloads that document', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [convDoc(42, 5n, 6n)] } });
  await ctl(app, 'POST', '/_mock/reset?To=empty');
  t.same((await ctl(app, 'POST', '/_mock/reset')).body, { ConversationCount: 1 });
  await ok(t, app, RR, { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] });
});

t.test('reset clears journal, faults and rate buckets (all, or one AppId)', async (t) => {
  const app = await makeApp(t, { rateLimit: 1, fixtureDoc: { Conversations: [convDoc(42, 5n, 6n), convDoc(43, 7n, 8n)] } });
  const a42 = { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] };
  const a43 = { AppId: 43, ConversationShortId: 7n, MessageIds: [8n] };
  await ok(t, app, RR, a42);
  await fails(t, app, RR, a43, 429, 'FlowLimitExceeded');
  await ctl(app, 'POST', '/_mock/faults', { AppId: 42, DelayMs: 1 });
  await ctl(app, 'POST', '/_mock/faults', { AppId: 43, DelayMs: 1 });
  t.equal(app.mock.journal.size, 2);

  // one AppId: its journal records and faults go, the rest (and the rate buckets) stay
  await ctl(app, 'POST', '/_mock/reset?AppId=42');
  t.same((await ctl(app, 'GET', '/_mock/requests')).body.Requests.map((r: any) => r.AppId), [43]);
  t.same((await ctl(app, 'GET', '/_mock/faults')).body.Faults.map((f: any) => f.AppId), [43]);
  await fails(t, app, RR, a42, 429, 'FlowLimitExceeded');

  await ctl(app, 'POST', '/_mock/reset');
  t.same((await ctl(app, 'GET', '/_mock/requests')).body, { Requests: [] });
  t.same((await ctl(app, 'GET', '/_mock/faults')).body, { Faults: [] });
  await ok(t, app, RR, a42); // the bucket is full again
});

t.test('two scenarios separated by a reset', async (t) => {
  const app = await makeApp(t);
  // scenario 1: a world of its own, a fault, some calls
  await ctl(app, 'PUT', '/_mock/state', { Conversations: [convDoc(42, 5n, 6n)] });
  await ctl(app, 'POST', '/_mock/faults', { Action: RR, Error: { Code: 'InternalError', HttpStatus: 500 } });
  await fails(t, app, RR, { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] }, 500, 'InternalError');
  t.equal((await ctl(app, 'GET', '/_mock/requests')).body.Requests.length, 1);

  await ctl(app, 'POST', '/_mock/reset');

  // scenario 2 starts from the fixtures, with no fault and an empty journal
  const r = await ok(t, app, RR, seedReceipt);
  t.same(r.ReadReceipt[0].UnReadUserIds, [30341]);
  await fails(t, app, RR, { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] }, 400, 'InvalidParameter.NotExistConversation');
  const j = (await ctl(app, 'GET', '/_mock/requests')).body.Requests;
  t.same(j.map((x: any) => [x.AppId, x.HttpStatus, x.ErrorCode]), [[SEED_APP, 200, null], [42, 400, 'InvalidParameter.NotExistConversation']]);
});

t.test('journal: record shape, oldest first, filters, Limit, DELETE', async (t) => {
  const clock = new MockClock(() => 1_767_225_600_000);
  const app = await makeApp(t, { clock });
  const first = await call(app, RR, seedReceipt, { headers: { authorization: 'HMAC-SHA256 Credential=AKTEST/20260101/cn-north-1/rtc/request, SignedHeaders=x-date, Signature=00' } });
  clock.advance(1000);
  await call(app, RR, { AppId: 7, ConversationShortId: 1, MessageIds: [1] });
  await call(app, RR, { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [] });
  await call(app, 'NoSuchAction', {});
  await ctl(app, 'GET', '/_mock/state'); // control routes are never journaled

  const all = (await ctl(app, 'GET', '/_mock/requests')).body.Requests;
  t.equal(all.length, 4);
  t.same(Object.keys(all[0]), ['RequestId', 'Time', 'Action', 'Version', 'AppId', 'AccessKeyId', 'HttpStatus', 'ErrorCode', 'DurationMs', 'Body', 'RawBody']);
  t.match(all[0], {
    RequestId: first.headers['x-request-id'], Time: 1_767_225_600_000, Action: RR, Version: '2020-12-01', AppId: SEED_APP,
    AccessKeyId: 'AKTEST', HttpStatus: 200, ErrorCode: null, Body: { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] },
  });
  t.type(all[0].DurationMs, 'number');
  t.ok(all[0].DurationMs >= 0);
  t.match(all[1], { Time: 1_767_225_601_000, AppId: 7, AccessKeyId: 'anonymous', HttpStatus: 400, ErrorCode: 'InvalidParameter.NotExistConversation' });
  t.match(all[2], { HttpStatus: 400, ErrorCode: 'InvalidParameter' });
  t.match(all[3], { Action: 'NoSuchAction', HttpStatus: 404, ErrorCode: 'InvalidActionOrVersion', AppId: null, Body: null });

  const q = async (qs: string) => (await ctl(app, 'GET', `/_mock/requests?${qs}`)).body.Requests.map((r: any) => r.RequestId);
  const ids = all.map((r: any) => r.RequestId);
  t.same(await q(`Action=${RR}`), ids.slice(0, 3));
  t.same(await q(`AppId=${SEED_APP}`), [ids[0], ids[2]]);
  t.same(await q('ErrorCode=InvalidParameter'), [ids[2]]);
  t.same(await q('Limit=2'), ids.slice(2), 'Limit keeps the newest, oldest first');
  t.same(await q(`Action=${RR}&Limit=2`), ids.slice(1, 3));
  t.same(await q('Limit=0'), []);
  t.same(await q('Action=Nope'), []);
  for (const bad of ['Limit=-1', 'Limit=x', 'AppId=0', 'Foo=1', 'Action=a&Action=b']) await refused(t, app, 'GET', `/_mock/requests?${bad}`);

  const del = await ctl(app, 'DELETE', '/_mock/requests');
  t.same(del.body, { Removed: 4 });
  t.same((await ctl(app, 'GET', '/_mock/requests')).body, { Requests: [] });
});

t.test('journal: a rate-limited call is journaled with its AppId; control routes are never limited', async (t) => {
  const app = await makeApp(t, { rateLimit: 1 });
  await ok(t, app, RR, seedReceipt);
  await fails(t, app, RR, seedReceipt, 429, 'FlowLimitExceeded');
  for (let i = 0; i < 20; i++) t.equal((await ctl(app, 'GET', '/_mock/state')).status, 200);
  const limited = (await ctl(app, 'GET', '/_mock/requests?ErrorCode=FlowLimitExceeded')).body.Requests;
  t.equal(limited.length, 1);
  t.match(limited[0], { AppId: SEED_APP, HttpStatus: 429, Body: { MessageIds: [SEED_MSG] } });
});

t.test('journal stays bounded: 5000 calls through a journal of 100', async (t) => {
  const app = await makeApp(t, { journalSize: 100 });
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push((await call(app, RR, seedReceipt)).headers['x-request-id'] as string);
  t.equal(app.mock.journal.size, 100);
  const kept = (await ctl(app, 'GET', '/_mock/requests')).body.Requests.map((r: any) => r.RequestId);
  t.same(kept, ids.slice(-100), 'the newest 100, oldest first; the oldest 4900 dropped');
});

t.test('Journal ring buffer', async (t) => {
  const rec = (n: number) => ({ requestId: String(n), time: n, action: 'A', version: 'v', appId: n % 2 ? 1 : 2, accessKeyId: 'k', httpStatus: 200, durationMs: 0, body: null });
  const j = new Journal(3);
  for (let i = 1; i <= 5; i++) j.add(rec(i));
  t.same([...j.records()].map((r) => r.requestId), ['3', '4', '5']);
  t.same(j.select((r) => r.appId === 1).map((r) => r.requestId), ['3', '5']);
  t.equal(j.remove((r) => r.appId === 1), 2);
  t.same([...j.records()].map((r) => r.requestId), ['4']);
  j.add(rec(6)); j.add(rec(7)); j.add(rec(8));
  t.same([...j.records()].map((r) => r.requestId), ['6', '7', '8']);
  const off = new Journal(0);
  off.add(rec(1));
  t.equal(off.size, 0, 'size 0 keeps nothing');
});

t.test('Journal columns give back every field as it was added', async (t) => {
  const j = new Journal(2);
  const body = Buffer.from('{"AppId":1,"Content":"héllo ✓"}');
  const long = 'R'.repeat(60);
  j.add({ requestId: '20260101000000ABCDEF0123456789ABCDEF', time: 1.5, action: 'SendMessage', version: '2020-12-01', appId: 7, accessKeyId: 'AK', httpStatus: 400, errorCode: 'InvalidParameter', durationMs: 0.25, rawBody: body });
  body.fill(0); // the journal holds a copy, not the caller's buffer
  j.add({ requestId: long, time: 2, action: 'Nope', version: 'x', appId: undefined, accessKeyId: 'anonymous', httpStatus: 200, durationMs: 1, rawBody: undefined });
  const [a, b] = [...j.records()];
  t.same({ ...a, rawBody: a.rawBody?.toString() }, { requestId: '20260101000000ABCDEF0123456789ABCDEF', time: 1.5, action: 'SendMessage', version: '2020-12-01', appId: 7, accessKeyId: 'AK', httpStatus: 400, errorCode: 'InvalidParameter', durationMs: 0.25, rawBody: '{"AppId":1,"Content":"héllo ✓"}' });
  t.same(b, { requestId: long, time: 2, action: 'Nope', version: 'x', appId: undefined, accessKeyId: 'anonymous', httpStatus: 200, errorCode: undefined, durationMs: 1, rawBody: undefined }, 'a RequestId too long for its slot, no AppId, no body');
  // a slot grown by a large body, then given a small one: only the small body's bytes come back
  j.add({ ...a, requestId: 'id-\u0100', rawBody: Buffer.alloc(20_000, 'x') });
  j.add({ ...a, requestId: 'small', rawBody: Buffer.from('{}') });
  j.add({ ...a, requestId: 'small2', rawBody: Buffer.from('[1]') });
  t.same([...j.records()].map((r) => [r.requestId, r.rawBody?.toString()]), [['small', '{}'], ['small2', '[1]']]);
  j.add({ ...a, requestId: 'Ā-not-latin1', rawBody: Buffer.from('{"a":1}') });
  t.equal([...j.records()][1].requestId, 'Ā-not-latin1', 'a RequestId latin1 cannot hold is kept as it is');

  // memory: a spike of 64 KiB bodies is given back as small bodies (or none) take the slots again, and by a reset
  const big = new Journal(1000);
  const rec = (n: number, rawBody?: Buffer) => ({ ...a, requestId: `id${n}`, time: n, rawBody });
  for (let n = 0; n < 1000; n++) big.add(rec(n, Buffer.alloc(64 * 1024, 'x')));
  t.ok(big.bodyBytes >= 1000 * 64 * 1024, 'the spike is held while it is the newest');
  for (let n = 0; n < 500; n++) big.add(rec(n, Buffer.from(`{"n":${n}}`)));
  for (let n = 0; n < 500; n++) big.add(rec(n));
  t.ok(big.bodyBytes <= 500 * 128, `given back as small bodies and none replace it (${big.bodyBytes} bytes held)`);
  for (let n = 0; n < 1000; n++) big.add(rec(n, Buffer.alloc(64 * 1024, 'x')));
  t.equal(big.remove(), 1000);
  t.equal(big.bodyBytes, 0, 'a reset gives everything back');
  // the columns grow as the journal fills (they start at 256 slots): every record reads back, in order
  for (let n = 0; n < 700; n++) big.add(rec(n, Buffer.from(String(n))));
  const back = [...big.records()];
  t.same(back.map((r) => r.requestId), Array.from({ length: 700 }, (_, n) => `id${n}`));
  t.ok(back.every((r, n) => r.time === n && r.rawBody?.toString() === String(n)), 'times and bodies kept across growth');
  t.same(big.select((r) => r.time % 100 === 0, 3).map((r) => r.rawBody?.toString()), ['400', '500', '600'], 'select: newest matches, oldest first, with bodies');
});

t.test('DurationMs is real elapsed time, not the mock clock', async (t) => {
  const app = await makeApp(t); // the clock is frozen
  await ctl(app, 'POST', '/_mock/faults', { DelayMs: 30, Times: 1 });
  const started = performance.now();
  await ok(t, app, RR, seedReceipt);
  t.ok(performance.now() - started >= 25, 'the delay was awaited');
  const [r] = (await ctl(app, 'GET', '/_mock/requests')).body.Requests;
  t.ok(r.DurationMs >= 25, `DurationMs ${r.DurationMs} counts the delay`);
  t.equal(r.Time, 1_767_225_600_000, 'Time is the mock clock');
});

t.test('faults: a 429 twice, then the client retry succeeds', async (t) => {
  const app = await makeApp(t);
  const add = await ctl(app, 'POST', '/_mock/faults', { Action: RR, Times: 2, Error: { Code: 'FlowLimitExceeded', HttpStatus: 429 } });
  t.equal(add.status, 200);
  t.same(add.body, { Id: 1 });
  t.match((await ctl(app, 'GET', '/_mock/faults')).body.Faults, [{ Id: 1, Action: RR, Times: 2, Error: { Code: 'FlowLimitExceeded', HttpStatus: 429 }, Fired: 0 }]);

  const statuses: number[] = [];
  let answer;
  for (let attempt = 0; attempt < 5; attempt++) { // a client's retry loop
    answer = await call(app, RR, seedReceipt);
    statuses.push(answer.status);
    if (answer.status === 200) break;
    if (attempt === 0) {
      t.same(answer.body.ResponseMetadata.Error, { CodeN: 100018, Code: 'FlowLimitExceeded', Message: 'Flow limit exceeded: injected by fault 1.' });
      t.equal(answer.body.ResponseMetadata.Action, RR);
      t.match((await ctl(app, 'GET', '/_mock/faults')).body.Faults, [{ Id: 1, Times: 1, Fired: 1 }], 'remaining Times');
    }
  }
  t.same(statuses, [429, 429, 200]);
  t.same(answer!.body.Result.ReadReceipt[0].UnReadUserIds, [30341]);
  t.same((await ctl(app, 'GET', '/_mock/faults')).body, { Faults: [] }, 'removed once Times ran out');
  t.same((await ctl(app, 'GET', '/_mock/requests')).body.Requests.map((r: any) => r.ErrorCode), ['FlowLimitExceeded', 'FlowLimitExceeded', null]);
});

t.test('faults: custom error, AppId and Action scoping, order', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [convDoc(42, 5n, 6n), convDoc(43, 7n, 8n)] } });
  const a42 = { AppId: 42, ConversationShortId: 5n, MessageIds: [6n] };
  const a43 = { AppId: 43, ConversationShortId: 7n, MessageIds: [8n] };
  await ctl(app, 'POST', '/_mock/faults', { AppId: 42, Error: { Code: 'Custom.Thing', HttpStatus: 503, CodeN: 7, Message: 'down for tests' } });
  await ctl(app, 'POST', '/_mock/faults', { Action: 'SendMessage', Error: { Code: 'InternalError', HttpStatus: 500 } });
  const e = await fails(t, app, RR, a42, 503, 'Custom.Thing');
  t.same(e, { CodeN: 7, Code: 'Custom.Thing', Message: 'down for tests' });
  await ok(t, app, RR, a43); // other AppId, and the SendMessage rule does not match this Action
  const plain = await ctl(app, 'POST', '/_mock/faults', { Error: { Code: 'NoCodeN', HttpStatus: 500 } });
  t.equal(plain.body.Id, 3);
  const e2 = await fails(t, app, RR, a43, 500, 'NoCodeN');
  t.same(e2, { Code: 'NoCodeN', Message: 'Injected by fault 3.' }, 'no CodeN for a code outside the catalog');
});

t.test('faults apply after validation and change no state', async (t) => {
  const app = await makeApp(t);
  await ctl(app, 'POST', '/_mock/faults', { Times: 1, Error: { Code: 'InternalError', HttpStatus: 500 } });
  await fails(t, app, RR, { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [] }, 400, 'InvalidParameter');
  t.match((await ctl(app, 'GET', '/_mock/faults')).body.Faults, [{ Id: 1, Times: 1, Fired: 0 }], 'an invalid request does not use up the fault');
  const snap = snapshot(app);
  await fails(t, app, RR, seedReceipt, 500, 'InternalError');
  t.equal(snapshot(app), snap);
  await ok(t, app, RR, seedReceipt);
});

t.test('faults: Probability draws from the seeded generator', async (t) => {
  const pattern = async (seed: number) => {
    const app = await makeApp(t, { seed });
    await ctl(app, 'POST', '/_mock/faults', { Probability: 0.5, Error: { Code: 'InternalError', HttpStatus: 500 } });
    const out: number[] = [];
    for (let i = 0; i < 40; i++) out.push((await call(app, RR, seedReceipt)).status);
    return out;
  };
  const a = await pattern(11);
  t.same(await pattern(11), a, 'same seed, same draws');
  t.ok(a.includes(500) && a.includes(200), `about half fail: ${a.filter((s) => s === 500).length}/40`);
  t.notSame(await pattern(12), a, 'another seed, other draws');

  const app = await makeApp(t);
  await ctl(app, 'POST', '/_mock/faults', { Probability: 0, Error: { Code: 'InternalError', HttpStatus: 500 } });
  await ctl(app, 'POST', '/_mock/faults', { Probability: 1, Times: 1, Error: { Code: 'Second', HttpStatus: 418 } });
  await fails(t, app, RR, seedReceipt, 418, 'Second');
  for (let i = 0; i < 10; i++) await ok(t, app, RR, seedReceipt);
});

t.test('faults: list, delete one, delete all', async (t) => {
  const app = await makeApp(t);
  for (let i = 0; i < 3; i++) await ctl(app, 'POST', '/_mock/faults', { DelayMs: 1, AppId: 100 + i });
  t.same((await ctl(app, 'GET', '/_mock/faults')).body.Faults.map((f: any) => f.Id), [1, 2, 3]);
  t.same((await ctl(app, 'DELETE', '/_mock/faults/2')).body, { Removed: 1 });
  t.same((await ctl(app, 'GET', '/_mock/faults')).body.Faults.map((f: any) => f.Id), [1, 3]);
  const missing = await ctl(app, 'DELETE', '/_mock/faults/2');
  t.equal(missing.status, 404);
  t.equal(missing.body.Error.Code, 'NotFound');
  t.equal((await ctl(app, 'DELETE', '/_mock/faults/abc')).status, 404);
  t.same((await ctl(app, 'DELETE', '/_mock/faults')).body, { Removed: 2 });
  t.same((await ctl(app, 'GET', '/_mock/faults')).body, { Faults: [] });
  t.same((await ctl(app, 'POST', '/_mock/faults', { DelayMs: 1 })).body, { Id: 4 }, 'Ids are not reused after a delete');
  await ctl(app, 'POST', '/_mock/reset');
  t.same((await ctl(app, 'POST', '/_mock/faults', { DelayMs: 1 })).body, { Id: 1 }, 'a full reset restarts them');
});

t.test('faults: bad rules are 400 and add nothing', async (t) => {
  const app = await makeApp(t);
  await ctl(app, 'POST', '/_mock/faults', { DelayMs: 1 });
  const before = (await ctl(app, 'GET', '/_mock/faults')).text;
  const err = { Code: 'X', HttpStatus: 500 };
  const cases: [unknown, RegExp][] = [
    [{ Error: err, Color: 'red' }, /Color: unknown field/],
    [{ Error: { ...err, Extra: 1 } }, /Error\.Extra: unknown field/],
    [{ Error: { Code: 'X', HttpStatus: 600 } }, /HttpStatus/],
    [{ Error: { Code: 'X', HttpStatus: 399 } }, /HttpStatus/],
    [{ Error: { Code: 'X', HttpStatus: '500' } }, /HttpStatus/],
    [{ Error: { HttpStatus: 500 } }, /Code: is required/],
    [{ Error: { Code: 'X' } }, /HttpStatus: is required/],
    [{ Error: { Code: 'X', HttpStatus: 500, Message: 5 } }, /Message/],
    [{ Error: 'boom' }, /Error: must be a JSON object/],
    [{ Error: err, Probability: 1.5 }, /Probability/],
    [{ Error: err, Probability: '0.5' }, /Probability/],
    [{ Error: err, Times: 0 }, /Times/],
    [{ Error: err, Times: 1.5 }, /Times/],
    [{ Error: err, AppId: 'x' }, /AppId/],
    [{ Error: err, Action: 'NoSuchAction' }, /Action/],
    [{ Error: err, Action: 5 }, /Action/],
    [{ DelayMs: -1 }, /DelayMs/],
    [{ Drop: 'yes' }, /Drop/],
    [{ Drop: true, Error: err }, /exclude/],
    [{ Action: RR }, /give an effect/],
    [{ DelayMs: 0, Drop: false }, /give an effect/],
    [[], /JSON object/],
    ['{"Error":', /not valid JSON/],
  ];
  for (const [body, message] of cases) t.match(await refused(t, app, 'POST', '/_mock/faults', body), message);
  t.equal((await ctl(app, 'GET', '/_mock/faults')).text, before, 'nothing added');
  t.equal((await ctl(app, 'POST', '/_mock/faults')).status, 400, 'no body');
});

t.test('faults: Drop over real HTTP, then the retry succeeds', async (t) => {
  const app = await makeApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, method = 'POST') => fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: stringifyJson(body) });
  t.equal((await post('/_mock/faults', { Action: RR, Times: 1, Drop: true })).status, 200);
  const path = `/?Action=${RR}&Version=2020-12-01`;
  await t.rejects(post(path, seedReceipt), 'the connection is dropped: fetch rejects');
  const retry = await post(path, seedReceipt);
  t.equal(retry.status, 200);
  t.same((parseJson(await retry.text()) as any).Result.ReadReceipt[0].UnReadUserIds, [30341]);
  const journal = parseJson(await (await fetch(`${url}/_mock/requests`)).text()) as any;
  t.same(journal.Requests.map((r: any) => r.HttpStatus), [0, 200], 'a dropped call is journaled with HttpStatus 0');
  t.equal((await fetch(`${url}/_mock/health`)).status, 200, 'the server is fine');
});

t.test('faults: Drop through inject rejects the injected call', async (t) => {
  const app = await makeApp(t);
  await ctl(app, 'POST', '/_mock/faults', { Times: 1, Drop: true, DelayMs: 5 });
  await t.rejects(call(app, RR, seedReceipt));
  await ok(t, app, RR, seedReceipt);
});

t.test('clock: freeze, advance, back to real time', async (t) => {
  const clock = new MockClock(() => 1_767_225_600_000 + 123); // "real" time
  const app = await makeApp(t, { clock });
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: 1_767_225_600_123, Fixed: false });
  const set = await ctl(app, 'POST', '/_mock/clock', { NowMs: 1_700_000_000_000 }); // 2023-11-15T06:13:20+08:00
  t.same(set.body, { NowMs: 1_700_000_000_000, Fixed: true });
  const a = await call(app, RR, seedReceipt);
  t.match(a.headers['x-request-id'], /^20231115061320[0-9A-F]{20}$/, 'RequestId time follows the clock');
  t.same((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: 60_000 })).body, { NowMs: 1_700_000_060_000, Fixed: true });
  t.equal(clock.now(), 1_700_000_060_000);
  t.same((await ctl(app, 'DELETE', '/_mock/clock')).body, { NowMs: 1_767_225_600_123, Fixed: false });

  for (const bad of [{}, { NowMs: 1, AdvanceMs: 1 }, { NowMs: '1' }, { NowMs: -1 }, { NowMs: 1.5 }, { AdvanceMs: 1, Speed: 2 }, { NowMs: 99999999999999999999n }]) {
    await refused(t, app, 'POST', '/_mock/clock', bad);
  }
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: 1_767_225_600_123, Fixed: false }, 'unchanged');
});

t.test('clock drives the token buckets', async (t) => {
  const app = await makeApp(t, { rateLimit: 1 });
  await ok(t, app, RR, seedReceipt);
  await fails(t, app, RR, seedReceipt, 429, 'FlowLimitExceeded');
  await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: 1000 });
  await ok(t, app, RR, seedReceipt);
});

t.test('--seed: same seed and clock, same requests -> same RequestIds and ids; also after a reset', async (t) => {
  const run = async (app: FastifyInstance) => {
    const out: string[] = [];
    for (let i = 0; i < 5; i++) out.push((await call(app, RR, i % 2 ? seedReceipt : { AppId: 1, ConversationShortId: 1, MessageIds: [1] })).headers['x-request-id'] as string);
    await call(app, 'Nope', {});
    out.push(String(app.mock.store.newId()));
    return out;
  };
  const a = await makeApp(t, { seed: 42 });
  const b = await makeApp(t, { seed: 42 });
  const c = await makeApp(t, { seed: 43 });
  const first = await run(a);
  t.equal(new Set(first).size, first.length, 'all different');
  t.same(await run(b), first, 'another app with the same seed');
  t.notSame(await run(c), first, 'another seed');
  await ctl(a, 'GET', '/_mock/state'); // control calls draw nothing
  await ctl(a, 'POST', '/_mock/reset');
  t.same(await run(a), first, 'the same after a reset');
});

t.test('--admin-token guards every control route but health', async (t) => {
  const app = await makeApp(t, { adminToken: 's3cret' });
  t.equal((await ctl(app, 'GET', '/_mock/health')).status, 200, 'health is open');
  const routes: [string, string, unknown?][] = [
    ['GET', '/_mock/ready'], ['GET', '/_mock/state'], ['PUT', '/_mock/state', { Conversations: [] }], ['POST', '/_mock/reset?To=empty'],
    ['GET', '/_mock/requests'], ['DELETE', '/_mock/requests'], ['POST', '/_mock/faults', { DelayMs: 1 }], ['GET', '/_mock/faults'],
    ['DELETE', '/_mock/faults'], ['DELETE', '/_mock/faults/1'], ['POST', '/_mock/clock', { NowMs: 1 }], ['GET', '/_mock/clock'],
    ['DELETE', '/_mock/clock'], ['GET', '/_mock/actions'],
  ];
  const snap = snapshot(app);
  for (const [method, url, body] of routes) {
    for (const auth of [undefined, 'Bearer wrong', 's3cret', 'Basic s3cret']) {
      const a = await ctl(app, method, url, body, auth ? { authorization: auth } : {});
      t.equal(a.status, 401, `${method} ${url} with ${auth ?? 'no token'} -> 401`);
      t.equal(a.body.Error.Code, 'Unauthorized');
    }
  }
  t.equal(snapshot(app), snap, 'nothing changed');
  const good = { authorization: 'Bearer s3cret' };
  t.equal((await ctl(app, 'GET', '/_mock/ready', undefined, good)).status, 200);
  t.same((await ctl(app, 'POST', '/_mock/faults', { DelayMs: 1 }, good)).body, { Id: 1 });
  t.same((await ctl(app, 'POST', '/_mock/reset?To=empty', undefined, good)).body, { ConversationCount: 0 });
  t.equal((await ctl(app, 'GET', '/_mock/nope')).status, 401, 'unknown control routes too');
  await fails(t, app, RR, seedReceipt, 400, 'InvalidParameter.NotExistConversation'); // the vendor endpoint needs no token
});

t.test('config: --journal-size and --admin-token, flag or env', async (t) => {
  t.equal(parseConfig([], {}).journalSize, 1000);
  t.equal(parseConfig([], {}).adminToken, undefined);
  t.equal(parseConfig(['--journal-size', '5'], { VOLC_MOCK_JOURNAL_SIZE: '7' }).journalSize, 5);
  t.equal(parseConfig([], { VOLC_MOCK_JOURNAL_SIZE: '7' }).journalSize, 7);
  t.throws(() => parseConfig(['--journal-size=-1'], {}), /--journal-size=-1: must be an integer/);
  t.equal(parseConfig([], { VOLC_MOCK_ADMIN_TOKEN: 'tok' }).adminToken, 'tok');
  t.equal(parseConfig(['--admin-token', 'flag'], { VOLC_MOCK_ADMIN_TOKEN: 'tok' }).adminToken, 'flag');
});

t.test('healthcheck: 0 against a listening app, 1 against a closed port', async (t) => {
  const app = await makeApp(t, { adminToken: 'x' }); // health stays open with a token
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  t.equal(await isHealthy(port), true);
  const closed = await makeApp(t);
  await closed.listen({ port: 0, host: '127.0.0.1' });
  const closedPort = (closed.server.address() as { port: number }).port;
  await closed.close();
  t.equal(await isHealthy(closedPort), false);

  const bin = new URL('../dist/healthcheck.js', import.meta.url);
  ensureBuilt();
  t.ok(existsSync(bin), 'dist/healthcheck.js is built');
  // spawnSync would block the event loop that serves the app: run the child asynchronously
  const { spawn } = await import('node:child_process');
  const exitCode = (p: string) => new Promise<number | null>((resolve) => {
    spawn(process.execPath, [bin.pathname], { env: { ...process.env, PORT: p }, stdio: 'ignore' }).on('exit', resolve);
  });
  t.equal(await exitCode(String(port)), 0, 'the command exits 0');
  t.equal(await exitCode(String(closedPort)), 1, 'and 1 on a closed port');
});

t.test('with a data file, reset reloads the fixtures (not the data file) and rewrites the file', async (t) => {
  const { writeFileSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const file = join(t.testdir(), 'data.json');
  writeFileSync(file, stringifyJson({ Conversations: [convDoc(42, 5n, 6n)] }));
  const app = await makeApp(t, { data: file, flushIntervalMs: 5 });
  t.same(app.mock.store.appIds(), [42], 'started from the data file');
  t.equal((await ctl(app, 'POST', '/_mock/reset')).status, 200);
  t.same(app.mock.store.appIds(), [SEED_APP], 'reset went back to the fixtures');
  await app.mock.store.flush();
  const onDisk = parseJson(readFileSync(file, 'utf8')) as any;
  t.same(onDisk.Conversations.map((c: any) => c.ConversationShortId).sort(), [...app.mock.store.conversations()].map((c) => c.shortId).sort());
  t.ok(onDisk.Conversations.some((c: any) => c.ConversationShortId === SEED_CONV), 'the file holds the fixtures now');
});

t.test('review fixes: the journal does not keep bodies over 64 KiB; made-up access keys cannot grow the rate limiter', async (t) => {
  const app = await makeApp(t, { rateLimit: undefined });
  const big = { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG], Padding: 'x'.repeat(70 * 1024) };
  await ok(t, app, 'GetMessagesReadReceipt', big);
  await ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  const j = await ctl(app, 'GET', '/_mock/requests');
  t.equal(j.body.Requests[0].Body, null, 'the 70 KiB body is not kept');
  t.equal(j.body.Requests[0].AppId, SEED_APP, 'the record still names its AppId');
  t.same(j.body.Requests[1].Body.MessageIds, [SEED_MSG], 'a small body is kept');

  const limiter = new RateLimiter(app.mock.clock, undefined);
  for (let i = 0; i < 25_000; i++) {
    if (i % 5000 === 0) app.mock.clock.advance(2000);
    limiter.take('GetMessagesReadReceipt', 100, `AK${i}`);
  }
  t.ok((limiter as any).buckets.size <= 10_000, `buckets stay bounded (${(limiter as any).buckets.size})`);
});
