// Callbacks to the application's server (mock-contract §11): a real HTTP receiver on a free port checks the signed
// envelope, the after-send events of SendMessage and BatchSendMessage, order, retries, a receiver that never answers,
// flush, and the before-send decision through /_mock/client/send. Timers go through a ManualScheduler: no test sleeps.
import t, { type Test } from 'tap';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, ok, snapshot, ensureBuilt, startServer, cleanEnv, SEED_APP, SEED_CONV, GROUP_CONV } from './helpers.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { MockClock } from '../src/protocol/clock.js';
import { verifyCallback, ManualScheduler, startMock } from '../src/index.js';
import { callbackSignature } from '../src/callbacks/signature.js';
import fc from 'fast-check';
import { parseConfig, PACKAGE_ROOT } from '../src/config.js';
import type { CallbackOptions } from '../src/callbacks/index.js';

const SECRET = 'callback-secret-1';
const NOW = 1_767_225_600_000; // the helpers' frozen clock: 2026-01-01T00:00:00Z
const TWO_53 = 2n ** 53n;
const FIELDS = ['EventType', 'EventData', 'EventTime', 'EventId', 'AppId', 'Version', 'Signature', 'Nonce'];

interface Received { text: string; body: Record<string, string>; data: any; respond(status: number, body?: string): void }

/** A receiver on a free loopback port. `answer` decides each request (default 200 {"CheckCode":"0"}); returning
 * 'hold' leaves it unanswered until the test calls respond(). */
