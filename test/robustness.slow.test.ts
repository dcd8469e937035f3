// Robustness (issue 7; slow: real processes, real timeouts, a 160 MB heap): hostile JSON, size and header limits, timeouts of slow or idle clients, paths never taken
// from requests, 10,000 concurrent writes, and a SIGKILL of the real process (dist/server.js) losing nothing
// acknowledged more than a second before. Waits here are on real sockets and processes, bounded by guards.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, ok, snapshot, cleanEnv, ensureBuilt, SEED_APP, GROUP_CONV, NOW_US } from './helpers.js';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { parseJson, stringifyJson, MAX_DEPTH } from '../src/protocol/json.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(ROOT, 'dist/server.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'volc-robust-'));

t.test('hostile JSON: deep nesting is a 400, never a stack overflow, and the journal stays readable', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const base = { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 1, Content: 'x' };
  for (const depth of [MAX_DEPTH + 1, 5_000, 150_000]) { // 150,000 levels of {"a": still fit in 1 MiB
    for (const [name, nest] of [['array', (d: number) => '['.repeat(d) + ']'.repeat(d)], ['object', (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)]] as const) {
      // "__proto__" and a long literal send the parser down its slower, recursive paths
      const text = `{"__proto__":{},"Big":12345678901234567890,${stringifyJson(base).slice(1, -1)},"Extra":${nest(depth)}}`;
      const a = await call(app, 'SendMessage', text);
      t.equal(a.status, 400, `${name} nested ${depth} deep: 400`);
      t.equal(a.body?.ResponseMetadata?.Error?.Code, 'InvalidParameter.Unmarshal', `answered ${a.status} ${a.body?.ResponseMetadata?.Error?.Code}`);
      t.match(a.body?.ResponseMetadata?.Error?.Message, /nested deeper than 1000 levels/);
    }
  }
  t.equal(snapshot(app), before, 'nothing changed');
  // nesting within the bound is accepted in an unknown key and the journal (which keeps the body) still serialises
  const a = await call(app, 'SendMessage', `{"__proto__":{},${stringifyJson(base).slice(1, -1)},"Extra":${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}}`);
  t.equal(a.status, 200, 'nesting of 999 levels in an unknown key is accepted');
  const journal = await app.inject({ method: 'GET', url: '/_mock/requests' });
  t.equal(journal.statusCode, 200, 'GET /_mock/requests answers 200');
  // (JSON.parse: the journal wraps the body in three more levels than MAX_DEPTH allows our own parser)
  t.equal(JSON.parse(journal.body).Requests.length, 7, 'all seven calls journaled');
});

t.test('hostile JSON: a string that starts with NUL stays a string when the body names __proto__ or constructor', async (t) => {
  // short ids on purpose: with no long number literal the parser takes its JSON.parse path, where the bug was
  const app = await makeApp(t, { fixtureDoc: { Conversations: [{ AppId: 9, ConversationShortId: 5, ConversationType: 2, OwnerUserId: 1, Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 2 }] }] } });
  for (const key of ['__proto__', 'constructor']) {
    for (const content of ['\\u000012345', '\\u0000', '\\u0000abc']) {
      const text = `{"${key}":{"polluted":true},"AppId":9,"ConversationShortId":5,"Sender":1,"MsgType":1,"Content":"${content}"}`;
      const a = await call(app, 'SendMessage', text);
      // before the fix: 400 "Content: must be string" (the string came back as BigInt 12345 or a non-number)
      t.equal(a.status, 200, `${key} + Content "${content}": 200`);
      if (a.status !== 200) continue;
      const got = await ok(t, app, 'GetMessages', { AppId: 9, ConversationShortId: 5, MessageIds: [a.body.Result.MessageId] });
      t.equal(got.Messages[0].Content, JSON.parse(`"${content}"`), 'Content kept exactly');
    }
    t.equal(({} as any).polluted, undefined, 'Object.prototype untouched');
  }
  const name = await call(app, 'CreateConversation', '{"constructor":1,"AppId":9,"ConversationCoreInfo":{"ConversationType":2,"Name":"\\u0000"},"OwnerUserId":1}');
  t.equal(name.status, 200, 'CreateConversation with Name "\\u0000" (found by the property test)');
});

