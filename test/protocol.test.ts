// The wire protocol: every row of mock-contract §2 the spine can answer, the envelope, int64 edges, the token bucket.
//
// Rows of mock-contract §2 that no action built so far can reach, left for the tests of the actions that raise them:
// - InvalidParameter.NotExistMessage (an action that changes a message: DeleteMessage, RecallMessage, ModifyMessage)
// - InvalidParameter.NotInConversation (SendMessage's Sender, DeleteMessage's ParticipantUserId)
// - 403 AccessDenied, no CodeN (DestroyConversation by a non-owner: a business refusal)
// - InvalidParameter for a ReadIndex not greater than the current one (ModifyParticipantReadIndex)
// - the signature checks of volcengine-im-api.md §3.5 (the auth issue: `authenticate` hook)
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { makeApp, call, snapshot, SEED_APP, SEED_CONV, SEED_MSG, GROUP_CONV, type Answer } from './helpers.js';
import { parseJson, stringifyJson, InexactNumber } from '../src/protocol/json.js';
import { DEFAULT_FIXTURES } from '../src/config.js';
import { ACTIONS, VENDOR_QPS } from '../src/actions/index.js';
import { registerDispatch } from '../src/protocol/dispatch.js';
import { RateLimiter } from '../src/protocol/ratelimit.js';
import { MockClock } from '../src/protocol/clock.js';
import { Random } from '../src/protocol/random.js';
import { compileBody, Obj } from '../src/protocol/schema.js';

const RRR = 'GetMessagesReadReceipt';
const I64_MAX = 9223372036854775807n; // 2^63-1
const I53_PLUS = 9007199254740993n; // 2^53+1: a double cannot hold it
const LIVE_CONV = 1691070514797526001n;
const EDGE_APP = 7001;
const OTHER_APP = 666676;

/** The default fixtures plus a live group and conversations/messages at the int64 edges. */
function world(): any {
  const doc = parseJson(readFileSync(DEFAULT_FIXTURES, 'utf8')) as any;
  doc.Conversations.push(
    { AppId: SEED_APP, ConversationShortId: LIVE_CONV, ConversationType: 100, OwnerUserId: 30340,
      Participants: [{ ParticipantUserId: 30340 }, { ParticipantUserId: 30341 }],
      Messages: [{ MessageId: 1709040800191372001n, Sender: 30340, MsgType: 10001, Content: '{"text":"live"}' }] },
    { AppId: EDGE_APP, ConversationShortId: I64_MAX, ConversationType: 1, OwnerUserId: 9223372036854775806n,
      Participants: [{ ParticipantUserId: 9223372036854775806n, ReadIndex: 2 }, { ParticipantUserId: I53_PLUS, ReadIndex: 1 }],
      Messages: [
        { MessageId: I64_MAX, Sender: 9223372036854775806n, MsgType: 10001, Content: 'a', IndexInConversation: 1 },
        { MessageId: I53_PLUS, Sender: 9223372036854775806n, MsgType: 10001, Content: 'b', IndexInConversation: 2 },
      ] },
    { AppId: EDGE_APP, ConversationShortId: I53_PLUS, ConversationType: 2, OwnerUserId: 1,
      Participants: [{ ParticipantUserId: 1, ReadIndex: 1 }, { ParticipantUserId: 2 }],
      Messages: [{ MessageId: 9007199254740995n, Sender: 1, MsgType: 10001, Content: 'c' }] },
  );
  return doc;
}

const seedBody = (over: Record<string, unknown> = {}) => ({ AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG], ...over });