async function receiver(t: Test, answer: (r: Received, n: number) => { status: number; body?: string } | 'hold' = () => ({ status: 200, body: '{"CheckCode":"0"}' })) {
  const got: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text);
      const r: Received = { text, body, data: parseJson(body.EventData), respond: (status, b = '') => { res.writeHead(status, { 'content-type': 'application/json' }).end(b); } };
      got.push(r);
      const a = answer(r, got.length);
      if (a !== 'hold') r.respond(a.status, a.body);
      for (const w of waiters.filter((w) => got.length >= w.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/im/callback`,
    got,
    /** resolves once n requests have arrived */
    next: (n: number) => (got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/** The signature as the vendor's page computes it (docs/6348/293101), written apart from the emulator's: the eight
 * values as UTF-8 byte strings, sorted byte by byte (Go's sort.Strings), joined, SHA-256, hex. */
function independentSignature(body: Record<string, string>, secret: string): string {
  const values = [body.EventType, body.EventData, body.EventTime, body.EventId, body.AppId, body.Version, body.Nonce, secret]
    .map((v) => [...new TextEncoder().encode(v)]);
  values.sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  });
  return createHash('sha256').update(Buffer.from(values.flat())).digest('hex');
}

async function appWith(t: Test, callbacks: CallbackOptions, opts: { clock?: MockClock } = {}): Promise<FastifyInstance> {
  return makeApp(t, { callbacks, ...opts });
}

const send = (text: string, extra: Record<string, unknown> = {}) =>
  ({ AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 30340, MsgType: 10001, Content: JSON.stringify({ text }), ...extra });

async function control(app: FastifyInstance, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: body === undefined ? {} : { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined };
}

const deliveries = async (app: FastifyInstance, q = '') => (await control(app, 'GET', `/_mock/callbacks/deliveries${q}`)).body;
const flush = async (app: FastifyInstance) => (await control(app, 'POST', '/_mock/callbacks/flush')).body;

t.test('SendMessage: one signed body with the eight fields, EventData int64-exact, EventTime by the mock clock', async (t) => {
  const rx = await receiver(t);
  const app = await appWith(t, { url: rx.url, secretKey: SECRET });
  const r = await ok(t, app, 'SendMessage', send('hello'));
  t.ok(r.MessageId > TWO_53, 'a generated MessageId above 2^53');
  t.same(await flush(app), { Pending: 0 });
  t.equal(rx.got.length, 1, 'one delivery');
  const { body, text, data } = rx.got[0];
  t.same(Object.keys(body), FIELDS, 'the eight fields, in the vendor table order');
  for (const f of FIELDS) t.type(body[f], 'string', `${f} is a string`);
  t.equal(body.EventType, 'SendMessage');
  t.equal(body.AppId, String(SEED_APP));
  t.equal(body.Version, '2020-12-01');
  t.match(body.Nonce, /^[0-9A-Za-z]{4}$/);
  t.match(body.EventId, /^[0-9a-f]{32}$/);
  t.equal(body.EventTime, '2026-01-01T00:00:00.000000000Z', 'RFC 3339 UTC with nanoseconds, by the mock clock');
  t.equal(body.Signature, independentSignature(body, SECRET), 'signature computed independently');
  t.ok(verifyCallback(text, SECRET), 'verifyCallback accepts the raw body');
  t.ok(verifyCallback(body, SECRET), 'and the parsed one');
  t.notOk(verifyCallback(text, 'another-secret'), 'another secret does not verify');
  t.notOk(verifyCallback({ ...body, EventData: body.EventData.replace('hello', 'hellO') }, SECRET), 'a changed EventData does not verify');
  // int64 exact: the digits in the JSON text are the API's own
  t.match(body.EventData, new RegExp(`"MessageId":${r.MessageId}[,}]`));
  t.match(body.EventData, /"ConversationShortId":1691070514797524328[,}]/);
  t.equal(data.MessageId, r.MessageId);
  t.equal(data.ConversationShortId, SEED_CONV);
  t.same(Object.keys(data).slice(0, 7), ['AppId', 'ConversationShortId', 'ConversationType', 'MessageId', 'MsgType', 'Content', 'Sender']);
  t.equal(data.ConversationType, 1);
  t.equal(data.Content, JSON.stringify({ text: 'hello' }));
  t.equal(data.Sender, 30340);
  t.equal(data.CreateTime, NOW);
  const got = await ok(t, app, 'GetMessages', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [r.MessageId] });
  t.equal(stringifyJson(data), stringifyJson(got.Messages[0]), 'EventData is the message as GetMessages returns it');
  // the next event, 1234 ms later by the mock clock
  app.mock.clock.advance(1234);
  await ok(t, app, 'SendMessage', send('later'));
  await flush(app);
  t.equal(rx.got[1].body.EventTime, '2026-01-01T00:00:01.234000000Z');
  t.not(rx.got[1].body.EventId, body.EventId, 'EventIds are unique');
  const d = await deliveries(app);
  t.equal(d.Deliveries.length, 2);
  t.match(d.Deliveries[0], { EventType: 'SendMessage', AppId: SEED_APP, ConversationShortId: SEED_CONV, Attempt: 1, Status: 'ok', HttpStatus: 200, Answer: '{"CheckCode":"0"}', WillRetry: false, Url: rx.url });
  t.equal(d.Deliveries[0].Body.Signature, body.Signature, 'the journal keeps the body as sent');
});

t.test('the signer agrees with the independent byte-order computation on any strings, on both its paths (property)', async (t) => {
  // the signer sorts strings directly when no value reaches U+D800 (low) and by UTF-8 bytes when one does (high):
  // values drawn from below U+D800 only, then from ASCII, the BMP below the surrogates, U+E000-U+FFFF and astral
  // characters mixed; each run counts which path its input takes, so a property that never reaches one fails
  const char = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCodePoint(c));
  const low = fc.oneof(fc.constantFrom('a', 'Z', '0', '{', '"', '\\', '\n'), char(0x80, 0x7ff), char(0x800, 0xd7ff));
  const any = fc.oneof(low, char(0xe000, 0xffff), char(0x10000, 0x10ffff));
  const paths = { low: 0, high: 0 };
  for (const unit of [low, any]) {
    fc.assert(fc.property(fc.array(fc.string({ unit, maxLength: 6 }), { minLength: 8, maxLength: 8 }), (v) => {
      const body = { EventType: v[0], EventData: v[1], EventTime: v[2], EventId: v[3], AppId: v[4], Version: v[5], Nonce: v[6] };
      paths[v.some((x) => /[\uD800-\uFFFF]/.test(x)) ? 'high' : 'low']++;
      return callbackSignature(body, v[7]) === independentSignature(body, v[7]);
    }), { numRuns: 1000, seed: 16 });
  }
  t.ok(paths.low >= 1000 && paths.high >= 500, `both paths checked: ${JSON.stringify(paths)}`);
});

t.test('verifyCallback and the signer sort by UTF-8 bytes, as the vendor\'s Go sample does', async (t) => {
  // U+FF01 sorts before U+1F600 by bytes (EF.. < F0..) but after it in UTF-16 (FF01 > D83D)
  const body = { EventType: '\u{1F600}', EventData: '\uFF01', EventTime: 't', EventId: 'i', AppId: '1', Version: '2020-12-01', Nonce: 'abcd' };
  const sig = callbackSignature(body, 'k');
  t.equal(sig, independentSignature(body as any, 'k'));
  const utf16 = createHash('sha256').update([...Object.values(body), 'k'].sort().join('')).digest('hex');
  t.not(sig, utf16, 'not the UTF-16 order');
  t.ok(verifyCallback({ ...body, Signature: sig }, 'k'));
  t.notOk(verifyCallback({ ...body, Signature: utf16 }, 'k'));
  t.notOk(verifyCallback('not json', 'k'));
  t.notOk(verifyCallback({ ...body, Signature: sig, AppId: 1 } as any, 'k'), 'a non-string field does not verify');
});

t.test('BatchSendMessage to 500 receivers: one delivery per message', async (t) => {
  const rx = await receiver(t);
  // a manual scheduler: on this shared machine an answer may take longer than the real 1 s timeout, and its retry
  // would be a (legitimate, vendor-like) duplicate; here no timer runs, so every message is delivered exactly once
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, scheduler: new ManualScheduler() });
  const receivers = Array.from({ length: 500 }, (_, i) => 5_000_000_000_000_000_001n + BigInt(i));
  const r = await ok(t, app, 'BatchSendMessage', { AppId: SEED_APP, Sender: 30340, Receiver: receivers, MsgType: 10001, Content: 'hi all' });
  t.equal(Object.keys(r.UserMessageId).length, 500);
  await flush(app);
  t.equal(rx.got.length, 500, '500 deliveries');
  const ids = rx.got.map((g) => g.data.MessageId as bigint);
  t.equal(new Set(ids).size, 500, 'each message once');
  t.same(new Set(ids), new Set(Object.values(r.UserMessageId)), 'the messages the call sent');
  for (const g of rx.got) if (!verifyCallback(g.text, SECRET)) t.fail('a body does not verify');
  const d = await deliveries(app, '?EventType=SendMessage&Limit=1000');
  t.equal(d.Deliveries.length, 500, 'one attempt each');
  t.ok(d.Deliveries.every((x: any) => x.Status === 'ok'));
});

t.test('deliveries of one conversation go out one at a time, in order; other conversations do not wait', async (t) => {
  const inFlight = new Map<string, number>();
  let overlap = 0;
  const held: Received[] = [];
  const rx = await receiver(t, (r, n) => {
    const conv = String(r.data.ConversationShortId);
    if ((inFlight.get(conv) ?? 0) > 0) overlap++;
    inFlight.set(conv, (inFlight.get(conv) ?? 0) + 1);
    const release = r.respond;
    r.respond = (s, b) => { inFlight.set(conv, inFlight.get(conv)! - 1); release(s, b); };
    if (n === 1) { held.push(r); return 'hold'; } // the first message of SEED_CONV waits
    r.respond(200, '{"CheckCode":"0"}');
    return 'hold';
  });
  const app = await appWith(t, { url: rx.url, secretKey: SECRET });
  const first = await ok(t, app, 'SendMessage', send('one'));
  await rx.next(1);
  const sent = [first.MessageId];
  for (const text of ['two', 'three', 'four']) sent.push((await ok(t, app, 'SendMessage', send(text))).MessageId);
  // messages to the group, sent after those, arrive while the one-to-one conversation's first delivery is held
  const group = { AppId: SEED_APP, ConversationShortId: GROUP_CONV, MsgType: 10001, Content: 'g' };
  for (let i = 0; i < 3; i++) await ok(t, app, 'SendMessage', { ...group, Sender: 30341 });
  await rx.next(4);
  t.equal(rx.got.filter((g) => g.data.ConversationShortId === SEED_CONV).length, 1, 'nothing more of that conversation while its first is unanswered');
  t.equal(rx.got.filter((g) => g.data.ConversationShortId === GROUP_CONV).length, 3, 'another conversation does not wait');
  held[0].respond(200, '{"CheckCode":"0"}');
  await flush(app);
  t.same(rx.got.filter((g) => g.data.ConversationShortId === SEED_CONV).map((g) => g.data.MessageId), sent, 'in the order sent');
  const indexes = rx.got.filter((g) => g.data.ConversationShortId === SEED_CONV).map((g) => g.data.IndexInConversation as bigint);
  t.ok(indexes.every((x, i) => i === 0 || x > indexes[i - 1]), 'IndexInConversation ascending');
  t.equal(overlap, 0, 'never two deliveries of one conversation at once');
});

t.test('a failed delivery is retried twice, after 1 s and 2 s, then succeeds', async (t) => {
  const sched = new ManualScheduler();
  const rx = await receiver(t, (_r, n) => (n <= 2 ? { status: 500, body: 'boom' } : { status: 200, body: '{"CheckCode":"0"}' }));
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, scheduler: sched });
  await ok(t, app, 'SendMessage', send('retry me'));
  await rx.next(1);
  t.equal(await sched.next('retry'), 1000, 'first retry after 1 s');
  sched.advance(999);
  t.equal(rx.got.length, 1, 'not before');
  sched.advance(1);
  await rx.next(2);
  t.equal(await sched.next('retry'), 2000, 'second retry after 2 s');
  sched.advance(2000);
  await rx.next(3);
  await flush(app);
  t.equal(rx.got.length, 3, 'three attempts in all');
  t.equal(new Set(rx.got.map((g) => g.text)).size, 1, 'the same body each time (same EventId: receivers dedupe by it)');
  const d = (await deliveries(app)).Deliveries;
  t.same(d.map((x: any) => [x.Attempt, x.Status, x.HttpStatus, x.WillRetry]), [[1, 'error', 500, true], [2, 'error', 500, true], [3, 'ok', 200, false]]);
  t.equal(d[0].Error, 'HTTP 500');
  t.equal(d[0].Answer, 'boom');
  t.same(sched.pending(), [], 'no timer left');
});

t.test('a receiver that never answers costs the API caller nothing; three attempts, then the event is given up', async (t) => {
  const sched = new ManualScheduler();
  const rx = await receiver(t, () => 'hold');
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, scheduler: sched });
  const a = await call(app, 'SendMessage', send('into the void'));
  t.equal(a.status, 200, 'the API answered');
  t.same(sched.pending('retry'), [], 'before any timeout of the receiver elapsed (no timer has run)');
  await rx.next(1);
  t.same(sched.pending('timeout').map((x) => x.dueIn), [1000], 'the attempt waits 1 s for its answer');
  const b = await call(app, 'SendMessage', send('while the first hangs'));
  t.equal(b.status, 200, 'another call of the same conversation answers while a delivery hangs');
  t.equal((await deliveries(app)).Pending, 2);
  sched.advance(1000); // attempt 1 times out
  t.equal(await sched.next('retry'), 1000);
  sched.advance(1000);
  await rx.next(2);
  sched.advance(1000); // attempt 2 times out
  t.equal(await sched.next('retry'), 2000);
  sched.advance(2000);
  await rx.next(3);
  sched.advance(1000); // attempt 3 times out: given up, the second message goes
  await rx.next(4);
  t.equal(rx.got[3].data.Content, JSON.stringify({ text: 'while the first hangs' }));
  const d = (await deliveries(app)).Deliveries;
  t.same(d.map((x: any) => [x.Attempt, x.Status, x.WillRetry]), [[1, 'error', true], [2, 'error', true], [3, 'error', false]]);
  t.equal(d[0].Error, 'no answer within 1000 ms');
  t.equal(d[0].HttpStatus, null);
});

t.test('flush returns once nothing is pending; bad URLs and unreachable hosts are journaled, never thrown', async (t) => {
  const rx = await receiver(t);
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, retryDelaysMs: [0, 0] });
  for (let i = 0; i < 5; i++) await ok(t, app, 'SendMessage', send(`m${i}`));
  t.same(await flush(app), { Pending: 0 });
  t.equal(rx.got.length, 5, 'all five arrived when flush answered');

  // a closed port, a non-http URL, a string that is no URL
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise((r) => closed.close(r));
  const cases: [number, string, RegExp][] = [[910001, deadUrl, /ECONNREFUSED/], [910002, 'ftp://example.invalid/x', /unsupported URL scheme ftp:/], [910003, 'not a url', /not a URL/]];
  for (const [appId, url, why] of cases) {
    t.equal((await control(app, 'PUT', '/_mock/callbacks', { AppId: appId, Url: url, SecretKey: 's' })).status, 200);
    const c = await ok(t, app, 'CreateConversation', { AppId: appId, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } });
    t.equal((await call(app, 'SendMessage', { AppId: appId, ConversationShortId: c.ConversationShortId, Sender: 1, MsgType: 1, Content: 'x' })).status, 200);
    await flush(app);
    const d = (await deliveries(app, `?AppId=${appId}`)).Deliveries;
    t.same(d.map((x: any) => x.Status), ['error', 'error', 'error'], `${url}: three attempts, each journaled`);
    t.match(d[0].Error, why);
  }
});

t.test('a full queue drops the event and says so in the journal', async (t) => {
  const sched = new ManualScheduler();
  const rx = await receiver(t, () => 'hold');
  const app = await appWith(t, { url: rx.url, scheduler: sched, queueSize: 2 });
  for (let i = 0; i < 3; i++) t.equal((await call(app, 'SendMessage', send(`q${i}`))).status, 200);
  const d = await deliveries(app, '?Status=dropped');
  t.equal(d.Deliveries.length, 1);
  t.match(d.Deliveries[0], { Attempt: 0, Status: 'dropped', Error: /queue full: 2 events/ });
  t.equal(d.Pending, 2);
});

t.test('client send: strict apps refuse an unknown AppId; a data file failing while BeforeSendMessage decides refuses the message', async (t) => {
  const post = (app: FastifyInstance, body: unknown) => app.inject({ method: 'POST', url: '/_mock/client/send', headers: { 'content-type': 'application/json' }, payload: stringifyJson(body) })
    .then((res) => ({ status: res.statusCode, body: parseJson(res.body) as any }));
  const strict = await makeApp(t, { apps: [SEED_APP] });
  const unknown = await post(strict, send('x', { AppId: 1 }));
  t.equal(unknown.status, 400, 'an AppId strict apps do not list');
  t.match(unknown.body.ResponseMetadata.Error, { Code: 'InvalidParameter.NotExistAppId', Message: /strict apps: 666675/ });
  t.equal((await post(strict, send('y'))).status, 200, 'a listed AppId sends (no callback configured)');

  const dir = await mkdtemp(join(tmpdir(), 'volc-im-mock-client-send-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const rx = await receiver(t, () => 'hold');
  const app = await makeApp(t, { data, flushIntervalMs: 3_600_000, callbacks: { url: rx.url, secretKey: SECRET, scheduler: new ManualScheduler() } });
  const before = snapshot(app);
  const pending = post(app, send('while the disk fills'));
  await rx.next(1);
  await mkdir(`${data}.tmp`); // stands for a full disk, as in hostile-b: the file is rewritten through FILE.tmp
  await t.rejects(app.mock.store.flush(), /EISDIR/);
  rx.got[0].respond(200, '{"CheckCode":"0"}'); // the app's server allows it, too late
  const res = await pending;
  t.equal(res.status, 503, 'refused: the data file could not keep it');
  t.equal(res.body.ResponseMetadata.Error.Code, 'ServiceUnavailableTemp');
  t.equal(snapshot(app), before, 'nothing stored');
  await rmdir(`${data}.tmp`);
  await app.mock.store.flush();
});

t.test('before-send: allow, refuse (code 19, nothing stored, no after-send), rewrite Content, timeout = refuse', async (t) => {
  const sched = new ManualScheduler();
  let verdict: () => { status: number; body?: string } | 'hold' = () => ({ status: 200, body: '{"CheckCode":"0"}' });
  const rx = await receiver(t, (r) => (r.body.EventType === 'BeforeSendMessage' ? verdict() : { status: 200, body: '{"CheckCode":"0"}' }));
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, scheduler: sched });
  const clientSend = (body: unknown) => app.inject({ method: 'POST', url: '/_mock/client/send', headers: { 'content-type': 'application/json' }, payload: stringifyJson(body) })
    .then((res) => ({ status: res.statusCode, body: parseJson(res.body) as any }));
  const ofType = (type: string) => rx.got.filter((g) => g.body.EventType === type);

  // allow
  const allowed = await clientSend(send('fine'));
  t.equal(allowed.status, 200);
  t.equal(allowed.body.ResponseMetadata.Action, 'SendMessage');
  const id = allowed.body.Result.MessageId;
  t.ok(id > TWO_53);
  await flush(app);
  const before = ofType('BeforeSendMessage')[0];
  t.ok(verifyCallback(before.text, SECRET), 'the before-send body is signed');
  t.equal(before.data.Content, JSON.stringify({ text: 'fine' }));
  t.notOk('MessageId' in before.data, 'no MessageId before the message exists');
  t.notOk('IndexInConversation' in before.data);
  t.match(before.data, { AppId: SEED_APP, ConversationShortId: SEED_CONV, ConversationType: 1, Sender: 30340, MsgType: 10001 });
  t.same(ofType('SendMessage').map((g) => g.data.MessageId), [id], 'stored, and the after-send event fired');

  // refuse
  verdict = () => ({ status: 200, body: '{"CheckCode":"1","CheckMsg":"no"}' });
  const state = snapshot(app);
  const refused = await clientSend(send('bad word'));
  t.equal(refused.status, 400);
  t.same(Object.keys(refused.body.ResponseMetadata.Error), ['CodeN', 'Code', 'Message']);
  t.match(refused.body.ResponseMetadata.Error, { CodeN: 19, Code: 'BIM_SERVER_CALLBACK_DENY', Message: /CheckCode "1"/ });
  t.notOk('Result' in refused.body);
  t.equal(snapshot(app), state, 'nothing stored');
  await flush(app);
  t.equal(ofType('SendMessage').length, 1, 'no after-send event');

  // rewrite Content (and Ext)
  verdict = () => ({ status: 200, body: '{"CheckCode":"0","Content":"{\\"text\\":\\"***\\"}","Ext":{"moderated":"1"}}' });
  const rewritten = await clientSend(send('rude', { Ext: { a: 'b' } }));
  t.equal(rewritten.status, 200);
  const stored = await ok(t, app, 'GetMessages', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [rewritten.body.Result.MessageId] });
  t.equal(stored.Messages[0].Content, '{"text":"***"}', 'stored with the answer\'s Content');
  t.same(stored.Messages[0].Ext, { moderated: '1' }, 'and its Ext');
  await flush(app);
  t.equal(ofType('SendMessage')[1].data.Content, '{"text":"***"}', 'the after-send event carries the rewritten message');

  // timeout = refuse
  verdict = () => 'hold';
  const state2 = snapshot(app);
  const pendingSend = clientSend(send('slow server'));
  await rx.next(rx.got.length + 1);
  t.same(sched.pending('timeout').map((x) => x.dueIn), [1000]);
  sched.advance(1000);
  const timedOut = await pendingSend;
  t.match(timedOut.body.ResponseMetadata.Error, { CodeN: 19, Code: 'BIM_SERVER_CALLBACK_DENY', Message: /no answer within 1000 ms/ });
  t.equal(snapshot(app), state2, 'nothing stored');

  const journal = (await deliveries(app, '?EventType=BeforeSendMessage')).Deliveries;
  t.same(journal.map((d: any) => d.Decision), ['allow', 'refuse', 'allow', 'refuse']);

  // a bad body is the vendor's 400, and asks nobody
  const n = rx.got.length;
  const bad = await clientSend({ AppId: SEED_APP });
  t.equal(bad.status, 400);
  t.equal(bad.body.ResponseMetadata.Error.Code, 'InvalidParameter');
  t.equal(rx.got.length, n);
});

t.test('client send: a muted sender is refused with code 14 BIM_SERVER_USER_BANNED_TO_POST, nothing stored, the app\'s server not asked', async (t) => {
  let verdict: () => { status: number; body?: string } | 'hold' = () => ({ status: 200, body: '{"CheckCode":"0"}' });
  const rx = await receiver(t, (r) => (r.body.EventType === 'BeforeSendMessage' ? verdict() : { status: 200, body: '{"CheckCode":"0"}' }));
  const sched = new ManualScheduler();
  const app = await appWith(t, { url: rx.url, secretKey: SECRET, events: ['BeforeSendMessage'], scheduler: sched });
  const clientSend = (body: unknown) => app.inject({ method: 'POST', url: '/_mock/client/send', headers: { 'content-type': 'application/json' }, payload: stringifyJson(body) })
    .then((res) => ({ status: res.statusCode, body: parseJson(res.body) as any }));
  const A = 7601;
  const live = BigInt((await ok(t, app, 'CreateConversation', { AppId: A, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 100 } })).ConversationShortId);
  const group = BigInt((await ok(t, app, 'CreateConversation', { AppId: A, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 2 } })).ConversationShortId);
  for (const id of [live, group]) await ok(t, app, 'BatchAddConversationParticipant', { AppId: A, ConversationShortId: id, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2 }, { ParticipantUserId: 3 }] });
  const msg = (id: bigint, sender: number, text: string) => ({ AppId: A, ConversationShortId: id, Sender: sender, MsgType: 10001, Content: JSON.stringify({ text }) });
  const refusedUnchanged = async (body: unknown, until: RegExp, what: string) => {
    const state = snapshot(app);
    const asked = rx.got.length;
    const r = await clientSend(body);
    t.equal(r.status, 403, what);
    t.match(r.body.ResponseMetadata.Error, { CodeN: 14, Code: 'BIM_SERVER_USER_BANNED_TO_POST', Message: until }, what);
    t.equal(snapshot(app), state, `${what}: nothing stored`);
    t.equal(rx.got.length, asked, `${what}: BeforeSendMessage not asked`);
  };

  // a live group's mute (BatchAddBlockParticipants, BlockAction 0): 60 s for 2, until removed for 3
  await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: live, ParticipantBlockInfos: { 2: 60, 3: 0 } });
  await refusedUnchanged(msg(live, 2, 'muted'), /muted in conversation \d+ until \d+ \(seconds\)/, 'a 60 s live mute');
  await refusedUnchanged(msg(live, 3, 'muted'), /until the mute is removed/, 'a live mute until removed');
  t.equal((await clientSend(msg(live, 1, 'owner'))).status, 200, 'the owner is not muted');
  t.equal((await call(app, 'SendMessage', msg(live, 2, 'server side'))).status, 200, 'the server API ignores mutes (mock-contract §10)');
  t.equal((await control(app, 'POST', '/_mock/clock', { AdvanceMs: 60_000 })).status, 200);
  t.equal((await clientSend(msg(live, 2, 'the mute ended'))).status, 200, 'the 60 s mute ended by the mock clock');
  await ok(t, app, 'BatchDeleteBlockParticipants', { AppId: A, ConversationShortId: live, ParticipantUserIds: [3] });
  t.equal((await clientSend(msg(live, 3, 'unmuted'))).status, 200, 'a removed mute no longer refuses');

  // a repeated ClientMsgId answers the message already stored, muted or not (a client retrying a send it lost the answer to)
  const first = await clientSend({ ...msg(live, 2, 'retried'), ClientMsgId: 'c-1' });
  t.equal(first.status, 200);
  await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: live, ParticipantBlockInfos: { 2: 0 } });
  const retried = await clientSend({ ...msg(live, 2, 'retried'), ClientMsgId: 'c-1' });
  t.equal(retried.status, 200, 'the retry of a stored message is answered');
  t.equal(retried.body.Result.MessageId, first.body.Result.MessageId, 'with the stored message');
  await refusedUnchanged({ ...msg(live, 2, 'new'), ClientMsgId: 'c-2' }, /until the mute is removed/, 'a new ClientMsgId while muted');

  // a member's BlockTime (mute-until, seconds; BatchModifyConversationParticipant), in any conversation; with a live
  // mute too, the later end is told
  const now = BigInt(Math.floor(app.mock.clock.now() / 1000));
  await ok(t, app, 'BatchModifyConversationParticipant', { AppId: A, ConversationShortId: live, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2, BlockTime: now + 30n }] });
  await refusedUnchanged(msg(live, 2, 'both'), /until the mute is removed/, 'BlockTime ahead and a live mute until removed');
  await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: live, ParticipantBlockInfos: { 2: 10 } });
  await refusedUnchanged(msg(live, 2, 'both'), new RegExp(`until ${now + 30n} \\(seconds\\)`), 'BlockTime later than the live mute');
  await ok(t, app, 'BatchAddBlockParticipants', { AppId: A, ConversationShortId: live, ParticipantBlockInfos: { 2: 90 } });
  await refusedUnchanged(msg(live, 2, 'both'), new RegExp(`until ${now + 90n} \\(seconds\\)`), 'the live mute later than BlockTime');
  await ok(t, app, 'BatchModifyConversationParticipant', { AppId: A, ConversationShortId: group, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 2, BlockTime: now + 30n }, { ParticipantUserId: 3, BlockTime: now }] });
  await refusedUnchanged(msg(group, 2, 'muted'), new RegExp(`until ${now + 30n} \\(seconds\\)`), 'BlockTime ahead');
  t.equal((await clientSend(msg(group, 3, 'BlockTime now'))).status, 200, 'a BlockTime reached no longer mutes');

  // muted while the app's server decides: refused all the same
  verdict = () => 'hold';
  const state = snapshot(app);
  const pending = clientSend(msg(group, 3, 'slow decision'));
  await rx.next(rx.got.length + 1);
  await ok(t, app, 'BatchModifyConversationParticipant', { AppId: A, ConversationShortId: group, Operator: 1, ParticipantInfos: [{ ParticipantUserId: 3, BlockTime: now + 600n }] });
  const before = snapshot(app);
  rx.got.at(-1)!.respond(200, '{"CheckCode":"0"}');
  const late = await pending;
  t.equal(late.status, 403);
  t.equal(late.body.ResponseMetadata.Error.CodeN, 14, 'muted after it asked: refused');
  t.equal(snapshot(app), before, 'nothing stored');
  t.not(before, state, '(the mute itself changed the state)');
});

t.test('without a BeforeSendMessage listener a client send is a plain send; Events limits what is sent', async (t) => {
  const rx = await receiver(t);
  const app = await appWith(t, { url: rx.url, events: ['BeforeSendMessage'] });
  t.equal(app.mock.store.onMessageAppended, undefined, 'no after-send hook when only BeforeSendMessage is wanted');
  await ok(t, app, 'SendMessage', send('server side'));
  await flush(app);
  t.equal(rx.got.length, 0, 'no SendMessage event');
  t.equal((await control(app, 'PUT', '/_mock/callbacks', { AppId: SEED_APP, Url: rx.url, Events: ['SendMessage'] })).status, 200);
  const res = await app.inject({ method: 'POST', url: '/_mock/client/send', payload: stringifyJson(send('client side')) });
  t.equal(res.statusCode, 200);
  await flush(app);
  t.same(rx.got.map((g) => g.body.EventType), ['SendMessage'], 'that AppId\'s own configuration wins: no before-send, one after-send');
});

t.test('callbacks off (the default): no hook on the request path, nothing journaled', async (t) => {
  const app = await makeApp(t);
  t.equal(app.mock.store.onMessageAppended, undefined);
  await ok(t, app, 'SendMessage', send('quiet'));
  t.same(await deliveries(app), { Deliveries: [], Pending: 0 });
  t.same((await control(app, 'GET', '/_mock/callbacks')).body, { Callbacks: [] });
});

t.test('PUT/GET/DELETE /_mock/callbacks; a reset returns to the start configuration', async (t) => {
  const app = await makeApp(t, { callbacks: { url: 'http://127.0.0.1:9/default', secretKey: 'd' } });
  t.same((await control(app, 'GET', '/_mock/callbacks')).body.Callbacks, [{ AppId: null, Url: 'http://127.0.0.1:9/default', SecretKey: 'd', Events: ['SendMessage', 'BeforeSendMessage'], TimeoutMs: 1000 }]);
  const put = await control(app, 'PUT', '/_mock/callbacks', { AppId: 777, Url: 'http://127.0.0.1:9/app', SecretKey: 'a', Events: ['SendMessage'], TimeoutMs: 500 });
  t.equal(put.status, 200);
  t.same(put.body.Callbacks, [{ AppId: 777, Url: 'http://127.0.0.1:9/app', SecretKey: 'a', Events: ['SendMessage'], TimeoutMs: 500 }]);
  t.equal((await control(app, 'GET', '/_mock/callbacks?AppId=777')).body.Callbacks[0].Url, 'http://127.0.0.1:9/app');
  t.equal((await control(app, 'GET', '/_mock/callbacks?AppId=778')).body.Callbacks[0].AppId, null, 'another AppId: the default applies');
  t.equal((await control(app, 'GET', '/_mock/callbacks')).body.Callbacks.length, 2);
  for (const [body, why] of [
    [{ AppId: 1, Url: '' }, /Url/], [{ AppId: 1, Url: 'http://x', Events: ['Foo'] }, /Foo is not an event type/],
    [{ AppId: 0, Url: 'http://x' }, /AppId/], [{ Url: 'http://x', Bogus: 1 }, /Bogus: unknown field/],
    [{ AppId: 1, Url: 'http://x', TimeoutMs: 0 }, /TimeoutMs/], [{ AppId: 1, Url: 7 }, /Url/],
  ] as const) {
    const a = await control(app, 'PUT', '/_mock/callbacks', body);
    t.equal(a.status, 400, JSON.stringify(body));
    t.match(a.body.Error.Message, why);
  }
  t.equal((await control(app, 'GET', '/_mock/callbacks')).body.Callbacks.length, 2, 'a refused PUT changes nothing');
  t.same((await control(app, 'DELETE', '/_mock/callbacks?AppId=777')).body, { Removed: 1 });
  t.same((await control(app, 'DELETE', '/_mock/callbacks')).body, { Removed: 1 });
  t.same((await control(app, 'GET', '/_mock/callbacks')).body.Callbacks, []);
  t.equal(app.mock.store.onMessageAppended, undefined, 'no configuration left: the hook is gone');
  await control(app, 'PUT', '/_mock/callbacks', { AppId: 5, Url: 'http://127.0.0.1:9/five' });
  await control(app, 'POST', '/_mock/reset');
  t.same((await control(app, 'GET', '/_mock/callbacks')).body.Callbacks.map((c: any) => c.AppId), [null], 'reset: back to the start configuration');
  t.equal((await control(app, 'GET', '/_mock/callbacks/deliveries?EventType=Nope')).status, 400);
  // the fixture loader's entry point
  app.mock.callbacks.setApp(6, { url: 'http://127.0.0.1:9/six', secretKey: 's6' });
  t.equal((await control(app, 'GET', '/_mock/callbacks?AppId=6')).body.Callbacks[0].SecretKey, 's6');
});

t.test('startMock: callbacks option, mock.deliveries() and mock.flush() over a real socket', async (t) => {
  const rx = await receiver(t);
  const mock = await startMock({ seed: 3, rateLimit: 0, callbacks: { url: rx.url, secretKey: SECRET } });
  t.teardown(() => mock.close());
  const res = await fetch(`${mock.url}/?Action=SendMessage&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stringifyJson(send('over http')) });
  const id = (parseJson(await res.text()) as any).Result.MessageId;
  await mock.flush();
  t.equal(rx.got.length, 1);
  t.equal(rx.got[0].data.MessageId, id);
  const d = await mock.deliveries({ eventType: 'SendMessage' });
  t.equal(d.length, 1);
  t.equal(d[0].Status, 'ok');
  t.equal(d[0].Body!.EventId, rx.got[0].body.EventId);
});

