// Hostile input, round two (issue 12 items 1, 2, 3, 5 and 8; issue 17's raw body in the journal): whatever a client
// sends, reading the journal, refusing a body, reading the Authorization header and keeping rate buckets cost work
// and memory bounded by a constant, and a lookup keyed by input never finds Object.prototype.
import t from 'tap';
import fc from 'fast-check';
import { once } from 'node:events';
import { makeApp, call, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';
import * as json from '../src/protocol/json.js';
import { parseJson, InexactNumber } from '../src/protocol/json.js';
import { compileBody, Obj, List, Id, AppId } from '../src/protocol/schema.js';
import { callerFromHeader } from '../src/protocol/dispatch.js';
import { verify, signRequest, xDateOf } from '../src/protocol/signing.js';
import { RateLimiter } from '../src/protocol/ratelimit.js';
import { MockClock } from '../src/protocol/clock.js';

const RR = 'GetMessagesReadReceipt';
const seedReceipt = { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] };
const journal = async (app: Awaited<ReturnType<typeof makeApp>>, qs = '') => {
  const res = await app.inject({ method: 'GET', url: `/_mock/requests${qs}` });
  return { status: res.statusCode, text: res.body, body: res.body ? (parseJson(res.body) as any) : undefined };
};

// ---- item 1: reading the journal ----

t.test('journal: a page by default (100), at most 1000, older pages through ?Before=', async (t) => {
  const app = await makeApp(t, { journalSize: 300 });
  for (let i = 0; i < 250; i++) await call(app, RR, { ...seedReceipt, MessageIds: [i + 1] });
  const page = (await journal(app)).body.Requests;
  t.equal(page.length, 100, 'no Limit: the newest 100');
  t.same(page.at(-1).Body.MessageIds, [250], 'oldest first, ending with the newest');
  t.equal((await journal(app, '?Limit=1001')).status, 400, 'Limit over 1000 is refused');
  t.equal((await journal(app, '?Limit=1000')).body.Requests.length, 250);
  // paging back: each page ends just before the first record of the one after it
  const seen: number[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const p = (await journal(app, `?Limit=70${before ? `&Before=${before}` : ''}`)).body.Requests;
    if (p.length === 0) break;
    seen.unshift(...p.map((r: any) => Number(r.Body.MessageIds[0])));
    before = p[0].RequestId;
  }
  t.same(seen, Array.from({ length: 250 }, (_, i) => i + 1), 'pages with Before= give every record once, in order');
  const unknown = await journal(app, '?Before=nope');
  t.equal(unknown.status, 400);
  t.match(unknown.body.Error.Message, /no such RequestId/);
});

t.test('journal: bodies are written out as they came, never parsed and written again', async (t) => {
  const app = await makeApp(t);
  // spacing, an exponent, a long fraction and a __proto__ key: a parse-and-write would change every one of them
  const sent = `{ "AppId" : ${SEED_APP},\n "ConversationShortId": ${SEED_CONV}, "MessageIds": [${SEED_MSG}], "__proto__": {"x": 1e3}, "F": 1.50000000000000000001 }`;
  await call(app, RR, sent);
  const res = await journal(app);
  t.ok(res.text.includes(`"Body":${sent},"RawBody":null`), 'the body text is in the answer byte for byte');
  t.equal(res.body.Requests[0].Body.ConversationShortId, SEED_CONV, 'and reads back int64-exact');
});

// ---- issue 17: the journal shows bad input ----

t.test('journal: a body that is not JSON is kept as RawBody text; JSON bodies have RawBody null', async (t) => {
  const app = await makeApp(t);
  await call(app, RR, '{"AppId":1,');
  await call(app, RR, '');
  await call(app, RR, seedReceipt);
  const deepBody = `{"AppId":1,"X":${'['.repeat(999)}${']'.repeat(999)}}`; // JSON, but too deep to sit inside a page
  await call(app, RR, deepBody);
  const [broken, empty, good, deep] = (await journal(app)).body.Requests;
  t.same([broken.Body, broken.RawBody, broken.ErrorCode], [null, '{"AppId":1,', 'InvalidParameter.Unmarshal']);
  t.same([empty.Body, empty.RawBody], [null, ''], 'an empty body is RawBody ""');
  t.same([good.RawBody, good.Body.AppId], [null, SEED_APP]);
  t.same([deep.Body, deep.RawBody], [null, deepBody], 'a body nested deeper than a page can hold is shown as text');
});