/** The checks every error answer must pass: status, Code, CodeN, key order, no Result, RequestId, metadata. */
function checkError(t: Test, a: Answer, want: { status: number; code: string; codeN?: number; message?: RegExp; action?: string; version?: string; bareMeta?: boolean }) {
  t.equal(a.status, want.status, `HTTP ${want.status}`);
  const meta = a.body?.ResponseMetadata;
  const err = meta?.Error;
  t.equal(err?.Code, want.code, `Code ${want.code} (${err?.Message})`);
  if (want.codeN === undefined) t.notOk(err && 'CodeN' in err, 'no CodeN');
  else t.equal(err?.CodeN, want.codeN, `CodeN ${want.codeN}`);
  const order = want.codeN === undefined ? `"Error":{"Code":"${want.code}","Message":"` : `"Error":{"CodeN":${want.codeN},"Code":"${want.code}","Message":"`;
  t.ok(a.text.includes(order), `raw text has the keys in the order CodeN, Code, Message: ${a.text.slice(0, 300)}`);
  t.notOk('Result' in (a.body ?? {}), 'no Result key');
  t.notMatch(a.text, /"Result"/, 'no Result key in the raw text');
  t.match(meta?.RequestId, /^\d{14}[0-9A-F]{20}$/, 'RequestId: 14 digits + 20 upper-case hex');
  t.equal(meta?.RequestId?.length, 34);
  t.equal(a.headers['x-request-id'], meta?.RequestId, 'X-Request-Id header equals RequestId');
  t.equal(meta?.RequestId?.slice(0, 14), '20260101080000', 'RequestId time is the mock clock in UTC+8');
  if (want.bareMeta) {
    // the gateway answers a missing Action with RequestId + Error only (volcengine-im-api.md §1.3)
    t.same(Object.keys(meta), ['RequestId', 'Error'], 'only RequestId and Error');
  } else {
    t.same(Object.keys(meta), ['RequestId', 'Action', 'Version', 'Service', 'Region', 'Error'], 'metadata keys in order');
    t.equal(meta.Action, want.action ?? RRR, 'Action filled');
    t.equal(meta.Version, want.version ?? '2020-12-01', 'Version filled');
    t.equal(meta.Service, 'rtc');
    t.equal(meta.Region, 'cn-north-1');
  }
  if (want.message) t.match(err?.Message, want.message, 'Message names the field and rule');
  t.notMatch(err?.Message ?? '', /\/work\/|\/src\/|\.ts:|at .*\(/, 'no stack trace or internal path');
}

interface Row {
  name: string;
  action?: string;
  version?: string;
  method?: string;
  url?: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  codeN?: number;
  message?: RegExp;
  bareMeta?: boolean;
  /** Action/Version expected in the metadata when not the request's */
  metaAction?: string;
  metaVersion?: string;
}

async function send(app: FastifyInstance, row: Row): Promise<Answer> {
  if (row.url !== undefined) {
    const res = await app.inject({ method: (row.method ?? 'POST') as 'POST', url: row.url, headers: { 'content-type': 'application/json', ...row.headers }, payload: typeof row.body === 'string' ? row.body : stringifyJson(row.body ?? {}) });
    return { status: res.statusCode, headers: res.headers, body: res.body ? parseJson(res.body) : undefined, text: res.body };
  }
  return call(app, row.action ?? RRR, row.body ?? seedBody(), { version: row.version, method: row.method, headers: row.headers });
}

const notEmulated = Object.keys(VENDOR_QPS).find((a) => !ACTIONS.some((d) => d.name === a));
const int64 = (field: string) => new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: must be a positive int64 integer`);

const ROWS: Row[] = [
  // query
  { name: 'Action missing', url: '/?Version=2020-12-01', status: 400, code: 'MissingParameter', codeN: 100002, message: /Action/, bareMeta: true },
  { name: 'Action empty', url: '/?Action=&Version=2020-12-01', status: 400, code: 'MissingParameter', codeN: 100002, message: /Action/, bareMeta: true },
  { name: 'Version missing', url: `/?Action=${RRR}`, status: 400, code: 'MissingParameter', codeN: 100002, message: /Version/, metaVersion: '' },
  { name: 'unknown Action', action: 'NoSuchAction', status: 404, code: 'InvalidActionOrVersion', codeN: 100008, message: /NoSuchAction/, metaAction: 'NoSuchAction' },
  { name: 'wrong Version', version: '2018-01-01', status: 404, code: 'InvalidActionOrVersion', codeN: 100008, message: /2018-01-01/, metaVersion: '2018-01-01' },
  ...(notEmulated ? [{ name: `a vendor action not emulated (${notEmulated})`, action: notEmulated, status: 404, code: 'InvalidActionOrVersion', codeN: 100008, message: /does not emulate/, metaAction: notEmulated }] : []),
  // method and path
  { name: 'GET on /', method: 'GET', status: 405, code: 'MethodNotAllowed', codeN: 100020, message: /GET/ },
  { name: 'PUT on /', method: 'PUT', status: 405, code: 'MethodNotAllowed', codeN: 100020, message: /PUT/ },
  { name: 'DELETE on /', method: 'DELETE', status: 405, code: 'MethodNotAllowed', codeN: 100020, message: /DELETE/ },
  { name: 'unknown path', url: `/v1/im?Action=${RRR}&Version=2020-12-01`, status: 404, code: 'InvalidActionOrVersion', codeN: 100008, message: /\/v1\/im/ },
  // body
  { name: 'empty body', body: '', status: 400, code: 'InvalidParameter.BodyIsEmpty' },
  { name: 'whitespace body', body: ' \r\n\t ', status: 400, code: 'InvalidParameter.BodyIsEmpty' },
  { name: 'malformed JSON', body: '{"AppId":666675,', status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'the doc\'s own "AppId":00000', body: '{"AppId":00000,"ConversationShortId":1,"MessageIds":[1]}', status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'single-quoted JSON', body: "{'AppId':1}", status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'deeply nested JSON', body: '['.repeat(100_000) + ']'.repeat(100_000), status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'a JSON array body', body: `[${stringifyJson(seedBody())}]`, status: 400, code: 'InvalidParameter.Unmarshal', message: /JSON object/ },
  { name: 'a JSON string body', body: '"hello"', status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'a JSON null body', body: 'null', status: 400, code: 'InvalidParameter.Unmarshal' },
  { name: 'body over 1 MiB', body: `{"AppId":666675,"Pad":"${'x'.repeat(1024 * 1024)}"}`, status: 413, code: 'RequestEntityTooLarge', message: /1048576/ },
  // validation
  { name: 'required field missing', body: { AppId: SEED_APP, MessageIds: [SEED_MSG] }, status: 400, code: 'InvalidParameter', message: /^ConversationShortId: is required/ },
  { name: 'all fields missing', body: {}, status: 400, code: 'InvalidParameter', message: /AppId: is required/ },
  { name: 'wrong type: ConversationShortId a string', body: seedBody({ ConversationShortId: String(SEED_CONV) }), status: 400, code: 'InvalidParameter', message: int64('ConversationShortId') },
  { name: 'wrong type: MessageIds not a list', body: seedBody({ MessageIds: SEED_MSG }), status: 400, code: 'InvalidParameter', message: /^MessageIds: / },
  { name: 'wrong type: MessageIds item a string', body: seedBody({ MessageIds: [SEED_MSG, 'x'] }), status: 400, code: 'InvalidParameter', message: int64('MessageIds[1]') },
  { name: 'AppId 0', body: seedBody({ AppId: 0 }), status: 400, code: 'InvalidParameter', message: /^AppId: must be an int32 integer from 1 to 2147483647/ },
  { name: 'AppId 2^31', body: seedBody({ AppId: 2 ** 31 }), status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'AppId "1"', body: seedBody({ AppId: '1' }), status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'AppId 1.5', body: '{"AppId":1.5,"ConversationShortId":1,"MessageIds":[1]}', status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'AppId 666675.0', body: '{"AppId":666675.0,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}', status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'AppId -1', body: seedBody({ AppId: -1 }), status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'AppId null', body: seedBody({ AppId: null }), status: 400, code: 'InvalidParameter', message: /^AppId: / },
  { name: 'MessageIds []', body: seedBody({ MessageIds: [] }), status: 400, code: 'InvalidParameter', message: /^MessageIds: must have 1 to 100 items$/ },
  { name: 'MessageIds 101 items', body: seedBody({ MessageIds: Array.from({ length: 101 }, () => SEED_MSG) }), status: 400, code: 'InvalidParameter', message: /^MessageIds: must have 1 to 100 items$/ },
  // state
  { name: 'NotExistConversation', body: seedBody({ ConversationShortId: 1691070514797524999n }), status: 400, code: 'InvalidParameter.NotExistConversation', message: /1691070514797524999/ },
  { name: 'NotExistConversation: the seed conversation under another AppId', body: seedBody({ AppId: OTHER_APP }), status: 400, code: 'InvalidParameter.NotExistConversation', message: /1691070514797524328 in AppId 666676/ },
  { name: 'NotExistConversation: an edge conversation under the seed AppId', body: seedBody({ ConversationShortId: I64_MAX }), status: 400, code: 'InvalidParameter.NotExistConversation', message: /9223372036854775807/ },
  { name: 'UnsupportedConversationType: a live group', body: seedBody({ ConversationShortId: LIVE_CONV, MessageIds: [1709040800191372001n] }), status: 400, code: 'InvalidParameter.UnsupportedConversationType' },
];

// int64 edges on ConversationShortId and MessageIds: each is InvalidParameter naming the field
const BAD_INT64: [string, string][] = [
  ['2^63', '9223372036854775808'], ['2^64', '18446744073709551616'], ['a 25-digit integer', '1234567890123456789012345'],
  ['negative', '-1'], ['-2^63', '-9223372036854775808'], ['0', '0'], ['-0', '-0'],
  ['1.5', '1.5'], ['1.00000000000000000001', '1.00000000000000000001'], ['1e3', '1e3'], ['1E3', '1E3'], ['1.0', '1.0'],
  ['1e400', '1e400'], ['2^63-1 with a fraction', '9223372036854775807.0'], ['true', 'true'], ['null', 'null'], ['{}', '{}'],
];
for (const [label, lit] of BAD_INT64) {
  ROWS.push(
    { name: `ConversationShortId ${label}`, body: `{"AppId":666675,"ConversationShortId":${lit},"MessageIds":[1709040620191372977]}`, status: 400, code: 'InvalidParameter', message: int64('ConversationShortId') },
    { name: `MessageIds[1] ${label}`, body: `{"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977,${lit}]}`, status: 400, code: 'InvalidParameter', message: int64('MessageIds[1]') },
  );
}