t.test('--callback-url, --callback-secret, --callback-events and their variables', async (t) => {
  const c = parseConfig(['--callback-url', 'http://app:3000/cb', '--callback-secret', 's', '--callback-events', 'SendMessage'], {});
  t.same([c.callbackUrl, c.callbackSecret, c.callbackEvents], ['http://app:3000/cb', 's', ['SendMessage']]);
  const e = parseConfig([], { VOLC_MOCK_CALLBACK_URL: 'http://x/cb', VOLC_MOCK_CALLBACK_SECRET: 'k', VOLC_MOCK_CALLBACK_EVENTS: 'SendMessage,BeforeSendMessage' });
  t.same([e.callbackUrl, e.callbackSecret, e.callbackEvents], ['http://x/cb', 'k', ['SendMessage', 'BeforeSendMessage']]);
  t.equal(parseConfig([], {}).callbackUrl, undefined, 'off by default');
  t.throws(() => parseConfig(['--callback-url', 'http://x', '--callback-events', 'Nope'], {}), /--callback-events: Nope is not an event type/);
  t.throws(() => parseConfig(['--callback-secret', 's'], {}), /give --callback-url/);
});

// ---- docs/callbacks.md and the compose example, run as written ----

async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Runs node with args and env; waitFor(re) resolves with its stdout once it matches (rejects if it exits first). */
function spawnNode(t: Test, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  let out = '';
  let exited = false;
  const waiters: { re: RegExp; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  const check = () => { for (const w of [...waiters]) if (w.re.test(out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(out); } };
  child.stdout.on('data', (d) => { out += d; check(); });
  child.on('exit', (code) => { exited = true; for (const w of waiters.splice(0)) w.reject(new Error(`exited ${code}: ${out}`)); });
  return {
    waitFor: (re: RegExp) => new Promise<string>((resolve, reject) => {
      if (re.test(out)) return resolve(out);
      if (exited) return reject(new Error(`exited: ${out}`));
      waiters.push({ re, resolve, reject });
    }),
  };
}

/** `code` run (as an ES module or CommonJS), then "ready" printed: a server that listens on an IP literal is bound by then. */
const thenReady = (code: string, esm = true) => [...(esm ? ['--input-type=module'] : []), '-e', `${code}\nconsole.log('ready');`];

t.test('docs/callbacks.md: the receiver, the emulator and the one message, as written', async (t) => {
  ensureBuilt();
  const doc = await readFile(join(PACKAGE_ROOT, 'docs/callbacks.md'), 'utf8');
  const receiverCode = /```js\n(\/\/ receiver\.mjs[\s\S]*?)```/.exec(doc)?.[1];
  t.ok(receiverCode, 'the receiver is in the page');
  const dir = await mkdtemp(join(tmpdir(), 'volc-cb-doc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'receiver.mjs'), receiverCode!);
  const port = await freePort();
  const rx = spawnNode(t, thenReady(`await import(${JSON.stringify(pathToFileURL(join(dir, 'receiver.mjs')).href)});`), { PORT: String(port) });
  await rx.waitFor(/ready/);
  const flags = /npx volc-im-mock (.*) &/.exec(doc)![1].split(' ').map((a) => a.replace('http://127.0.0.1:3000', `http://127.0.0.1:${port}`));
  t.same(flags.slice(0, 2), ['--seed', '42']);
  const server = await startServer(flags);
  t.teardown(() => { server.child.kill('SIGKILL'); });
  const curlBody = /-d '(\{"AppId":666675.*\})'/.exec(doc)![1];
  const answer = await fetch(`${server.url}/?Action=SendMessage&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: curlBody });
  const sent = parseJson(await answer.text()) as any;
  t.equal(answer.status, 200);
  const printed = (await rx.waitFor(/"EventType":"SendMessage".*\n(signature ok|BAD SIGNATURE)/)).split('\n');
  const line = printed.findIndex((l) => l.includes('"EventType":"SendMessage"'));
  t.equal(printed[line + 1], 'signature ok', 'the receiver verified the signature');
  const body = JSON.parse(printed[line]);
  t.same(Object.keys(body), FIELDS);
  t.ok(verifyCallback(body, 'my-secret'), 'verifyCallback agrees');
  const data = parseJson(body.EventData) as any;
  t.equal(data.MessageId, sent.Result.MessageId);
  // the page's sample output is this run's, but for the times (and so the signature)
  const shown = doc.slice(doc.indexOf('The receiver prints'));
  t.match(shown, `\\"MessageId\\":${sent.Result.MessageId},`, 'the MessageId shown is the one --seed 42 gives');
  t.match(shown, `"Nonce":"${body.Nonce}"`, 'so is the Nonce');
  t.match(shown, `"EventId":"${body.EventId}"`, 'and the EventId');
});

t.test('examples/docker-compose.yml: the emulator calls the callback-receiver service, whose one-liner works', async (t) => {
  const yml = await readFile(join(PACKAGE_ROOT, 'examples/docker-compose.yml'), 'utf8');
  const url = /^ {6}VOLC_MOCK_CALLBACK_URL: (\S+)$/m.exec(yml)?.[1];
  t.equal(url, 'http://callback-receiver:3000/im/callback', 'the emulator points at the second service by name');
  t.match(yml, /^ {2}callback-receiver:\n {4}image: node:20-slim$/m);
  const oneLiner = /callback-receiver:[\s\S]*?- >-\n\s+(require\(.*)\n/.exec(yml)?.[1];
  t.ok(oneLiner, 'the receiver command is found');
  const port = await freePort();
  const rx = spawnNode(t, thenReady(oneLiner!, false), { PORT: String(port), HOST: '127.0.0.1' });
  await rx.waitFor(/ready/);
  const app = await makeApp(t, { callbacks: { url: url!.replace('callback-receiver:3000', `127.0.0.1:${port}`), secretKey: 'compose-secret' } });
  await ok(t, app, 'SendMessage', send('compose'));
  await flush(app);
  const line = (await rx.waitFor(/"EventType":"SendMessage".*\n/)).split('\n').find((l) => l.includes('"EventType":"SendMessage"'))!;
  t.ok(verifyCallback(line, 'compose-secret'), 'a signed callback reached it');
  const d = (await deliveries(app, '?Status=ok')).Deliveries;
  t.ok(d.length >= 1 && d[0].Answer === '{"CheckCode":"0"}', 'and it answered CheckCode "0"');
});

t.test('Apps[].Callback in the fixtures configures that app: delivered, kept across a reset, checked on import', async (t) => {
  const rcv = await receiver(t);
  const doc = (url: string) => ({
    Apps: [{ AppId: 9090, Callback: { Url: url, SecretKey: SECRET } }],
    Conversations: [{ AppId: 9090, ConversationShortId: 9_000_000_000_000_000_001n, ConversationType: 2, OwnerUserId: 1,
      Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 2 }] }],
  });
  const app = await makeApp(t, { fixtureDoc: doc(rcv.url) });
  const body = { AppId: 9090, ConversationShortId: 9_000_000_000_000_000_001n, Sender: 1, MsgType: 10001, Content: 'hi' };
  const { MessageId } = await ok(t, app, 'SendMessage', body);
  await control(app, 'POST', '/_mock/callbacks/flush');
  t.equal(rcv.got.length, 1, 'one after-send event reached the app\'s own URL');
  t.equal(rcv.got[0].data.MessageId, MessageId, 'for the message sent');
  t.equal(rcv.got[0].body.Signature, independentSignature(rcv.got[0].body, SECRET), 'signed with the app\'s SecretKey');
  t.equal((await control(app, 'POST', '/_mock/reset')).status, 200);
  await ok(t, app, 'SendMessage', body);
  await control(app, 'POST', '/_mock/callbacks/flush');
  t.equal(rcv.got.length, 2, 'a reset keeps the fixtures\' callback configuration');
  const before = snapshot(app);
  const bad = await control(app, 'PUT', '/_mock/state', doc(''));
  t.equal(bad.status, 400, 'an import with an empty Callback.Url is refused');
  t.match(bad.body.Error.Message, /Apps\[AppId=9090\]\.Callback\.Url/);
  t.equal(snapshot(app), before, 'and changes nothing');
});