t.test('a body over 1 MiB answers 413 in the vendor envelope and changes nothing', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const body = stringifyJson({ AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 1, Content: 'x'.repeat(1024 * 1024) });
  const a = await call(app, 'SendMessage', body);
  t.equal(a.status, 413);
  const meta = a.body.ResponseMetadata;
  t.same(Object.keys(meta), ['RequestId', 'Action', 'Version', 'Service', 'Region', 'Error'], 'the full vendor metadata');
  t.match(meta, { Action: 'SendMessage', Version: '2020-12-01', Service: 'rtc', Region: 'cn-north-1', Error: { Code: 'RequestEntityTooLarge' } });
  t.equal(meta.RequestId.length, 34);
  t.equal(a.headers['x-request-id'], meta.RequestId);
  t.notOk('Result' in a.body);
  t.equal(snapshot(app), before);
  const small = await makeApp(t, { bodyLimit: 100 });
  t.equal((await call(small, 'SendMessage', { AppId: SEED_APP, Content: 'y'.repeat(200) })).status, 413, 'bodyLimit is configurable');
  t.equal(parseConfig([], {}).bodyLimit, 1024 * 1024, '--body-limit defaults to 1 MiB');
  t.equal(parseConfig(['--body-limit', '2048'], {}).bodyLimit, 2048);
});

t.test('a file path never comes from a request', async (t) => {
  const dir = tmp();
  const decoy = join(dir, 'decoy.json'); // a valid fixture file the requests name: it must never be read
  writeFileSync(decoy, stringifyJson({ Conversations: [{ AppId: 77, ConversationShortId: 77, ConversationType: 2, OwnerUserId: 1 }] }));
  const target = join(dir, 'written.json'); // a file the requests name: it must never be created
  const app = await makeApp(t);
  const before = snapshot(app);
  const decoyMtime = statSync(decoy).mtimeMs;
  const tries: [string, string, unknown?][] = [
    ['POST', `/_mock/reset?Fixtures=${encodeURIComponent(decoy)}`],
    ['POST', `/_mock/reset?To=${encodeURIComponent(decoy)}`],
    ['GET', `/_mock/state?Data=${encodeURIComponent(target)}`],
    ['PUT', `/_mock/state?File=${encodeURIComponent(target)}`, { Conversations: [] }],
    ['PUT', '/_mock/state', { Fixtures: decoy, Data: target, Conversations: 'file://' + decoy }],
    ['PUT', '/_mock/state', decoy],
    ['GET', `/_mock/requests?Action=${encodeURIComponent(decoy)}`],
    ['POST', '/_mock/faults', { Action: decoy, Error: { Code: target, HttpStatus: 500 } }],
    ['POST', `/?Action=SendMessage&Version=2020-12-01&Data=${encodeURIComponent(target)}`, { AppId: SEED_APP, Fixtures: decoy, Data: target }],
  ];
  for (const [method, url, body] of tries) {
    const res = await app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
    t.ok(res.statusCode < 500, `${method} ${url.slice(0, 60)}: ${res.statusCode}`);
  }
  t.equal(snapshot(app), before, 'state unchanged (the decoy fixture was not loaded)');
  t.notOk([...app.mock.store.conversations(77)].length, 'nothing of the decoy in AppId 77');
  t.notOk(existsSync(target), 'the named target file was never created');
  t.same(readdirSync(dir).sort(), ['decoy.json'], 'nothing else written in the directory');
  t.equal(statSync(decoy).mtimeMs, decoyMtime, 'decoy untouched');
  // a reset reads the fixtures the app was built with, whatever the request says
  const reset = await app.inject({ method: 'POST', url: '/_mock/reset' });
  t.equal(reset.statusCode, 200);
  t.equal(snapshot(app), before, 'reset reloaded the configured fixtures, not the decoy');
});

/** A free loopback port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/** Writes raw bytes to the app and resolves with what came back and how long until the server closed the socket. */
function rawExchange(port: number, bytes: string, guardMs = 8000): Promise<{ data: string; closedAfterMs: number; byServer: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (byServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      socket.destroy();
      resolve({ data, closedAfterMs: performance.now() - started, byServer });
    };
    const guard = setTimeout(() => finish(false), guardMs);
    socket.on('data', (d) => { data += d.toString('latin1'); });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => { if (bytes) socket.write(bytes); });
  });
}