t.test('mock-contract §2 table: each row with its envelope, and no state changed', async (t) => {
  const app = await makeApp(t, { fixtureDoc: world() });
  const before = snapshot(app);
  const ids = new Set<string>();
  for (const row of ROWS) {
    await t.test(row.name, async (t) => {
      const a = await send(app, row);
      checkError(t, a, { ...row, action: row.metaAction ?? row.action, version: row.metaVersion ?? row.version });
      ids.add(a.body?.ResponseMetadata?.RequestId);
      t.equal(snapshot(app), before, 'state unchanged');
    });
  }
  t.equal(ids.size, ROWS.length, 'every RequestId unique');
  if (!notEmulated) t.comment('every vendor action is emulated: the "not emulated" row has nothing to ask');
});

t.test('rate limit row: 429 FlowLimitExceeded 100018, state unchanged', async (t) => {
  const app = await makeApp(t, { rateLimit: 1 });
  const before = snapshot(app);
  t.equal((await call(app, RRR, seedBody())).status, 200, 'first call within the limit');
  const a = await call(app, RRR, seedBody());
  checkError(t, a, { status: 429, code: 'FlowLimitExceeded', codeN: 100018, message: /GetMessagesReadReceipt/ });
  t.equal(snapshot(app), before);
});

t.test('500 InternalError 100014 for anything unexpected, without internals', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const clock = new MockClock(() => 1_767_225_600_000);
  registerDispatch(app, {
    operations: new Map([['Boom', { name: 'Boom', qps: 100, validator: compileBody(Obj({})), handle: () => { throw new Error('boom at /work/src/secret.ts:12'); } }]]),
    clock, random: new Random(1), rateLimiter: new RateLimiter(clock, 0),
  });
  const a = await call(app, 'Boom', {});
  checkError(t, a, { status: 500, code: 'InternalError', codeN: 100014, action: 'Boom' });
  t.notMatch(a.text, /boom|secret/);
});

