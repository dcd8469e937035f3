// Hostile input, round two (issue 12, items 4b, 6, 7, 9, 10): what the emulator accepts it must be able to keep and
// load back; a failing disk is said, not hidden; control requests from a foreign page are refused.
import t from 'tap';
import { mkdtempSync, mkdirSync, rmdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { writesState } from '../src/actions/action.js';
import { MockClock } from '../src/protocol/clock.js';
import { makeApp, call, snapshot, SEED_APP, SEED_CONV } from './helpers.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { CLOCK_MAX_MS } from '../src/protocol/clock.js';

const SENDER = 30340n;

/** A control request through inject; body an object (int64-exact) or raw text. */
export async function ctl(app: FastifyInstance, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: method as 'POST', url, headers: { 'content-type': 'application/json', ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : stringifyJson(body),
  });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined, text: res.body };
}

const send = (app: FastifyInstance, content = 'hi') =>
  call(app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: SENDER, MsgType: 10001, Content: content });

t.test('clock: kept to what RequestIds and the data file can hold (items 4b, 9)', async (t) => {
  const app = await makeApp(t);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { NowMs: 0 })).status, 200);
  const back = await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: -86_400_000 });
  t.equal(back.status, 400, 'before the epoch is refused');
  t.match(back.body.Error.Message, /AdvanceMs.*1970-01-01/, 'the message names the bound');
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: 0, Fixed: true }, 'the clock did not move');
  const sent = await send(app);
  t.equal(sent.status, 200);
  t.ok(sent.body.Result.MessageId, 'a message at the epoch');

  // the last millisecond a RequestId can name; one more is refused, however it is reached
  t.equal((await ctl(app, 'POST', '/_mock/clock', { NowMs: CLOCK_MAX_MS })).status, 200);
  const last = await send(app);
  t.equal(last.status, 200);
  t.match(last.body.ResponseMetadata.RequestId, /^99991231235959[0-9A-F]{20}$/, 'a 4-digit year in UTC+8');
  for (const step of [1, 8_000_000_000_000_000, CLOCK_MAX_MS]) {
    const r = await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: step });
    t.equal(r.status, 400, `AdvanceMs ${step} past the end is refused`);
    t.match(r.body.Error.Message, /AdvanceMs.*253402271999999/, 'names the bound');
  }
  for (const nowMs of [CLOCK_MAX_MS + 1, 8_640_000_000_000_000, 253402300800000]) {
    const r = await ctl(app, 'POST', '/_mock/clock', { NowMs: nowMs });
    t.equal(r.status, 400, `NowMs ${nowMs} is refused`);
    t.match(r.body.Error.Message, new RegExp(`NowMs: must be an integer from 0 to ${CLOCK_MAX_MS}`));
  }
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: CLOCK_MAX_MS, Fixed: true }, 'unchanged by refusals');
  t.equal((await send(app)).status, 200, 'still answering');

  // real time moved by an offset: bounded the same way
  t.equal((await ctl(app, 'DELETE', '/_mock/clock')).status, 200);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: -2_000_000_000_000 })).status, 400);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: CLOCK_MAX_MS })).status, 400);
});

t.test('a data file that cannot be written: ready says why, writes are refused, reads go on (item 7)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  mkdirSync(`${data}.tmp`); // stands for a full disk: FILE is rewritten through FILE.tmp
  const app = await makeApp(t, { data, flushIntervalMs: 3_600_000 });
  await t.rejects(app.mock.store.flush(), /EISDIR/);

  const ready = await ctl(app, 'GET', '/_mock/ready');
  t.equal(ready.status, 503, '/_mock/ready answers 503');
  t.equal(ready.body.Status, 'unwritable');
  t.match(ready.body.Reason, /state\.json.*EISDIR/, 'saying why');

  const before = snapshot(app);
  const refused = await send(app);
  t.equal(refused.status, 503, 'a write is refused');
  t.match(refused.body.ResponseMetadata.Error, { Code: 'ServiceUnavailableTemp', CodeN: 100019, Message: /data file/ });
  const created = await call(app, 'CreateConversation', { AppId: SEED_APP, OwnerUserId: 5n, ConversationCoreInfo: { ConversationType: 2, Name: 'x' } });
  t.equal(created.status, 503, 'every changing action is refused');
  t.equal((await ctl(app, 'PUT', '/_mock/state', { Conversations: [] })).status, 503, 'PUT /_mock/state is refused');
  t.equal((await ctl(app, 'POST', '/_mock/reset?To=empty')).status, 503, 'POST /_mock/reset is refused');
  t.equal(snapshot(app), before, 'nothing changed');
  const read = await call(app, 'GetConversationMessages', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Cursor: 0, Limit: 10, Reverse: 0 });
  t.equal(read.status, 200, 'reads go on');

  rmdirSync(`${data}.tmp`); // the disk has room again: the next (periodic) write succeeds
  await app.mock.store.flush();
  t.equal((await ctl(app, 'GET', '/_mock/ready')).status, 200, 'ready again');
  t.equal((await send(app)).status, 200, 'writes accepted again');
  await app.mock.store.flush();
  t.ok(existsSync(data));
});

t.test('every action says whether it writes; read-only ones go on while the disk fails', async (t) => {
  const { ACTIONS } = await import('../src/actions/index.js');
  for (const a of ACTIONS) t.type(a.writes, 'boolean', `${a.name} declares writes`);
  t.equal(writesState({}), true, 'an action that does not say is taken as writing');
  t.same(ACTIONS.filter((a) => a.writes === false).map((a) => a.name).sort(), [
    'BatchGetConversationParticipant', 'BatchGetConversations', 'GetConversationMessages', 'GetConversationSetting',
    'GetConversationUserCount', 'GetMessages', 'GetMessagesReadReceipt', 'GetParticipantReadIndex', 'GetUserConversations',
    'IsUserInConversation', 'ScanConversationParticipantList',
  ]);
});

t.test('a graceful exit with a failing disk says what was lost (item 7)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const app = await buildApp({ data, flushIntervalMs: 3_600_000, clock: new MockClock(() => 1_767_225_600_000), seed: 1, rateLimit: 0 });
  await app.ready();
  await app.mock.store.flush();
  t.equal((await send(app)).status, 200, 'acknowledged');
  t.equal((await send(app)).status, 200, 'acknowledged');
  mkdirSync(`${data}.log.tmp`); // the change log cannot be started
  await t.rejects(app.close(), /state\.json could not be written on exit.*EISDIR.*the last 2 acknowledged changes are lost/);
});
