// Hostile input, round two (issue 12, items 4b, 6, 7, 9, 10): what the emulator accepts it must be able to keep and
// load back; a failing disk is said, not hidden; control requests from a foreign page are refused.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, ok, SEED_APP, SEED_CONV } from './helpers.js';
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