t.test('the error catalog: every entry has a Code key, an HTTP status and a CodeN only for gateway errors', async (t) => {
  const { ERRORS, ApiError } = await import('../src/protocol/errors.js');
  for (const [code, spec] of Object.entries(ERRORS)) {
    const e = new ApiError(code as keyof typeof ERRORS, 'detail');
    t.equal(e.code, code);
    t.equal(e.status, spec.status);
    t.ok(e.status >= 400 && e.status < 600, `${code}: error status`);
    if (code.startsWith('InvalidParameter')) t.equal(e.codeN, undefined, `${code}: business error, no CodeN`);
  }
  t.same([new ApiError('FlowLimitExceeded').status, new ApiError('FlowLimitExceeded').codeN], [429, 100018]);
  t.same([new ApiError('AccessDenied').status, new ApiError('AccessDenied').codeN], [403, undefined], 'a business refusal carries no gateway CodeN');
});

t.test('success envelope', async (t) => {
  const app = await makeApp(t);
  const a = await call(app, RRR, seedBody());
  t.equal(a.status, 200);
  t.same(Object.keys(a.body.ResponseMetadata), ['RequestId', 'Action', 'Version', 'Service', 'Region']);
  t.match(a.body.ResponseMetadata, { Action: RRR, Version: '2020-12-01', Service: 'rtc', Region: 'cn-north-1' });
  t.match(a.body.ResponseMetadata.RequestId, /^20260101080000[0-9A-F]{20}$/);
  t.equal(a.headers['x-request-id'], a.body.ResponseMetadata.RequestId);
  t.notOk('Error' in a.body.ResponseMetadata);
  t.match(a.headers['content-type'], /^application\/json/);
  t.ok(a.text.includes('"ConversationShortId":1691070514797524328') && a.text.includes('"MessageId":1709040620191372977'), 'ids exact in the raw text');
  const r = await call(app, RRR, seedBody(), { headers: { authorization: 'HMAC-SHA256 Credential=AKLTtest/20240102/cn-east-1/rtc/request, SignedHeaders=x-date, Signature=00' } });
  t.equal(r.body.ResponseMetadata.Region, 'cn-east-1', 'Region from the credential scope');
  const n = await call(app, RRR, seedBody(), { headers: { 'content-type': 'text/plain' } });
  t.equal(n.status, 200, 'the body is JSON whatever the Content-Type says');
});