t.test('isJsonText agrees with JSON.parse', async (t) => {
  const accepts = (s: string) => { try { JSON.parse(s); return true; } catch { return false; } };
  for (const s of ['', ' 1 ', '01', '-', '1.', '1e+', '[1,]', '{"a":1,}', '{"a"}', '"\\x"', '"\\u12g4"', '"a\tb"', 'nul', '[]]', '\uFEFF{}', '{"é":"ü"}']) {
    t.equal(json.isJsonText(s), accepts(s), JSON.stringify(s));
  }
  fc.assert(fc.property(fc.json(), fc.nat(), fc.string({ maxLength: 2 }), (doc, at, insert) => {
    const k = at % (doc.length + 1);
    for (const s of [doc, doc.slice(0, k) + insert + doc.slice(k), doc.slice(0, k) + doc.slice(k + 1)]) {
      if (json.isJsonText(s) !== accepts(s)) return false;
    }
    return true;
  }), { numRuns: 3000 });
  t.equal(json.isJsonText('[[[]]]', 3), true);
  t.equal(json.isJsonText('[[[[]]]]', 3), false, 'deeper than maxDepth');
});

// ---- item 2: a refused body costs little ----

t.test('an oversize array is refused while parsing, before anything walks it', async (t) => {
  const app = await makeApp(t);
  const a = await call(app, RR, `{"AppId":${SEED_APP},"ConversationShortId":${SEED_CONV},"MessageIds":[${'1,'.repeat(524_200)}1]}`);
  t.equal(a.status, 400);
  t.equal(a.body.ResponseMetadata.Error.Code, 'InvalidParameter.Unmarshal');
  t.match(a.body.ResponseMetadata.Error.Message, /an array has more than 100000 items/);
  const floats = await call(app, RR, `{"AppId":${SEED_APP},"ConversationShortId":${SEED_CONV},"MessageIds":[${'1.5,'.repeat(200_000)}1]}`);
  t.match(floats.body.ResponseMetadata.Error.Message, /an array has more than 100000 items/);
});

t.test('a failing array is not walked by the error search: maxItems is read first, a bad item found by compiled checks', async (t) => {
  const schema = Obj({ AppId: AppId(), Ids: List(Id(), { minItems: 1, maxItems: 100 }), Free: List(Id()) });
  const v = compileBody(schema);
  let reads = 0;
  const counted = (items: unknown[]) => new Proxy(items, { get(target, key, recv) { if (typeof key === 'string' && /^\d+$/.test(key)) reads++; return Reflect.get(target, key, recv); } });
  const big = Array.from({ length: 100_000 }, (_, i) => i + 1);
  t.throws(() => v.parse({ AppId: 1, Ids: counted(big), Free: [1] }), { message: 'Ids: must have 1 to 100 items' });
  t.ok(reads < 1000, `items read: ${reads} (of 100,000)`);
  // no maxItems: the first bad item is named; the message is the same as for a small array
  const free = [...big];
  free[99_999] = 0;
  t.throws(() => v.parse({ AppId: 1, Ids: [1], Free: free }), { message: 'Free[99999]: must be a positive int64 integer' });
  t.throws(() => v.parse({ AppId: 1, Ids: [1], Free: [1, 0] }), { message: 'Free[1]: must be a positive int64 integer' });
  t.throws(() => v.parse({ Ids: [1], Free: free }), { message: 'AppId: is required' });
  t.throws(() => v.parse({ AppId: big, Ids: [1], Free: [1] }), { message: 'AppId: must be an int32 integer from 1 to 2147483647' }, 'a large value where a scalar goes');
});

t.test('an integer literal longer than 20 characters is never made a BigInt (no int64 has 20 digits)', async (t) => {
  t.equal(parseJson('-9223372036854775808'), -9223372036854775808n, '20 characters: a BigInt');
  t.equal(parseJson('12345678901234567890'), 12345678901234567890n);
  for (const text of ['123456789012345678901', '1'.repeat(1_000_000)]) {
    const v = parseJson(text, { strictNumbers: true });
    t.ok(v instanceof InexactNumber, `${text.length} digits: kept as an InexactNumber`);
  }
  const app = await makeApp(t);
  const a = await call(app, RR, `{"AppId":${SEED_APP},"ConversationShortId":${'1'.repeat(1_000_000)},"MessageIds":[1]}`);
  t.equal(a.status, 400);
  t.equal(a.body.ResponseMetadata.Error.Message, 'ConversationShortId: must be a positive int64 integer');
});

// ---- item 3: the Authorization header ----