async function listening(t: Test, opts: Parameters<typeof buildApp>[0]): Promise<{ app: FastifyInstance; port: number }> {
  const app = await buildApp({ seed: 1, rateLimit: 0, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return { app, port: (app.server.address() as { port: number }).port };
}

t.test('slow and idle connections are closed by the server', async (t) => {
  const { app, port } = await listening(t, { requestTimeout: 300, keepAliveTimeout: 200, connectionTimeout: 1500 });
  t.equal(app.server.requestTimeout, 300);
  t.equal(app.server.keepAliveTimeout, 200);
  t.equal(app.server.timeout, 1500);

  const half = await rawExchange(port, `POST /?Action=SendMessage&Version=2020-12-01 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"AppId":`);
  t.ok(half.byServer, `half a request: closed by the server after ${Math.round(half.closedAfterMs)} ms`);
  t.ok(half.closedAfterMs >= 250, 'not before requestTimeout');
  t.match(half.data, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');

  const headers = await rawExchange(port, 'POST /?Action=SendMessage&Version=2020-12-01 HTTP/1.1\r\nHost: x\r\n');
  t.ok(headers.byServer, `headers never finished: closed after ${Math.round(headers.closedAfterMs)} ms`);

  const silent = await rawExchange(port, '');
  t.ok(silent.byServer, `a silent connection: closed after ${Math.round(silent.closedAfterMs)} ms (Node's headers timeout follows requestTimeout)`);

  const full = 'GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
  const idle = await rawExchange(port, full);
  t.match(idle.data, /^HTTP\/1\.1 200/, 'a whole request is answered');
  // Node keeps an idle keep-alive socket keepAliveTimeout + 1 s (a buffer against races with clients)
  t.ok(idle.byServer && idle.closedAfterMs < 1500, `then the idle keep-alive connection is closed after ${Math.round(idle.closedAfterMs)} ms`);

  const { port: port2 } = await listening(t, { requestTimeout: 0, connectionTimeout: 300 });
  const quiet = await rawExchange(port2, 'POST / HTTP/1.1\r\nHost: x\r\n');
  t.ok(quiet.byServer && quiet.closedAfterMs >= 250, `without requestTimeout, connectionTimeout closes an inactive socket after ${Math.round(quiet.closedAfterMs)} ms`);

  const res = await fetch(`http://127.0.0.1:${port}/_mock/health`);
  t.equal(res.status, 200, 'the server still answers');
});

t.test('timeouts: defaults and flags', async (t) => {
  const c = parseConfig([], {});
  t.same([c.requestTimeout, c.keepAliveTimeout, c.connectionTimeout], [30_000, 5_000, 60_000]);
  const f = parseConfig(['--request-timeout', '0', '--keep-alive-timeout', '100', '--connection-timeout', '0'], { VOLC_MOCK_REQUEST_TIMEOUT: '9' });
  t.same([f.requestTimeout, f.keepAliveTimeout, f.connectionTimeout], [0, 100, 0]);
  t.equal(parseConfig([], { VOLC_MOCK_REQUEST_TIMEOUT: '9' }).requestTimeout, 9);
  t.throws(() => parseConfig(['--keep-alive-timeout', '0'], {}), /--keep-alive-timeout=0: must be an integer from 1/);
  const { app } = await listening(t, {});
  t.same([app.server.requestTimeout, app.server.keepAliveTimeout, app.server.timeout], [30_000, 5_000, 60_000], 'buildApp applies the defaults');
  const { app: off } = await listening(t, { requestTimeout: 0, connectionTimeout: 0 });
  t.same([off.server.requestTimeout, off.server.timeout], [0, 0], '0 turns them off');
});

t.test('a 20 KiB URL or header gets 431 or a closed connection, never a crash', async (t) => {
  const { port } = await listening(t, {});
  const longUrl = await rawExchange(port, `POST /?Action=SendMessage&Version=2020-12-01&x=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`);
  t.ok(longUrl.byServer, 'connection closed by the server');
  t.match(longUrl.data, /^(HTTP\/1\.1 431|)/, `URL: ${longUrl.data.split('\r\n')[0] || 'closed'}`);
  const longHeader = await rawExchange(port, `POST /?Action=SendMessage&Version=2020-12-01 HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`);
  t.ok(longHeader.byServer, 'connection closed by the server');
  t.match(longHeader.data, /^(HTTP\/1\.1 431|)/, `header: ${longHeader.data.split('\r\n')[0] || 'closed'}`);
  t.ok(longUrl.data.startsWith('HTTP/1.1 431') || longHeader.data.startsWith('HTTP/1.1 431'), 'Node answers 431 Request Header Fields Too Large');
  const garbage = await rawExchange(port, '\u0000\u0001GARBAGE / HTTP/9.9\r\n\r\n');
  t.ok(garbage.byServer, 'garbage request line: closed');
  const res = await fetch(`http://127.0.0.1:${port}/_mock/health`);
  t.equal(res.status, 200, 'the server still answers');
});

t.test('10,000 concurrent SendMessage into one conversation: distinct ids, consecutive indexes, all readable', async (t) => {
  const app = await makeApp(t);
  const N = 10_000;
  const base = { AppId: SEED_APP, ConversationShortId: GROUP_CONV };
  const before = BigInt((await ok(t, app, 'GetConversationMessages', { ...base, Cursor: 0, Limit: 1, Reverse: 1 })).Messages[0].IndexInConversation);
  const answers = await Promise.all(Array.from({ length: N }, (_, i) =>
    call(app, 'SendMessage', { ...base, Sender: 30340 + (i % 4), MsgType: 1, Content: `m${i}` })));
  t.equal(answers.filter((a) => a.status === 200).length, N, 'all 10,000 answered 200');
  const ids = answers.map((a) => a.body.Result.MessageId as bigint);
  t.equal(new Set(ids).size, N, '10,000 distinct MessageIds');

  // read them back in index order, 20 a page
  const seen: { id: bigint; index: bigint; content: string }[] = [];
  let cursor = before + 1n;
  for (;;) {
    const page = await ok(t, app, 'GetConversationMessages', { ...base, Cursor: cursor, Limit: 20 });
    for (const m of page.Messages) seen.push({ id: BigInt(m.MessageId), index: BigInt(m.IndexInConversation), content: m.Content });
    if (!page.HasMore) break;
    cursor = BigInt(page.NewCursor);
  }
  t.equal(seen.length, N, 'paging reads back 10,000 messages');
  // time-like (mock-contract §1): the frozen clock in µs is past the previous last index, then one by one
  const first = NOW_US > before ? NOW_US : before + 1n;
  t.ok(seen.every((m, i) => m.index === first + BigInt(i)), 'indexes strictly increase, one by one, from max(previous last + 1, clock in µs)');
  const idSet = new Set(ids);
  t.ok(seen.every((m) => idSet.has(m.id)), 'every paged message is one of the acknowledged ids');
  const byId = new Map(seen.map((m) => [m.id, m.content]));
  t.ok(ids.every((id, i) => byId.get(id) === `m${i}`), 'each acknowledged id holds the content sent with it');
  const sample = await ok(t, app, 'GetMessages', { ...base, MessageIds: ids.slice(0, 100) });
  t.equal(sample.Messages.length, 100, 'GetMessages finds them too');
});

t.test('concurrent CreateConversation with one IdempotentId create one conversation', async (t) => {
  const app = await makeApp(t);
  const { port } = await listening(t, { fixtureDoc: { Conversations: [] } });
  const body = stringifyJson({ AppId: 4242, ConversationCoreInfo: { ConversationType: 2, Name: 'once' }, OwnerUserId: 9, IdempotentId: 'only-once' });
  // over real HTTP, 200 at once
  const answers = await Promise.all(Array.from({ length: 200 }, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/?Action=CreateConversation&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return parseJson(await res.text()) as any;
  }));
  const shortIds = new Set(answers.map((a) => a.Result.ConversationShortId));
  t.equal(shortIds.size, 1, 'all 200 answers name the same ConversationShortId');
  t.equal(answers.filter((a) => a.Result.Exist === false).length, 1, 'one answer has Exist false');
  t.equal(answers.filter((a) => a.Result.Exist === true).length, 199, 'the rest Exist true');
  // and in-process with inject
  const injected = await Promise.all(Array.from({ length: 200 }, () => call(app, 'CreateConversation', body)));
  t.equal(new Set(injected.map((a) => a.body.Result.ConversationShortId)).size, 1);
  t.equal(injected.filter((a) => a.body.Result.Exist === false).length, 1);
});


async function startServer(t: Test, port: number, data: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER, '--port', String(port), '--data', data, '--rate-limit', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/_mock/ready`)).status === 200) return child;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not become ready: ${stderr}`);
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: string | null }>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
  else child.once('exit', (code, signal) => resolve({ code, signal }));
});

