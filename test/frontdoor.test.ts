// The front door (issue 17): the control index at /_mock/, the page named by --help and the start-up log, a reset
// that is a fresh start, what LOG_LEVEL=debug adds, and startMock refusing what the CLI refuses.
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp, startMock, MockClock, ConfigError, type RequestRecord } from '../src/index.js';
import { helpText } from '../src/cli.js';
import { DEBUG_BODY_MAX } from '../src/protocol/dispatch.js';
import { parseJson } from '../src/protocol/json.js';
import { makeApp, call, startServer, ensureBuilt, SEED_APP, SEED_CONV, GROUP_CONV } from './helpers.js';

async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: res.body };
}

t.test('GET /_mock/: an index of the control routes, JSON for code and HTML for a browser, linking the page', async (t) => {
  const app = await makeApp(t);
  for (const url of ['/_mock/', '/_mock']) {
    const a = await get(app, url);
    t.equal(a.status, 200, `${url} answers`);
    t.match(a.type, /^application\/json/, 'JSON by default (curl, fetch)');
    const body = parseJson(a.text) as any;
    t.equal(body.Page, '/_mock/ui', 'names the page');
    const routes = body.Routes.map((r: any) => `${r.Method} ${r.Path}`);
    for (const r of ['GET /_mock/health', 'POST /_mock/reset', 'GET /_mock/requests', 'POST /_mock/faults', 'DELETE /_mock/clock', 'GET /_mock/ui', 'GET /_mock/openapi.json']) {
      t.ok(routes.includes(r), `lists ${r}`);
    }
    t.notOk(routes.some((r: string) => r.startsWith('HEAD ')), 'no HEAD twins');
    t.ok(body.Routes.find((r: any) => r.Path === '/_mock/reset').Description.length > 0, 'known routes are described');
    t.same(body.Routes.filter((r: any) => r.Description === '').map((r: any) => `${r.Method} ${r.Path}`), [], 'every route is described');
  }
  const html = await get(app, '/_mock/', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
  t.match(html.type, /^text\/html/, "a browser's Accept gets HTML");
  t.match(html.text, '<a href="/_mock/ui">', 'with a link to the page');
  t.match(html.text, '<a href="/_mock/requests">/_mock/requests</a>');
  t.match((await get(app, '/_mock/', { accept: 'application/json, text/html' })).type, /^application\/json/, 'JSON first wins');
  t.equal((await get(app, '/_mock/?x=1')).status, 400, 'an unknown query parameter is refused, as on every control route');
});

t.test('the index is behind --admin-token like the rest of the control plane', async (t) => {
  const app = await makeApp(t, { adminToken: 'sesame' });
  t.equal((await get(app, '/_mock/')).status, 401);
  t.equal((await get(app, '/_mock/', { authorization: 'Bearer sesame' })).status, 200);
});

t.test('--help and the start-up log name the page URL', async (t) => {
  t.match(helpText('0.0.0'), /Page: +http:\/\/<host>:<port>\/_mock\/ui .*http:\/\/127\.0\.0\.1:8080\/_mock\/ui/);
  t.match(helpText('0.0.0'), /Control plane: +http:\/\/<host>:<port>\/_mock\/ \(an index/);
  ensureBuilt();
  const s = await startServer();
  t.teardown(() => { s.child.kill('SIGKILL'); });
  // the page line follows "Server listening at", on which startServer resolves: wait for it (or for the exit)
  await new Promise<void>((resolve) => {
    const check = () => { if (s.lines().some((l) => l.page) || s.child.exitCode !== null) { s.child.stdout!.off('data', check); resolve(); } };
    s.child.stdout!.on('data', check);
    s.child.on('close', check);
    check();
  });
  const line = s.lines().find((l) => l.page);
  t.ok(line, 'a start-up line carries the page');
  t.equal(line?.page, `http://127.0.0.1:${s.port}/_mock/ui`, 'with the bound port');
  t.match(line?.msg, `http://127.0.0.1:${s.port}/_mock/ui`, 'in the message a person reads');
  t.equal((await fetch(line.page)).status, 200, 'and the URL opens the page');
  s.child.kill('SIGTERM');
  t.equal((await s.exited).code, 0);
});

/** A scenario's raw answers: every id, RequestId and CreateTime a client would see. */
async function scenario(app: FastifyInstance): Promise<string[]> {
  const out: string[] = [];
  const created = await call(app, 'CreateConversation', { AppId: SEED_APP, OwnerUserId: 30340, ConversationCoreInfo: { ConversationType: 2, Name: 'fresh' } });
  out.push(created.text);
  out.push((await call(app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 1, Content: 'hi' })).text);
  out.push((await call(app, 'GetConversationMessages', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Cursor: 0, Limit: 50, Reverse: 1 })).text);
  out.push((await call(app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 1, MsgType: 1, Content: 'x' })).text); // an error
  return out;
}