t.test('__proto__ and constructor keys are harmless', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const polluting = `{"__proto__":{"polluted":1,"AppId":666675},"constructor":{"prototype":{"polluted2":1}},"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}`;
  const a = await call(app, RRR, polluting);
  t.equal(a.status, 200, 'the request is still answered');
  t.equal(a.body.Result.ReadReceipt[0].MessageId, SEED_MSG);
  const b = await call(app, RRR, `{"__proto__":{"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}}`);
  t.equal(b.status, 400, 'fields under __proto__ do not count');
  t.equal(b.body.ResponseMetadata.Error.Code, 'InvalidParameter');
  t.match(b.body.ResponseMetadata.Error.Message, /AppId: is required/);
  const c = await call(app, RRR, `{"constructor":{"prototype":{"AppId":1}},"ConversationShortId":1,"MessageIds":[1]}`);
  t.equal(c.status, 400);
  t.match(c.body.ResponseMetadata.Error.Message, /AppId: is required/);
  t.equal(({} as any).polluted, undefined, 'Object.prototype not polluted');
  t.equal(({} as any).polluted2, undefined);
  t.equal((Object.prototype as any).AppId, undefined);
  t.equal(snapshot(app), before);
});

t.test('int64 edges 2^53+1 and 2^63-1 are exact in and out', async (t) => {
  const app = await makeApp(t, { fixtureDoc: world() });
  const a = await call(app, RRR, { AppId: EDGE_APP, ConversationShortId: I64_MAX, MessageIds: [I64_MAX, I53_PLUS] });
  t.equal(a.status, 200, a.text);
  for (const digits of ['"ConversationShortId":9223372036854775807', '"MessageId":9223372036854775807', '"MessageId":9007199254740993',
    '"UnReadUserIds":[9007199254740993]', '"ReadUserIds":[9007199254740993]']) {
    t.ok(a.text.includes(digits), `raw text has ${digits}`);
  }
  t.same(a.body.Result.ReadReceipt.map((r: any) => [r.MessageId, r.ReceiverIsRead]), [[I64_MAX, true], [I53_PLUS, false]]);
  // the request written by hand, as a non-JS client would
  const raw = await call(app, RRR, '{"AppId":7001,"ConversationShortId":9007199254740993,"MessageIds":[9007199254740995]}');
  t.equal(raw.status, 200, raw.text);
  t.ok(raw.text.includes('"ConversationShortId":9007199254740993') && raw.text.includes('"MessageId":9007199254740995'));
  t.notOk(raw.text.includes('9007199254740992') || raw.text.includes('9007199254740996'), 'no rounding through a double');
  const near = await call(app, RRR, '{"AppId":7001,"ConversationShortId":9007199254740992,"MessageIds":[9007199254740995]}');
  t.equal(near.body.ResponseMetadata.Error.Code, 'InvalidParameter.NotExistConversation', '2^53 is a different conversation from 2^53+1');
});

