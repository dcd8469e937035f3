// Signing (volcengine-im-api §3): the reference vectors, the pure functions, and every gateway code through the app.
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import {
  canonicalQuery, canonicalHeaderValue, canonicalRequest, parseAuthorization, parseXDate, sha256Hex, signRequest,
  signature, signingKey, stringToSign, credentialScope, verify, xDateOf, type Credential,
} from '../src/protocol/signing.js';
import { buildApp, type AppOptions } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseConfig, ConfigError } from '../src/config.js';
import { parseJson } from '../src/protocol/json.js';
import { makeApp, snapshot, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

// volcengine-im-api §3.6
const VECTOR = {
  method: 'POST', url: '/?Action=GetMessagesReadReceipt&Version=2020-12-01',
  body: '{"AppId":123456,"ConversationShortId":7001,"MessageIds":[1,2]}',
  credential: { accessKeyId: 'AKLTtestkey', secretKey: 'testsecret' }, region: 'cn-north-1', xDate: '20240102T030405Z',
};
const VECTOR_BODY_HASH = '5489de312ab3d22bb6e1eb8fad9b11ce197ef818011db7bffd3db42e8c4a722f';
const GO_HEADERS = { 'content-type': 'application/json', host: 'rtc.volcengineapi.com', 'x-im-sdk-version': 'Golang-V1.0.1' };
const GO_SIGNED = ['content-type', 'host', 'x-content-sha256', 'x-date', 'x-im-sdk-version'];
const VECTOR_NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

t.test('reference vector, Node SDK signer: x-content-sha256;x-date', async (t) => {
  t.equal(sha256Hex(VECTOR.body), VECTOR_BODY_HASH);
  t.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  const s = signRequest(VECTOR);
  t.equal(s.canonicalRequest, [
    'POST', '/', 'Action=GetMessagesReadReceipt&Version=2020-12-01',
    `x-content-sha256:${VECTOR_BODY_HASH}`, 'x-date:20240102T030405Z', '',
    'x-content-sha256;x-date', VECTOR_BODY_HASH,
  ].join('\n'));
  t.equal(s.signature, 'cedb18b71bb8a2fcd2a8b0cbed10848ab0265c8ce7e0f41a6b8e76ed1769cdb1');
  t.equal(s.headers.authorization, 'HMAC-SHA256 Credential=AKLTtestkey/20240102/cn-north-1/rtc/request, SignedHeaders=x-content-sha256;x-date, Signature=cedb18b71bb8a2fcd2a8b0cbed10848ab0265c8ce7e0f41a6b8e76ed1769cdb1');
  // the same through the individual steps
  const key = signingKey('testsecret', '20240102', 'cn-north-1');
  const toSign = stringToSign('20240102T030405Z', credentialScope('20240102', 'cn-north-1'), s.canonicalRequest);
  t.equal(toSign.split('\n').slice(0, 3).join('|'), 'HMAC-SHA256|20240102T030405Z|20240102/cn-north-1/rtc/request');
  t.equal(signature(key, toSign), 'cedb18b71bb8a2fcd2a8b0cbed10848ab0265c8ce7e0f41a6b8e76ed1769cdb1');
});

t.test('reference vector, Go SDK signer: content-type;host;x-content-sha256;x-date;x-im-sdk-version', async (t) => {
  const s = signRequest({ ...VECTOR, headers: GO_HEADERS, signedHeaders: GO_SIGNED });
  t.equal(s.signature, 'f3fc16a1c5cf6decdf57c9201d7de1e1183fa47314ec8e02db5fb03b8871aafb');
  t.match(s.headers.authorization, /SignedHeaders=content-type;host;x-content-sha256;x-date;x-im-sdk-version, /);
  // Go drops :443 from host before signing; the server does the same with the Host it receives
  const withPort = signRequest({ ...VECTOR, headers: { ...GO_HEADERS, host: 'rtc.volcengineapi.com:443' }, signedHeaders: GO_SIGNED });
  t.equal(withPort.signature, s.signature);
});

t.test('verify accepts both reference requests and names what it computed', async (t) => {
  const secrets = new Map([['AKLTtestkey', 'testsecret']]);
  const node = signRequest(VECTOR);
  const v = verify({ method: 'POST', url: VECTOR.url, headers: node.headers }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW, 900);
  t.same(v, { ok: true, accessKeyId: 'AKLTtestkey', region: 'cn-north-1', canonicalRequest: node.canonicalRequest, stringToSign: node.stringToSign });
  const go = signRequest({ ...VECTOR, headers: GO_HEADERS, signedHeaders: GO_SIGNED });
  const g = verify({ method: 'POST', url: VECTOR.url, headers: { ...go.headers, host: 'rtc.volcengineapi.com:443' } }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW, 900);
  t.equal(g.ok, true);
  // a signed header changed after signing
  const h = verify({ method: 'POST', url: VECTOR.url, headers: { ...go.headers, 'x-im-sdk-version': 'Golang-V9' } }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW, 900);
  t.equal(h.code, 'SignatureDoesNotMatch');
  // an unsigned header may change (Node does not sign host or content-type)
  const u = verify({ method: 'POST', url: VECTOR.url, headers: { ...node.headers, host: 'elsewhere:8080', 'content-type': 'text/plain' } }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW, 900);
  t.equal(u.ok, true);
  // skew boundary: exactly 900 s is fine, 901 s is not
  t.equal(verify({ method: 'POST', url: VECTOR.url, headers: node.headers }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW - 900_000, 900).ok, true);
  t.equal(verify({ method: 'POST', url: VECTOR.url, headers: node.headers }, Buffer.from(VECTOR.body), secrets, VECTOR_NOW + 901_000, 900).code, 'InvalidTimestamp');
});

t.test('canonical query, header values, X-Date and Authorization parsing', async (t) => {
  t.equal(canonicalQuery('Version=2020-12-01&Action=GetMessagesReadReceipt'), 'Action=GetMessagesReadReceipt&Version=2020-12-01', 'keys sorted');
  t.equal(canonicalQuery('b=a+b&a=x%20y&c=%2A%21~'), 'a=x%20y&b=a%20b&c=%2A%21~', "'+' read as space, RFC 3986 re-encoding");
  t.equal(canonicalQuery('k=2&k=1&a'), 'a=&k=2&k=1', 'repeated key keeps URL order (Go)');
  t.equal(canonicalQuery('k=2&k=1', true), 'k=1&k=2', 'or sorted values (Node)');
  t.equal(canonicalQuery(''), '');
  t.equal(canonicalHeaderValue('host', 'localhost:80'), 'localhost');
  t.equal(canonicalHeaderValue('host', '127.0.0.1:8080'), '127.0.0.1:8080');
  t.equal(canonicalHeaderValue('x-a', '  a   b\t c '), 'a b c');
  t.equal(canonicalHeaderValue('x-a', ['1', '2']), '1,2');
  t.equal(canonicalRequest({ method: 'post', path: '', query: '', signedHeaders: [], headers: {}, bodyHash: 'h' }), 'POST\n/\n\n\n\nh');
  t.equal(parseXDate('20240102T030405Z'), VECTOR_NOW);
  t.equal(parseXDate('20241302T030405Z'), undefined, 'month 13');
  t.equal(parseXDate('2024-01-02T03:04:05Z'), undefined);
  t.equal(xDateOf(VECTOR_NOW), '20240102T030405Z');
  t.match(parseAuthorization(signRequest(VECTOR).headers.authorization), { accessKeyId: 'AKLTtestkey', shortDate: '20240102', region: 'cn-north-1', service: 'rtc', signedHeaders: ['x-content-sha256', 'x-date'] });
  t.equal(parseAuthorization('AWS4-HMAC-SHA256 Credential=a/20240102/r/s/aws4_request'), 'the algorithm must be HMAC-SHA256');
  t.equal(parseAuthorization('HMAC-SHA256 Credential=a/2024/r/rtc/request, SignedHeaders=x-date, Signature=' + 'a'.repeat(64)), 'bad Credential');
  t.equal(parseAuthorization('HMAC-SHA256 Credential=a/20240102/r/rtc/request, SignedHeaders=x-date, Signature=abc'), 'bad Signature');
  t.equal(parseAuthorization('HMAC-SHA256 Credential=a/20240102/r/rtc/request, Signature=' + 'a'.repeat(64)), 'bad SignedHeaders');
});

// ---- through the app ----

const KEY: Credential = { accessKeyId: 'AKLTlocal', secretKey: 'local-secret' };
const SEED_BODY = `{"AppId":${SEED_APP},"ConversationShortId":${SEED_CONV},"MessageIds":[${SEED_MSG}]}`;
const URL_GET_RECEIPT = '/?Action=GetMessagesReadReceipt&Version=2020-12-01';

interface SignedCallOpts {
  credential?: Credential; xDate?: string; region?: string; url?: string; method?: string;
  /** body signed; `send` replaces what goes on the wire */
  body?: string; send?: string;
  headers?: Record<string, string>; signedHeaders?: string[];
  /** change headers after signing */
  edit?(h: Record<string, string>): void;
}

async function signedCall(app: FastifyInstance, o: SignedCallOpts = {}) {
  const body = o.body ?? SEED_BODY;
  const url = o.url ?? URL_GET_RECEIPT;
  const signed = signRequest({
    method: o.method ?? 'POST', url, body, credential: o.credential ?? KEY, region: o.region ?? 'cn-north-1',
    xDate: o.xDate ?? xDateOf(app.mock.clock.now()), headers: o.headers, signedHeaders: o.signedHeaders,
  });
  const headers = { 'content-type': 'application/json', ...signed.headers };
  o.edit?.(headers);
  const res = await app.inject({ method: (o.method ?? 'POST') as 'POST', url, headers, payload: o.send ?? body });
  return { status: res.statusCode, body: parseJson(res.body) as any };
}

function expectError(t: Test, a: { status: number; body: any }, status: number, code: string, codeN: number) {
  t.equal(a.status, status, `HTTP ${status}`);
  t.same(Object.keys(a.body.ResponseMetadata.Error), ['CodeN', 'Code', 'Message']);
  t.equal(a.body.ResponseMetadata.Error.Code, code, a.body.ResponseMetadata.Error.Message);
  t.equal(a.body.ResponseMetadata.Error.CodeN, codeN);
  t.notOk('Result' in a.body);
  return a.body.ResponseMetadata.Error.Message as string;
}

const enforce = (extra: AppOptions = {}): AppOptions => ({ auth: 'enforce', credentials: [KEY, { accessKeyId: 'AKLTother', secretKey: 'other' }], ...extra });

t.test('enforce: a correctly signed request is answered, Region from its credential scope', async (t) => {
  const app = await makeApp(t, enforce());
  const a = await signedCall(app);
  t.equal(a.status, 200);
  t.same(a.body.Result.ReadReceipt[0].UnReadUserIds, [30341]);
  t.equal(a.body.ResponseMetadata.Region, 'cn-north-1');
  const sg = await signedCall(app, { region: 'ap-southeast-1', credential: { accessKeyId: 'AKLTother', secretKey: 'other' } });
  t.equal(sg.status, 200);
  t.equal(sg.body.ResponseMetadata.Region, 'ap-southeast-1');
  // Go-style headers, host signed (inject sends Host localhost:80; signed as "localhost")
  const go = await signedCall(app, { headers: { 'content-type': 'application/json', host: 'localhost', 'x-im-sdk-version': 'Golang-V1.0.1' }, signedHeaders: GO_SIGNED });
  t.equal(go.status, 200);
});

t.test('enforce: each gateway code, before any validation or state', async (t) => {
  const app = await makeApp(t, enforce());
  const before = snapshot(app);
  const now = app.mock.clock.now();
  const sig = 'Signature=' + '0'.repeat(64);

  const noAuth = await app.inject({ method: 'POST', url: URL_GET_RECEIPT, headers: { 'content-type': 'application/json' }, payload: SEED_BODY });
  expectError(t, { status: noAuth.statusCode, body: parseJson(noAuth.body) }, 401, 'MissingAuthenticationToken', 100003);

  const bearer = await signedCall(app, { edit: (h) => { h.authorization = 'Bearer abc'; } });
  expectError(t, bearer, 400, 'InvalidAuthorization', 100024);
  const noSig = await signedCall(app, { edit: (h) => { h.authorization = h.authorization.replace(/, Signature=.*/, ''); } });
  expectError(t, noSig, 400, 'InvalidAuthorization', 100024);

  const noDate = await signedCall(app, { edit: (h) => { delete h['x-date']; } });
  t.match(expectError(t, noDate, 400, 'MissingRequestInfo', 100004), /X-Date/);
  const noAk = await signedCall(app, { edit: (h) => { h.authorization = `HMAC-SHA256 Credential=/${xDateOf(now).slice(0, 8)}/cn-north-1/rtc/request, SignedHeaders=x-date, ${sig}`; } });
  t.match(expectError(t, noAk, 400, 'MissingRequestInfo', 100004), /AccessKey/);

  const stale = await signedCall(app, { xDate: xDateOf(now - 16 * 60_000) });
  t.match(expectError(t, stale, 400, 'InvalidTimestamp', 100006), /expired.*more than 900 s/);
  const future = await signedCall(app, { xDate: xDateOf(now + 16 * 60_000) });
  expectError(t, future, 400, 'InvalidTimestamp', 100006);
  const badDate = await signedCall(app, { edit: (h) => { h['x-date'] = 'yesterday'; } });
  expectError(t, badDate, 400, 'InvalidTimestamp', 100006);
  const otherDay = await signedCall(app, { edit: (h) => { h.authorization = h.authorization.replace(/\/\d{8}\//, '/20251231/'); } });
  t.match(expectError(t, otherDay, 400, 'InvalidTimestamp', 100006), /credential date 20251231/);

  const unknown = await signedCall(app, { credential: { accessKeyId: 'AKLTnobody', secretKey: 'x' } });
  t.match(expectError(t, unknown, 401, 'InvalidAccessKey', 100009), /\[AKLTnobody\]/);

  const wrongSecret = await signedCall(app, { credential: { accessKeyId: KEY.accessKeyId, secretKey: 'not-it' } });
  const m = expectError(t, wrongSecret, 401, 'SignatureDoesNotMatch', 100010);
  t.notMatch(m, /canonical request/, 'no canonical request without --auth-debug');
  const tampered = await signedCall(app, { send: SEED_BODY.replace('30341', '30342') + ' ' });
  t.match(expectError(t, tampered, 401, 'SignatureDoesNotMatch', 100010), /X-Content-Sha256 is not the SHA-256 of the body received/);
  // the body hash header left as signed, the body changed and no header claims it: still caught by the canonical body hash
  const noHashHeader = await signedCall(app, { send: ' ' + SEED_BODY, edit: (h) => { delete h['x-content-sha256']; } });
  expectError(t, noHashHeader, 401, 'SignatureDoesNotMatch', 100010);
  const query = await signedCall(app, { edit: () => {}, url: URL_GET_RECEIPT + '&Extra=1' });
  t.equal(query.status, 200, 'a signed extra query parameter is fine');
  const otherService = await signedCall(app, { edit: (h) => { h.authorization = h.authorization.replace('/rtc/request', '/iam/request'); } });
  t.match(expectError(t, otherService, 401, 'SignatureDoesNotMatch', 100010), /service iam, not rtc/);

  // signature first: the unsigned request does not learn that the method, Action or Version is wrong
  for (const url of ['/?Action=NoSuchAction&Version=2020-12-01', '/?Version=2020-12-01', '/?Action=GetMessagesReadReceipt&Version=1999-01-01']) {
    const r = await app.inject({ method: 'POST', url, payload: SEED_BODY });
    t.equal(r.statusCode, 401, `${url}: 401 first`);
  }
  const get = await app.inject({ method: 'GET', url: URL_GET_RECEIPT });
  t.equal(get.statusCode, 401, 'GET unsigned: 401, not 405');
  const signedGet = await signedCall(app, { method: 'GET', body: '', send: '' });
  t.equal(signedGet.status, 405, 'GET signed: then MethodNotAllowed');
  const signedBad = await signedCall(app, { body: '{"AppId":0}' });
  t.equal(signedBad.body.ResponseMetadata.Error.Code, 'InvalidParameter', 'signed: then validation');
  t.equal(snapshot(app), before, 'no refused request changed anything');
});

t.test('enforce: a refused signature is journaled with its key, code, AppId and Body', async (t) => {
  const app = await makeApp(t, enforce());
  await signedCall(app, { credential: { accessKeyId: KEY.accessKeyId, secretKey: 'wrong' } });
  await signedCall(app);
  const res = await app.inject({ method: 'GET', url: '/_mock/requests' });
  const [refused, accepted] = (parseJson(res.body) as any).Requests;
  t.match(refused, { Action: 'GetMessagesReadReceipt', AppId: SEED_APP, AccessKeyId: KEY.accessKeyId, HttpStatus: 401, ErrorCode: 'SignatureDoesNotMatch' });
  t.same(refused.Body, { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  t.match(accepted, { AccessKeyId: KEY.accessKeyId, HttpStatus: 200, ErrorCode: null });
});

t.test('enforce with --auth-debug: SignatureDoesNotMatch shows the server canonical request', async (t) => {
  const app = await makeApp(t, enforce({ authDebug: true }));
  const a = await signedCall(app, { credential: { accessKeyId: KEY.accessKeyId, secretKey: 'wrong' } });
  const m = expectError(t, a, 401, 'SignatureDoesNotMatch', 100010);
  const xDate = xDateOf(app.mock.clock.now());
  t.match(m, `server canonical request:\nPOST\n/\nAction=GetMessagesReadReceipt&Version=2020-12-01\nx-content-sha256:${sha256Hex(SEED_BODY)}\nx-date:${xDate}\n\nx-content-sha256;x-date\n${sha256Hex(SEED_BODY)}`);
  t.match(m, `server string to sign:\nHMAC-SHA256\n${xDate}\n${xDate.slice(0, 8)}/cn-north-1/rtc/request\n`);
  const other = await signedCall(app, { credential: { accessKeyId: 'AKLTnobody', secretKey: 'x' } });
  t.notMatch(expectError(t, other, 401, 'InvalidAccessKey', 100009), /canonical/, 'only SignatureDoesNotMatch carries it');
  // max clock skew option
  const strict = await makeApp(t, enforce({ maxClockSkew: 60 }));
  expectError(t, await signedCall(strict, { xDate: xDateOf(strict.mock.clock.now() - 61_000) }), 400, 'InvalidTimestamp', 100006);
  t.equal((await signedCall(strict, { xDate: xDateOf(strict.mock.clock.now() - 59_000) })).status, 200);
});

t.test('log answers like off and records the verdict; off checks nothing', async (t) => {
  const lines: any[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const verdicts: unknown[] = [];
  const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => 1_767_225_600_000), auth: 'log', credentials: [KEY], logger: { level: 'info', stream } });
  app.addHook('onResponse', async (req) => { verdicts.push(req.volcAuth); });
  await app.ready();
  t.teardown(() => app.close());
  const good = await signedCall(app);
  t.equal(good.status, 200);
  const bad = await signedCall(app, { credential: { accessKeyId: KEY.accessKeyId, secretKey: 'wrong' } });
  t.equal(bad.status, 200, 'a bad signature is still answered');
  const none = await app.inject({ method: 'POST', url: URL_GET_RECEIPT, payload: SEED_BODY });
  t.equal(none.statusCode, 200);
  t.match(verdicts, [{ ok: true, accessKeyId: 'AKLTlocal' }, { ok: false, code: 'SignatureDoesNotMatch', accessKeyId: 'AKLTlocal' }, { ok: false, code: 'MissingAuthenticationToken' }]);
  t.ok(lines.some((l) => l.level === 30 && l.auth?.ok === true), 'info line for the good one');
  t.ok(lines.some((l) => l.level === 40 && l.auth?.code === 'SignatureDoesNotMatch'), 'warn line for the bad one');
  t.notOk(JSON.stringify(lines).includes(KEY.secretKey), 'the secret is never logged');

  const off = await makeApp(t, { credentials: [KEY] });
  const garbage = await off.inject({ method: 'POST', url: URL_GET_RECEIPT, headers: { authorization: 'HMAC-SHA256 Credential=AKLTx/20200101/cn-north-1/rtc/request, Signature=bad' }, payload: SEED_BODY });
  t.equal(garbage.statusCode, 200, 'off: anything goes');
  t.equal((parseJson(garbage.body) as any).ResponseMetadata.Region, 'cn-north-1');
});

t.test('auth flags and environment', async (t) => {
  const c = parseConfig(['--auth', 'enforce', '--credentials', 'AK1:SK1, AK2:S:K2', '--max-clock-skew', '60', '--auth-debug', 'true'], {});
  t.same([c.auth, c.credentials, c.maxClockSkew, c.authDebug], ['enforce', [{ accessKeyId: 'AK1', secretKey: 'SK1' }, { accessKeyId: 'AK2', secretKey: 'S:K2' }], 60, true]);
  const d = parseConfig([], {});
  t.same([d.auth, d.credentials, d.maxClockSkew, d.authDebug], ['off', undefined, 900, false], 'defaults');
  const e = parseConfig([], { VOLC_MOCK_AUTH: 'log', VOLC_MOCK_CREDENTIALS: 'A:B', VOLC_MOCK_AUTH_DEBUG: '1', VOLC_MOCK_MAX_CLOCK_SKEW: '5' });
  t.same([e.auth, e.credentials, e.authDebug, e.maxClockSkew], ['log', [{ accessKeyId: 'A', secretKey: 'B' }], true, 5]);
  t.equal(parseConfig(['--auth', 'off'], { VOLC_MOCK_AUTH: 'enforce' }).auth, 'off', 'the flag wins');
  const bad: [string[], Record<string, string>, RegExp][] = [
    [['--auth', 'strict'], {}, /^--auth=strict: must be one of off, log, enforce$/],
    [[], { VOLC_MOCK_AUTH: 'on' }, /^VOLC_MOCK_AUTH=on: must be one of/],
    [['--auth', 'enforce'], {}, /--auth=enforce: no access key would be accepted/],
    [['--credentials', 'AKonly'], {}, /--credentials: item 1 must be AK:SK/],
    [['--credentials', 'A:1,B:'], {}, /--credentials: item 2 must be AK:SK/],
    [['--credentials', 'A:1,A:2'], {}, /access key id A is given twice/],
    [['--credentials', 'A/B:1'], {}, /must not contain/],
    [['--max-clock-skew=-1'], {}, /^--max-clock-skew=-1: must be an integer/],
    [[], { VOLC_MOCK_MAX_CLOCK_SKEW: 'ten' }, /^VOLC_MOCK_MAX_CLOCK_SKEW=ten: must be an integer/],
    [['--auth-debug', 'maybe'], {}, /^--auth-debug=maybe: must be true or false$/],
  ];
  for (const [argv, env, re] of bad) {
    t.throws(() => parseConfig(argv, env), re, argv.join(' ') || JSON.stringify(env));
    try { parseConfig(argv, env); } catch (err) { t.ok(err instanceof ConfigError && !String(err.message).includes('\n'), 'one line'); }
  }
  t.throws(() => parseConfig(['--credentials', 'A:topsecret,A:x'], {}), { message: /^(?!.*topsecret)/ }, 'no secret in the error');
});
