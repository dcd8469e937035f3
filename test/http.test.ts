// Black box over real HTTP: the built server as a process, fetch, pino's JSON lines, signals.
import t from 'tap';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { ensureBuilt, startServer, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'volc-im-mock-http-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
ensureBuilt();

const post = (url: string, action: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/?Action=${action}&Version=2020-12-01`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : stringifyJson(body), ...init,
  });

t.test('the spawned server answers over HTTP, logs one line per request, exits 0 on SIGTERM', async (t) => {
  // started from another directory: the default fixtures resolve against the package
  const s = await startServer(['--seed', '7'], { cwd: tmp });
  t.teardown(() => { if (s.child.exitCode === null) s.child.kill('SIGKILL'); });
  t.ok(s.port > 0, `listening on the port the OS picked (${s.port})`);

  const health = await fetch(`${s.url}/_mock/health`);
  t.equal(health.status, 200);
  t.same(await health.json(), { Status: 'ok' });
  t.equal((await fetch(`${s.url}/_mock/ready`)).status, 200);

  const res = await post(s.url, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  const text = await res.text();
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^application\/json/);
  const body = parseJson(text) as any;
  const receipt = body.Result.ReadReceipt[0];
  t.equal(receipt.ConversationShortId, SEED_CONV, 'ConversationShortId exact (BigInt)');
  t.equal(receipt.MessageId, SEED_MSG, 'MessageId exact (BigInt)');
  t.ok(text.includes('"ConversationShortId":1691070514797524328') && text.includes('"MessageId":1709040620191372977'), 'exact digits on the wire');
  t.same([receipt.ReadUserIds, receipt.UnReadUserIds, receipt.ReceiverIsRead], [[], [30341], false]);
  t.equal(res.headers.get('x-request-id'), body.ResponseMetadata.RequestId);

  // a few more requests of every kind; each gets exactly one log line
  const sent: { rid: string | null; status: number; action: string; appId?: number }[] = [
    { rid: res.headers.get('x-request-id'), status: 200, action: 'GetMessagesReadReceipt', appId: SEED_APP },
  ];
  const more: [string, () => Promise<Response>, number, string, number?][] = [
    ['invalid', () => post(s.url, 'GetMessagesReadReceipt', { AppId: 5, MessageIds: [] }), 400, 'GetMessagesReadReceipt', 5],
    // an unknown Action is refused before its body is read, so its line has no AppId
    ['unknown action', () => post(s.url, 'Nope', { AppId: 6 }), 404, 'Nope'],
    ['GET', () => fetch(`${s.url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`), 405, 'GetMessagesReadReceipt'],
    ['unknown path', () => fetch(`${s.url}/nowhere?Action=GetMessagesReadReceipt&Version=2020-12-01`, { method: 'POST', body: '{}' }), 404, 'GetMessagesReadReceipt'],
    ['too large', () => post(s.url, 'GetMessagesReadReceipt', `{"AppId":1,"Pad":"${'x'.repeat(1024 * 1024)}"}`), 413, 'GetMessagesReadReceipt'],
    ['not JSON', () => post(s.url, 'GetMessagesReadReceipt', '{"AppId":00000}'), 400, 'GetMessagesReadReceipt'],
  ];
  for (const [name, send, status, action, appId] of more) {
    const r = await send();
    const txt = await r.text();
    t.equal(r.status, status, `${name}: HTTP ${status}`);
    const meta = (parseJson(txt) as any).ResponseMetadata;
    t.ok(meta.Error.Code, `${name}: vendor envelope (${meta.Error.Code})`);
    t.equal(r.headers.get('x-request-id'), meta.RequestId, `${name}: X-Request-Id`);
    sent.push({ rid: r.headers.get('x-request-id'), status, action, appId });
  }

  s.child.kill('SIGTERM');
  const exit = await s.exited;
  t.equal(exit.code, 0, 'SIGTERM: exit 0');
  t.equal(exit.stderr, '', 'nothing on stderr');

  const lines = s.lines();
  t.ok(lines.every((l) => !('raw' in l)), 'every stdout line is JSON');
  const requests = lines.filter((l) => l.msg === 'request');
  t.equal(requests.length, sent.length, 'one log line per request');
  t.same(lines.filter((l) => l.reqId !== undefined).map((l) => l.msg), requests.map(() => 'request'), 'no other per-request lines (Fastify\'s own request logging is off)');
  for (const want of sent) {
    const line = requests.filter((l) => l.RequestId === want.rid);
    t.equal(line.length, 1, `one line for ${want.rid}`);
    t.match(line[0], { Action: want.action, status: want.status, level: 30 }, `${want.action} ${want.status}`);
    t.type(line[0]?.ms, 'number', 'ms');
    if (want.appId !== undefined) t.equal(line[0]?.AppId, want.appId, 'AppId');
  }
  t.ok(lines.some((l) => /Server listening at/.test(l.msg)), 'the listening line');
  t.ok(lines.some((l) => l.msg === 'state loaded' && /fixtures .*default\.json/.test(l.source)), 'loaded the default fixtures from the package');
  t.ok(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'), 'logs the signal');
});

t.test('SIGINT exits 0 too; the --log-level flag wins over LOG_LEVEL', async (t) => {
  const s = await startServer(['--log-level', 'info'], { env: { LOG_LEVEL: 'warn' } });
  t.teardown(() => { if (s.child.exitCode === null) s.child.kill('SIGKILL'); });
  await (await post(s.url, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] })).text();
  s.child.kill('SIGINT');
  const exit = await s.exited;
  t.equal(exit.code, 0);
  t.equal(s.lines().filter((l) => l.msg === 'request').length, 1, 'info level logs requests');
  t.ok(s.lines().some((l) => l.msg === 'shutting down' && l.signal === 'SIGINT'));
});

t.test('--data: the file is written before a graceful exit completes, and read by the next start', async (t) => {
  const file = join(tmp, 'state.json');
  const s = await startServer(['--data', file]);
  t.teardown(() => { if (s.child.exitCode === null) s.child.kill('SIGKILL'); });
  s.child.kill('SIGTERM');
  t.equal((await s.exited).code, 0);
  t.ok(existsSync(file), 'the data file exists after exit');
  const text = readFileSync(file, 'utf8');
  t.ok(text.includes('1691070514797524328') && text.includes('1709040620191372977'), 'holds the seeded world, ids exact');

  const again = await startServer(['--data', file, '--fixtures', join(tmp, 'does-not-matter.json')]);
  t.teardown(() => { if (again.child.exitCode === null) again.child.kill('SIGKILL'); });
  const res = await post(again.url, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  t.equal(res.status, 200, 'the data file wins over a missing fixture file');
  t.ok((await res.text()).includes('"UnReadUserIds":[30341]'));
  again.child.kill('SIGTERM');
  t.equal((await again.exited).code, 0);
  t.ok(again.lines().some((l) => l.msg === 'state loaded' && /^data file /.test(l.source)), 'loaded from the data file');
});

t.test('close does not wait for a connection that was opened and never used; a request in flight still finishes', async (t) => {
  const { buildApp } = await import('../src/app.js');
  const { connect } = await import('node:net');
  const app = await buildApp({ rateLimit: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as import('node:net').AddressInfo;
  // a spare connection, as a browser opens one ahead of need
  const spare = connect(port, '127.0.0.1');
  await new Promise((r) => spare.once('connect', r));
  const spareClosed = new Promise<boolean>((r) => spare.once('close', () => r(true)));
  // a request held in flight by an injected delay
  await app.inject({ method: 'POST', url: '/_mock/faults', payload: { Action: 'GetMessagesReadReceipt', DelayMs: 300 } });
  const inFlight = fetch(`http://127.0.0.1:${port}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, {
    method: 'POST', body: stringifyJson({ AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] }),
  });
  await new Promise((r) => setTimeout(r, 50)); // the request has reached the server
  await app.close(); // without the fix this waited for the spare connection's 60 s inactivity timeout (tap's test timeout fails first)
  t.equal(await spareClosed, true, 'the spare connection was closed by the server');
  const res = await inFlight;
  t.equal(res.status, 200, 'the request in flight was answered');
  t.match(await res.text(), /"ReadReceipt"/);
});