t.test('JSON parsing: strictNumbers makes float literals InexactNumber; integers exact; strings untouched', async (t) => {
  const text = '{"a":1e3,"b":[1.0,-2.5E-3],"c":"1.5 and 1e3","d":12,"e":9223372036854775807,"f":"\\"1.5","g":"\\u0000123","h":1.00000000000000000001}';
  const v = parseJson(text, { strictNumbers: true }) as any;
  t.ok(v.a instanceof InexactNumber && v.a.literal === '1e3');
  t.ok(v.b[0] instanceof InexactNumber && v.b[0].literal === '1.0');
  t.equal(v.b[1].literal, '-2.5E-3');
  t.equal(v.c, '1.5 and 1e3');
  t.equal(v.d, 12);
  t.equal(v.e, I64_MAX);
  t.equal(v.f, '"1.5');
  t.equal(v.g, '\u0000123', 'a client string that looks like the old mark stays a string');
  t.ok(v.h instanceof InexactNumber);
  t.equal(stringifyJson(v.a), '1000');
  const loose = parseJson(text) as any;
  t.same([loose.a, loose.b, loose.d, loose.e, loose.g], [1000, [1, -0.0025], 12, I64_MAX, '\u0000123'], 'without strictNumbers short floats are numbers (control plane: Probability, DurationMs)');
  t.ok(loose.h instanceof InexactNumber, 'a long non-integer is never a number');
  t.equal(stringifyJson({ x: I64_MAX, y: [I53_PLUS] }), '{"x":9223372036854775807,"y":[9007199254740993]}');
});