async function vendor(port: number, action: string, body: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}/?Action=${action}&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stringifyJson(body) });
  return { status: res.status, body: parseJson(await res.text()) };
}

/** Every id that GetMessages finds in the conversation. */
async function found(port: number, ids: bigint[]): Promise<Set<bigint>> {
  const out = new Set<bigint>();
  for (let i = 0; i < ids.length; i += 100) {
    const a = await vendor(port, 'GetMessages', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, MessageIds: ids.slice(i, i + 100) });
    for (const m of a.body.Result.Messages) out.add(m.MessageId);
  }
  return out;
}

t.test('SIGKILL loses nothing acknowledged more than a second before; SIGTERM loses nothing', async (t) => {
  ensureBuilt();
  const data = join(tmp(), 'state.json');
  const port = await freePort();
  let server = await startServer(t, port, data);

  // a stream of SendMessage for ~2.5 s, four at a time, each acknowledged id with the time of its answer
  const acked: { id: bigint; at: number }[] = [];
  const until = performance.now() + 2_500;
  let n = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (performance.now() < until) {
      const a = await vendor(port, 'SendMessage', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 1, Content: `crash ${n++}` });
      if (a.status === 200) acked.push({ id: a.body.Result.MessageId, at: performance.now() });
    }
  }));
  server.kill('SIGKILL');
  const killedAt = performance.now();
  t.same(await exited(server), { code: null, signal: 'SIGKILL' }, 'killed');

  const text = readFileSync(data, 'utf8');
  let doc: any;
  t.doesNotThrow(() => { doc = parseJson(text); }, 'the data file is valid JSON after the kill');
  t.ok(Array.isArray(doc?.Conversations), 'and a state document');
  const old = acked.filter((m) => m.at < killedAt - 1000).map((m) => m.id);
  t.ok(old.length > 50, `${acked.length} messages acknowledged, ${old.length} of them more than 1 s before the kill`);

  server = await startServer(t, port, data);
  const back = await found(port, acked.map((m) => m.id));
  t.equal(old.filter((id) => !back.has(id)).length, 0, 'every message acknowledged more than 1 s before the kill is there after a restart');
  t.comment(`SIGKILL: ${back.size} of ${acked.length} acknowledged messages survived (${old.length} were older than 1 s)`);

  // a graceful exit writes everything
  const more: bigint[] = [];
  for (let i = 0; i < 50; i++) {
    more.push((await vendor(port, 'SendMessage', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 1, Content: `term ${i}` })).body.Result.MessageId);
  }
  server.kill('SIGTERM');
  t.same(await exited(server), { code: 0, signal: null }, 'SIGTERM: exit status 0');
  server = await startServer(t, port, data);
  const afterTerm = await found(port, more);
  t.equal(afterTerm.size, more.length, 'SIGTERM: every acknowledged message is in the file');
  server.kill('SIGTERM');
  await exited(server);
});

t.test('journal: a page costs bounded memory whatever the bodies (1,000 bodies of nested arrays, 160 MB heap)', async (t) => {
  ensureBuilt();
  const child = spawn(process.execPath, ['--max-old-space-size=160', SERVER, '--port', '0', '--host', '127.0.0.1', '--rate-limit', '0'],
    { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => { const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const nest = '['.repeat(900) + ']'.repeat(900);
  const body = `{"AppId":1,"X":[${Array(36).fill(nest).join(',')}]}`; // 64,853 bytes, 32,400 arrays
  for (let i = 0; i < 1000; i += 20) {
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then((r) => r.text())));
  }
  for (const qs of ['', '?Limit=1000']) {
    const res = await fetch(`${url}/_mock/requests${qs}`);
    t.equal(res.status, 200, `GET /_mock/requests${qs} answers`);
    const text = await res.text();
    t.ok(text.includes(`"Body":${body}`), 'with the bodies as sent');
  }
  t.equal(child.exitCode, null, 'the server is still running');
});