t.test('a full reset is a fresh start: the clock back to real time, the seeded generators restarted', async (t) => {
  // "real time" is the clock's source; here a fixed one, so answers can be compared byte for byte
  const source = () => 1_767_225_600_000;
  const fresh = await makeApp(t, { seed: 42, clock: new MockClock(source) });
  const expected = await scenario(fresh);
  t.match(expected[0], /"ConversationShortId":\d+/, 'the scenario creates something with a generated id');

  const used = await makeApp(t, { seed: 42, clock: new MockClock(source) });
  await scenario(used);
  const ctl = (method: 'POST' | 'DELETE', url: string, payload?: string) => used.inject({ method, url, payload, headers: payload ? { 'content-type': 'application/json' } : {} });
  t.equal((await ctl('POST', '/_mock/clock', '{"NowMs":86400000}')).statusCode, 200, 'the clock frozen elsewhere');
  t.equal((await ctl('POST', '/_mock/reset')).statusCode, 200);
  t.same(parseJson((await get(used, '/_mock/clock')).text), { NowMs: source(), Fixed: false }, 'the reset returned the clock to real time');
  t.same(await scenario(used), expected, 'after the reset, the same requests give the same answers as on a fresh emulator');

  // a reset of one AppId leaves the clock alone (another test may be using it)
  await ctl('POST', '/_mock/clock', '{"NowMs":86400000}');
  await ctl('POST', `/_mock/reset?AppId=${SEED_APP}`);
  t.same(parseJson((await get(used, '/_mock/clock')).text), { NowMs: 86400000, Fixed: true }, '?AppId= keeps the clock');
});

/** An app logging at `level` into an array of parsed lines. */
async function loggingApp(t: Test, level: string, opts: Record<string, unknown> = {}) {
  const lines: any[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const app = await buildApp({ seed: 1, logger: { level, stream }, ...opts });
  await app.ready();
  t.teardown(() => app.close());
  return { app, requests: () => lines.filter((l) => l.msg === 'request') };
}

t.test('LOG_LEVEL=debug: each request line carries the body as sent and the error message, bounded', async (t) => {
  const { app, requests } = await loggingApp(t, 'debug');
  const body = `{"AppId":${SEED_APP},"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}`;
  await call(app, 'GetMessagesReadReceipt', body);
  await call(app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: 1, MessageIds: [1] });
  const big = `{"AppId":${SEED_APP},"Pad":"${'x'.repeat(10_000)}"}`;
  await call(app, 'SendMessage', big);
  const [okLine, errLine, bigLine] = requests();
  t.equal(okLine.Body, body, 'the body exactly as sent (int64 digits intact)');
  t.notOk('ErrorMessage' in okLine, 'no error, no message');
  t.equal(errLine.ErrorCode, 'InvalidParameter.NotExistConversation');
  t.match(errLine.ErrorMessage, /\S/, 'the answer\'s error message');
  t.ok(bigLine.Body.length < DEBUG_BODY_MAX + 40, `a large body is cut (${bigLine.Body.length} characters logged)`);
  t.match(bigLine.Body, `... (${Buffer.byteLength(big)} bytes)`, 'saying how large it was');

  const info = await loggingApp(t, 'info');
  await call(info.app, 'GetMessagesReadReceipt', body);
  t.notOk('Body' in info.requests()[0], 'at info, no body in the log');
});

t.test('the 429 and 401 request lines carry AppId like the others', async (t) => {
  const limited = await loggingApp(t, 'info', { rateLimit: 1, clock: new MockClock(() => 1_767_225_600_000) });
  const body = { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [1] };
  await call(limited.app, 'GetMessagesReadReceipt', body);
  const second = await call(limited.app, 'GetMessagesReadReceipt', body);
  t.equal(second.status, 429);
  t.match(limited.requests()[1], { status: 429, AppId: SEED_APP });

  const signed = await loggingApp(t, 'info', { auth: 'enforce', credentials: [{ accessKeyId: 'AK', secretKey: 'SK' }] });
  const refused = await call(signed.app, 'GetMessagesReadReceipt', body);
  t.equal(refused.status, 401);
  t.match(signed.requests()[0], { status: 401, AppId: SEED_APP });
});