t.test('Authorization: read in one pass, refused over 4096 characters in every --auth mode', async (t) => {
  t.same(callerFromHeader('HMAC-SHA256 Credential=AKTEST/20260101/cn-north-1/rtc/request, SignedHeaders=x-date, Signature=00'),
    { accessKeyId: 'AKTEST', region: 'cn-north-1' });
  t.same(callerFromHeader('HMAC-SHA256 Credential=AKTEST/2026/cn-north-1/rtc/request'), { accessKeyId: 'anonymous' });
  const hostile = 'Credential='.repeat(1450); // 15,950 characters
  for (const auth of ['off', 'enforce'] as const) {
    const app = await makeApp(t, { auth, credentials: [{ accessKeyId: 'AK', secretKey: 'SK' }] });
    const a = await call(app, RR, seedReceipt, { headers: { authorization: hostile } });
    t.equal(a.status, 400, `--auth ${auth}: 400`);
    t.equal(a.body.ResponseMetadata.Error.Code, 'InvalidAuthorization');
    t.match(a.body.ResponseMetadata.Error.Message, /longer than 4096 characters/);
    const under = await call(app, RR, seedReceipt, { headers: { authorization: 'x'.repeat(4096) } });
    t.notMatch(under.body.ResponseMetadata.Error?.Message ?? '', /longer than/, `--auth ${auth}: 4096 characters are read`);
  }
});

// ---- item 5: rate buckets ----

t.test('rate buckets stay bounded in count and key length with a frozen clock and made-up 8 KB access keys', async (t) => {
  const clock = new MockClock(() => 1_767_225_600_000); // never moves
  const limiter = new RateLimiter(clock);
  for (let i = 0; i < 25_000; i++) limiter.take('SendMessage', 10, String(i).padStart(8192, 'k'));
  const buckets = (limiter as any).buckets as Map<string, unknown>;
  t.ok(buckets.size <= 10_000, `buckets: ${buckets.size}`);
  t.ok(Math.max(...[...buckets.keys()].map((k) => k.length)) <= 200, 'keys are short');
  // the newest keys still have their buckets: a key out of tokens stays limited
  const key = String(24_999).padStart(8192, 'k');
  for (let i = 0; i < 9; i++) limiter.take('SendMessage', 10, key);
  t.equal(limiter.take('SendMessage', 10, key), false, 'the 11th call within the same instant is refused');
});

// ---- item 8: lookups keyed by input ----

const PROTO_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

t.test('a fault whose Error.Code names an Object.prototype property answers that code, not 500', async (t) => {
  const app = await makeApp(t);
  for (const code of PROTO_NAMES) {
    const add = await app.inject({ method: 'POST', url: '/_mock/faults', payload: JSON.stringify({ Action: RR, Times: 1, Error: { Code: code, HttpStatus: 409 } }) });
    t.equal(add.statusCode, 200, `fault with Code ${code} accepted`);
    const a = await call(app, RR, seedReceipt);
    t.equal(a.status, 409, `${code}: the rule's status`);
    t.equal(a.body.ResponseMetadata.Error.Code, code);
    t.match(a.body.ResponseMetadata.Error.Message, /fault/);
  }
});

t.test('a fault Action that names an Object.prototype property is not a vendor action', async (t) => {
  const app = await makeApp(t);
  for (const action of PROTO_NAMES.filter((n) => n !== '__proto__')) { // (__proto__ as a JSON key is dropped by the parser)
    const add = await app.inject({ method: 'POST', url: '/_mock/faults', payload: JSON.stringify({ Action: action, DelayMs: 1 }) });
    t.equal(add.statusCode, 400, `Action ${action} refused`);
    t.match(parseJson(add.body), { Error: { Message: /is not an action of Version 2020-12-01/ } });
  }
});

t.test('a signed header name such as constructor is a header the request did not send', async (t) => {
  const now = 1_767_225_600_000;
  const credential = { accessKeyId: 'AK', secretKey: 'SK' };
  const signed = signRequest({ method: 'POST', url: `/?Action=${RR}&Version=2020-12-01`, body: '{}', credential, region: 'cn-north-1', xDate: xDateOf(now), signedHeaders: ['constructor', 'x-date'] });
  const verdict = verify({ method: 'POST', url: `/?Action=${RR}&Version=2020-12-01`, headers: { ...signed.headers } }, Buffer.from('{}'), new Map([['AK', 'SK']]), now, 900);
  t.equal(verdict.ok, true, 'signed and checked alike');
  t.match(verdict.canonicalRequest, /^constructor:\n/m);
  t.notMatch(verdict.canonicalRequest, /function Object/);
});