t.test('token bucket with a fake clock', async (t) => {
  const clock = new MockClock(() => 0);
  clock.set(1_000_000);
  await t.test('capacity = QPS, starts full, refills QPS per second, never above capacity', async (t) => {
    const rl = new RateLimiter(clock);
    let n = 0;
    while (rl.take('A', 100, 'ak')) n++;
    t.equal(n, 100, 'a full bucket holds QPS tokens');
    clock.advance(10);
    t.ok(rl.take('A', 100, 'ak'), '10 ms refill one token at 100 QPS');
    t.notOk(rl.take('A', 100, 'ak'));
    clock.advance(500);
    n = 0;
    while (rl.take('A', 100, 'ak')) n++;
    t.equal(n, 50, 'half a second refills half');
    clock.advance(60_000);
    n = 0;
    while (rl.take('A', 100, 'ak')) n++;
    t.equal(n, 100, 'a minute idle refills to capacity, not beyond');
    const slow = new RateLimiter(clock);
    for (let i = 0; i < 50; i++) t.ok(slow.take('S', 50, 'ak'));
    t.notOk(slow.take('S', 50, 'ak'), 'a QPS-50 action holds 50');
    clock.advance(19);
    t.notOk(slow.take('S', 50, 'ak'), '19 ms is less than one token at 50 QPS');
    clock.advance(1);
    t.ok(slow.take('S', 50, 'ak'), '20 ms is one token');
  });
  await t.test('per (Action, access key id)', async (t) => {
    const rl = new RateLimiter(clock);
    for (let i = 0; i < 3; i++) t.ok(rl.take('A', 3, 'ak1'));
    t.notOk(rl.take('A', 3, 'ak1'));
    t.ok(rl.take('A', 3, 'ak2'), 'another access key has its own bucket');
    t.ok(rl.take('B', 3, 'ak1'), 'another action has its own bucket');
  });
  await t.test('an override sets every action; 0 turns limiting off', async (t) => {
    const rl = new RateLimiter(clock, 2);
    t.ok(rl.take('A', 100, 'ak') && rl.take('A', 100, 'ak'));
    t.notOk(rl.take('A', 100, 'ak'), 'override 2 beats documented 100');
    t.ok(rl.take('B', 50, 'ak') && rl.take('B', 50, 'ak'));
    t.notOk(rl.take('B', 50, 'ak'), 'override 2 beats documented 50');
    const off = new RateLimiter(clock, 0);
    for (let i = 0; i < 10_000; i++) if (!off.take('A', 1, 'ak')) { t.fail('limited with 0'); break; }
    t.pass('10000 takes at QPS 0');
    rl.clear();
    t.ok(rl.take('A', 100, 'ak'), 'clear() refills');
  });
  await t.test('through the app: documented QPS, buckets per access key, anonymous shared, clock refills', async (t) => {
    const appClock = new MockClock(() => 1_767_225_600_000);
    const app = await makeApp(t, { rateLimit: undefined, clock: appClock });
    const auth = (ak: string) => ({ authorization: `HMAC-SHA256 Credential=${ak}/20240102/cn-north-1/rtc/request, SignedHeaders=x-content-sha256;x-date, Signature=abc` });
    const before = snapshot(app);
    for (let i = 0; i < 100; i++) {
      const a = await call(app, RRR, seedBody());
      if (a.status !== 200) { t.fail(`call ${i} refused: ${a.text}`); break; }
    }
    const refused = await call(app, RRR, seedBody());
    t.equal(refused.status, 429, 'the 101st anonymous call in one second is refused (documented QPS 100)');
    t.equal(refused.body.ResponseMetadata.Error.CodeN, 100018);
    const bad = await call(app, RRR, '{"AppId":0}');
    t.equal(bad.status, 429, 'the limit is checked before the body');
    const k1 = await call(app, RRR, seedBody(), { headers: auth('AKONE') });
    t.equal(k1.status, 200, 'a signed caller has its own bucket');
    const other = await call(app, 'NoSuchAction', seedBody());
    t.equal(other.status, 404, 'an unknown action is not rate-limited into 429');
    for (let i = 0; i < 99; i++) await call(app, RRR, seedBody(), { headers: auth('AKONE') });
    t.equal((await call(app, RRR, seedBody(), { headers: auth('AKONE') })).status, 429, 'AKONE is out after 100');
    t.equal((await call(app, RRR, seedBody(), { headers: auth('AKTWO') })).status, 200, 'AKTWO is not');
    t.equal((await call(app, RRR, seedBody(), { headers: { authorization: 'garbage' } })).status, 429, 'an unparseable Authorization counts as anonymous');
    appClock.advance(1000);
    t.equal((await call(app, RRR, seedBody())).status, 200, 'a second later the bucket has refilled');
    t.equal(snapshot(app), before, '429s changed nothing');
  });
  await t.test('through the app: rateLimit 0 disables', async (t) => {
    const app = await makeApp(t, { rateLimit: 0 });
    for (let i = 0; i < 300; i++) {
      const a = await call(app, RRR, seedBody());
      if (a.status !== 200) { t.fail(`call ${i}: ${a.status}`); return; }
    }
    t.pass('300 calls in the same instant');
  });
  await t.test('through the app: an override N applies to every action', async (t) => {
    const app = await makeApp(t, { rateLimit: 3 });
    for (let i = 0; i < 3; i++) t.equal((await call(app, RRR, seedBody())).status, 200);
    t.equal((await call(app, RRR, seedBody())).status, 429);
    t.equal(app.mock.rateLimiter.take('SendMessage', VENDOR_QPS.SendMessage, 'anonymous'), true);
    t.equal(app.mock.rateLimiter.take('SendMessage', VENDOR_QPS.SendMessage, 'anonymous') && app.mock.rateLimiter.take('SendMessage', 50, 'anonymous'), true);
    t.equal(app.mock.rateLimiter.take('SendMessage', VENDOR_QPS.SendMessage, 'anonymous'), false, 'SendMessage (documented 50) is also at 3');
  });
});

