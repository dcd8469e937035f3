// The vendor's own Node SDK (@volcengine/openapi), unmodified, against the mock over real HTTP on loopback,
// in every --auth mode; plus hand-signed requests (the SDK's Signer, and Go-style headers) for what the SDK cannot send.
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { signRequest, xDateOf, type Credential } from '../src/protocol/signing.js';
import type { AppOptions } from '../src/app.js';
import { makeApp, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

// The SDK reads credentials and a proxy from the environment when it is loaded: clear them first, then load it.
for (const name of ['VOLC_ACCESSKEY', 'VOLC_SECRETKEY', 'VOLC_PROXY_PORT', 'VOLC_PROXY_HOST']) delete process.env[name];
const { Service, Signer } = await import('@volcengine/openapi');

const KEY: Credential = { accessKeyId: 'AKLTmocktest', secretKey: 'mock-secret-key' };
const VERSION = '2020-12-01';

/** A mock app on real time, listening on an ephemeral loopback port; closed when the test ends. */
async function serve(t: Test, opts: AppOptions = {}): Promise<{ app: FastifyInstance; port: number }> {
  const app = await makeApp(t, { clock: new MockClock(), ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

type Envelope = { ResponseMetadata: { RequestId: string; Region: string; Error?: { CodeN?: number; Code: string; Message: string } }; Result?: any };

/**
 * The SDK configured as an IM caller would (volcengine-im-api §3.2), returning `call(Action, body)`.
 * Bodies go pre-stringified int64-exact (the SDK's signer would JSON.stringify a BigInt and throw) and answers are
 * parsed with json-bigint (the SDK's JSON.parse would round ids above 2^53).
 */
function sdkClient(port: number, credential: Credential, region = 'cn-north-1') {
  const service = new Service({
    host: `127.0.0.1:${port}`, protocol: 'http:', region, serviceName: 'rtc',
    accessKeyId: credential.accessKeyId, secretKey: credential.secretKey,
  });
  return (action: string, body: unknown): Promise<Envelope> => {
    const api = service.createJSONAPI(action, { Version: VERSION });
    return api(stringifyJson(body) as any, { Action: action, transformResponse: [(data: string) => parseJson(data)] }) as Promise<any>;
  };
}

const SEED_QUERY = { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] };
const SEED_RESULT = { ReadReceipt: [{ MessageId: SEED_MSG, ConversationShortId: SEED_CONV, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [30341] }] };

t.test('SDK round trip in every --auth mode, ids exact', async (t) => {
  for (const mode of ['off', 'log', 'enforce'] as const) {
    const { port } = await serve(t, { auth: mode, credentials: [KEY] });
    // off and log accept any key; enforce only the configured one
    const call = sdkClient(port, mode === 'enforce' ? KEY : { accessKeyId: 'AKLTanything', secretKey: 'whatever' });
    const a = await call('GetMessagesReadReceipt', SEED_QUERY);
    t.equal(a.ResponseMetadata.Error, undefined, `${mode}: no error`);
    t.same(a.Result, SEED_RESULT, `${mode}: documented Result`);
    t.equal(a.Result.ReadReceipt[0].ConversationShortId, SEED_CONV, `${mode}: int64 id exact (BigInt)`);
    t.match(a.ResponseMetadata.RequestId, /^\d{14}[0-9A-F]{20}$/);
  }
});

t.test('without a json-bigint transformResponse the SDK rounds int64 ids (the caveat for JavaScript clients)', async (t) => {
  const { port } = await serve(t);
  const service = new Service({ host: `127.0.0.1:${port}`, protocol: 'http:', region: 'cn-north-1', serviceName: 'rtc', accessKeyId: 'AK', secretKey: 'SK' });
  const a: any = await service.createJSONAPI('GetMessagesReadReceipt', { Version: VERSION })(stringifyJson(SEED_QUERY) as any);
  t.equal(a.Result.ReadReceipt[0].ConversationShortId, 1691070514797524200, 'JSON.parse rounded 1691070514797524328');
  t.not(String(a.Result.ReadReceipt[0].ConversationShortId), String(SEED_CONV));
});

t.test('enforce over HTTP: wrong secret, unknown key, tampered body, stale X-Date', async (t) => {
  const { app, port } = await serve(t, { auth: 'enforce', credentials: [KEY] });
  const codeOf = (a: Envelope) => [a.ResponseMetadata.Error?.Code, a.ResponseMetadata.Error?.CodeN];

  t.same(codeOf(await sdkClient(port, { ...KEY, secretKey: 'not-the-secret' })('GetMessagesReadReceipt', SEED_QUERY)), ['SignatureDoesNotMatch', 100010]);
  t.same(codeOf(await sdkClient(port, { accessKeyId: 'AKLTunknown', secretKey: 'x' })('GetMessagesReadReceipt', SEED_QUERY)), ['InvalidAccessKey', 100009]);

  // the SDK's own Signer signs one body; another is sent
  const signedBody = stringifyJson(SEED_QUERY);
  const request: any = { region: 'cn-north-1', method: 'POST', pathname: '/', params: { Action: 'GetMessagesReadReceipt', Version: VERSION }, headers: { 'content-type': 'application/json' }, body: signedBody };
  new Signer(request, 'rtc').addAuthorization(KEY);
  const url = `http://127.0.0.1:${port}/?Action=GetMessagesReadReceipt&Version=${VERSION}`;
  const honest = await fetch(url, { method: 'POST', headers: request.headers, body: signedBody });
  t.equal(honest.status, 200, 'the SDK Signer, body as signed: accepted');
  const tampered = await fetch(url, { method: 'POST', headers: request.headers, body: signedBody.replace(String(SEED_MSG), String(SEED_MSG + 1n)) });
  t.equal(tampered.status, 401);
  t.same(codeOf(parseJson(await tampered.text()) as Envelope), ['SignatureDoesNotMatch', 100010]);

  app.mock.clock.advance(16 * 60_000); // the server is now 16 minutes ahead of the SDK's X-Date
  t.same(codeOf(await sdkClient(port, KEY)('GetMessagesReadReceipt', SEED_QUERY)), ['InvalidTimestamp', 100006]);
  app.mock.clock.useRealTime();
  t.same(codeOf(await sdkClient(port, KEY)('GetMessagesReadReceipt', SEED_QUERY)), [undefined, undefined], 'back in time: accepted');
});

t.test('a Go-SDK-style request (content-type;host;x-content-sha256;x-date;x-im-sdk-version) over HTTP', async (t) => {
  const { app, port } = await serve(t, { auth: 'enforce', credentials: [KEY] });
  const url = `/?Action=GetMessagesReadReceipt&Version=${VERSION}`;
  const body = stringifyJson(SEED_QUERY);
  const signed = signRequest({
    method: 'POST', url, body, credential: KEY, region: 'cn-north-1', xDate: xDateOf(app.mock.clock.now()),
    headers: { 'content-type': 'application/json', host: `127.0.0.1:${port}`, 'x-im-sdk-version': 'Golang-V1.0.1', accept: 'application/json' },
    signedHeaders: ['content-type', 'host', 'x-content-sha256', 'x-date', 'x-im-sdk-version'],
  });
  const { host: _host, ...headers } = signed.headers; // fetch sets Host itself, to the same value
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', headers: { ...headers, 'user-agent': 'volc-sdk-golang/v1.0.0' }, body });
  t.equal(res.status, 200);
  const a = parseJson(await res.text()) as Envelope;
  t.same(a.Result, SEED_RESULT);
  // the same request with the Host it was not signed for
  const elsewhere = await fetch(`http://localhost:${port}${url}`, { method: 'POST', headers, body });
  t.equal(elsewhere.status, 401, 'host is signed in the Go style');
});

t.test('SDK, enforce: CreateConversation -> SendMessage -> GetMessages -> ModifyParticipantReadIndex -> GetMessagesReadReceipt, ids exact', async (t) => {
  const { port } = await serve(t, { auth: 'enforce', credentials: [KEY] });
  const call = sdkClient(port, KEY);
  const created = await call('CreateConversation', { AppId: 4242, ConversationCoreInfo: { ConversationType: 1 }, OwnerUserId: 30340, OtherUserId: 30341 });
  t.equal(created.ResponseMetadata.Error, undefined);
  t.equal(typeof created.Result.ConversationShortId, 'bigint', 'ConversationShortId parsed exact');
  const conv = { AppId: 4242, ConversationShortId: created.Result.ConversationShortId };
  const sent = await call('SendMessage', { ...conv, Sender: 30340, MsgType: 10001, Content: '{"text":"over the SDK"}' });
  t.equal(sent.ResponseMetadata.Error, undefined);
  const id = sent.Result.MessageId;
  t.equal(typeof id, 'bigint', 'MessageId parsed exact');
  t.ok(id > 2n ** 53n, 'MessageId above 2^53, like the real ones');
  const got = await call('GetMessages', { ...conv, MessageIds: [id] });
  t.equal(got.Result.Messages[0].MessageId, id, 'the id round-trips through a request body unchanged');
  const index = got.Result.Messages[0].IndexInConversation;
  t.same((await call('GetMessagesReadReceipt', { ...conv, MessageIds: [id] })).Result.ReadReceipt[0].UnReadUserIds, [30341]);
  t.same((await call('ModifyParticipantReadIndex', { ...conv, ParticipantUserId: 30341, ReadIndex: index })).Result, {});
  const receipt = (await call('GetMessagesReadReceipt', { ...conv, MessageIds: [id] })).Result.ReadReceipt[0];
  t.same([receipt.ReadUserIds, receipt.UnReadUserIds, receipt.ReceiverIsRead], [[30341], [], true]);
});