t.test('startMock refuses what the CLI refuses, with the same rule in the message', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ rateLimit: 'abc' }, /^rateLimit=abc: must be an integer from 0 to 1000000$/],
    [{ rateLimit: -1 }, /^rateLimit=-1: must be an integer from 0 to 1000000$/],
    [{ rateLimit: 1.5 }, /^rateLimit=1\.5: must be an integer from 0 to 1000000$/],
    [{ port: 70000 }, /^port=70000: must be an integer from 0 to 65535$/],
    [{ journalSize: Number.NaN }, /^journalSize=NaN: must be an integer/],
    [{ auth: 'maybe' }, /^auth=maybe: must be one of off, log, enforce$/],
    [{ seed: -3 }, /^seed=-3: must be a non-negative integer$/],
    [{ bodyLimit: true }, /^bodyLimit=true: must be an integer/],
    [{ host: 5 }, /^host=5: must be a string$/],
  ];
  for (const [opts, want] of cases) {
    await t.rejects(startMock(opts as any), { constructor: ConfigError, message: want }, JSON.stringify(opts));
  }
  const m = await startMock({ rateLimit: '0' as any, seed: 5 });
  t.teardown(() => m.close());
  t.equal(m.app.mock.options.rateLimit, 0, 'a numeric string is read as the CLI reads it');
  t.equal((await fetch(`${m.url}/_mock/health`)).status, 200);
});

t.test('RequestRecord: AppId and ErrorCode are null where the journal has none, as typed', async (t) => {
  const m = await startMock({ seed: 5 });
  t.teardown(() => m.close());
  await fetch(`${m.url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, { method: 'POST', body: `{"AppId":${SEED_APP},"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}` });
  await fetch(`${m.url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, { method: 'POST', body: '{}' });
  const [good, bad]: RequestRecord[] = await m.requests();
  const code: string | null = good.ErrorCode; // tsc: the type admits what the value is
  const appId: number | null = bad.AppId;
  t.equal(code, null, 'a success: ErrorCode null');
  t.equal(appId, null, 'no AppId in the body: AppId null');
  t.equal(typeof bad.ErrorCode, 'string', 'an error: its code');
});

t.test('the locked tree installs on Node 20 without EBADENGINE (engines >=20 kept)', async (t) => {
  const root = new URL('..', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  t.equal(pkg.engines.node, '>=20');
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> };
  // a lower bound above 20 (">=22", "^22", ">= 21.1") is what npm warns about on Node 20
  const tooNew = Object.entries(lock.packages)
    .map(([path, p]) => [path, typeof p.engines === 'object' && !Array.isArray(p.engines) ? p.engines.node ?? '' : ''] as const)
    .filter(([, range]) => /^\s*(>=?|\^|~)?\s*v?(2[1-9]|[3-9]\d)\b/.test(range) && !/\|\|/.test(range));
  t.same(tooNew, [], 'no locked package requires a Node newer than 20');
  const cookie = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/cookie$/.test(path)).map(([, p]) => (p as { version?: string }).version);
  t.same(cookie, ['1.1.1'], "light-my-request's cookie is the 1.x line (package.json overrides)");
  // the override is API-compatible: inject with cookies goes through cookie.stringifySetCookie
  const app = Fastify();
  t.teardown(() => app.close());
  app.get('/echo-cookie', async (req) => req.headers.cookie);
  const res = await app.inject({ method: 'GET', url: '/echo-cookie', cookies: { a: 'b c' } });
  t.equal(res.body, 'a=b%20c');
});

t.test('every locked package with an install script is named in allowScripts (npm 11.16+ warns otherwise; npm 12 blocks)', async (t) => {
  const root = new URL('..', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = [...new Set(Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)))].sort();
  t.ok(withScripts.length > 0, `the lock marks install scripts (${withScripts.join(', ')})`);
  t.same(withScripts.filter((name) => typeof pkg.allowScripts?.[name] !== 'boolean'), [], 'each is approved or denied in package.json');
});