t.test('a group conversation answers; GROUP_CONV is the fixture group', async (t) => {
  const app = await makeApp(t);
  const a = await call(app, RRR, seedBody({ ConversationShortId: GROUP_CONV, MessageIds: [1709040720191372001n] }));
  t.equal(a.status, 200);
});

t.test('one log line per request, its duration in real time even when the mock clock runs backwards', async (t) => {
  const lines: any[] = [];
  let fake = 1_767_225_600_000;
  const app = await makeApp(t, {
    clock: new MockClock(() => (fake -= 5000)),
    logger: { level: 'info', stream: { write: (l: string) => { lines.push(JSON.parse(l)); } } },
  });
  const a = await call(app, RRR, seedBody());
  const b = await call(app, RRR, seedBody({ MessageIds: [] }));
  const c = await app.inject({ method: 'POST', url: '/elsewhere?Action=X&Version=Y', payload: '{}' });
  const requests = lines.filter((l) => l.msg === 'request');
  t.equal(requests.length, 3, 'three requests, three lines');
  t.same(requests.map((l) => [l.Action, l.status, l.RequestId]), [
    [RRR, 200, a.headers['x-request-id']], [RRR, 400, b.headers['x-request-id']], ['X', 404, c.headers['x-request-id']],
  ]);
  t.same(requests.map((l) => l.AppId), [SEED_APP, SEED_APP, undefined], 'AppId once the body is read');
  t.equal(requests[1].ErrorCode, 'InvalidParameter');
  for (const l of requests) t.ok(typeof l.ms === 'number' && l.ms >= 0 && l.ms < 5000, `ms ${l.ms} is a real duration`);
});

t.test('Random.hex: the digits of the draws, lowest nibble first, for any length', async (t) => {
  const nibbles = (r: Random, n: number) => { // the definition, one digit at a time
    let out = '';
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (i % 8 === 0) bits = r.next32();
      out += '0123456789ABCDEF'[bits & 15];
      bits >>>= 4;
    }
    return out;
  };
  for (const seed of [1n, 2n, 123456789n, 2n ** 64n - 1n]) {
    const a = new Random(seed);
    const b = new Random(seed);
    const lengths = Array.from({ length: 42 }, (_, n) => n);
    t.same(lengths.map((n) => a.hex(n)), lengths.map((n) => nibbles(b, n)), `seed ${seed}: 0 to 41 digits`);
  }
});
