// buildApp(options): the Fastify instance with the vendor endpoint and the control plane. It never listens.
import type { Socket } from 'node:net';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ACTIONS, VENDOR_QPS } from './actions/index.js';
import { writesState, type ActionDef } from './actions/action.js';
import { checkApp, refuseWhileUnwritable } from './actions/common.js';
import { registerDispatch, callerFromHeader, type Operation } from './protocol/dispatch.js';
import { compileBody } from './protocol/schema.js';
import { ApiError } from './protocol/errors.js';
import { failure, requestId, SERVICE, DEFAULT_REGION } from './protocol/envelope.js';
import { stringifyJson } from './protocol/json.js';
import { MockClock } from './protocol/clock.js';
import { Random } from './protocol/random.js';
import { RateLimiter } from './protocol/ratelimit.js';
import { Store } from './store/store.js';
import { INDEX_MODES, type IndexMode } from './store/model.js';
import { DataFileSink } from './store/persistence.js';
import { initialConversations, dataFileTarget, StartupError } from './store/load.js';
import { registerControl, Journal, Faults } from './control/index.js';
import { Callbacks, type CallbackOptions } from './callbacks/index.js';
import { CallbackConfigError } from './callbacks/config.js';
import { DEFAULT_JOURNAL_SIZE } from './control/journal.js';
import { authenticator, type AuthMode } from './protocol/auth.js';
import type { Credential } from './protocol/signing.js';
import { DEFAULT_FIXTURES, DEFAULT_TIMEOUTS, DEFAULT_BODY_LIMIT } from './config.js';

export interface AppOptions {
  /** fixture file seeding the world (ignored when the data file exists); default fixtures/default.json */
  fixtures?: string;
  /** a fixture document instead of a file (tests) */
  fixtureDoc?: unknown;
  /** data file: loaded when it exists, written within flushIntervalMs of a change and on close */
  data?: string;
  /** every action's QPS; 0 = off; undefined = documented */
  rateLimit?: number;
  /** IndexInConversation of new messages: 'time' (default, µs like the vendor's) or 'sequential' (1, 2, 3) */
  index?: IndexMode;
  seed?: bigint | number;
  clock?: MockClock;
  /** pino options or false; default silent */
  logger?: FastifyServerOptions['logger'];
  flushIntervalMs?: number;
  /** largest accepted body, bytes; default 1 MiB (larger: 413 RequestEntityTooLarge) */
  bodyLimit?: number;
  /** signature checks: off (default), log, enforce */
  auth?: AuthMode;
  /** access keys accepted by log/enforce; one with appIds may call those AppIds only (403 NoPermissionForApp) */
  credentials?: readonly (Credential & { appIds?: readonly number[] })[];
  /** strict apps: only these AppIds (and the fixtures' Apps) are served, others answer InvalidParameter.NotExistAppId */
  apps?: readonly number[];
  /** seconds X-Date may differ from the mock clock; default 900 */
  maxClockSkew?: number;
  /** SignatureDoesNotMatch messages carry the server's canonical request and string to sign */
  authDebug?: boolean;
  /** ms a request may take to arrive in full, else 408 and the connection closes; 0 = no limit; default 30 s */
  requestTimeout?: number;
  /** ms an idle keep-alive connection stays open between requests; default 5 s */
  keepAliveTimeout?: number;
  /** ms a socket may stay inactive before it is closed; 0 = no limit; default 60 s */
  connectionTimeout?: number;
  /** request journal size (newest N kept); default 1000 */
  journalSize?: number;
  /** when set, every /_mock/ route but health requires Authorization: Bearer <adminToken> */
  adminToken?: string;
  /** callbacks to the application's server (mock-contract §11); default none */
  callbacks?: CallbackOptions;
}

/** Everything the app runs on, reachable from tests as app.mock. */
export interface MockRuntime {
  store: Store;
  clock: MockClock;
  random: Random;
  rateLimiter: RateLimiter;
  actions: readonly ActionDef<any, any>[];
  options: AppOptions;
  loaded: boolean;
  journal: Journal;
  faults: Faults;
  callbacks: Callbacks;
}

declare module 'fastify' {
  interface FastifyInstance { mock: MockRuntime }
}

export function operationFor(def: ActionDef<any, any>, store: Store): Operation {
  const writes = writesState(def);
  return {
    name: def.name, qps: def.qps, cost: def.cost, burst: def.burst, validator: compileBody(def.body),
    handle: (ctx, body) => {
      checkApp(store, body.AppId, ctx.accessKeyId);
      if (writes) refuseWhileUnwritable(store);
      return def.handler({ requestId: ctx.requestId, accessKeyId: ctx.accessKeyId, store }, body);
    },
  };
}

/** Fastify settings beside the logger: body limit, one log line per request (the dispatcher's, not Fastify's two),
 * timeouts. The benchmark's bare route uses the same. */
export function serverSettings(options: AppOptions = {}) {
  return {
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
    ...connectionLimits(options),
  };
}

export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const clock = options.clock ?? new MockClock();
  const random = new Random(options.seed);
  const store = new Store(clock, random);
  if (options.index !== undefined && !INDEX_MODES.includes(options.index)) throw new TypeError(`index: must be one of ${INDEX_MODES.join(', ')}`);
  store.indexMode = options.index ?? 'time';
  store.applications.configure({
    apps: options.apps,
    bindings: new Map((options.credentials ?? []).filter((c) => c.appIds).map((c) => [c.accessKeyId, new Set(c.appIds)])),
  });
  const rateLimiter = new RateLimiter(clock, options.rateLimit);
  const app = Fastify({ logger: options.logger ?? false, ...serverSettings(options) });
  const journal = new Journal(options.journalSize);
  const faults = new Faults(random);
  const callbacks = new Callbacks(store, clock, { options: options.callbacks, seed: random.seed, journalSize: options.journalSize ?? DEFAULT_JOURNAL_SIZE });
  const runtime: MockRuntime = { store, clock, random, rateLimiter, actions: ACTIONS, options, loaded: false, journal, faults, callbacks };
  app.decorate('mock', runtime);

  // bodies are kept raw: the dispatcher parses them int64-exact (and signature checks hash the raw bytes)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerDispatch(app, {
    operations: new Map(ACTIONS.map((a) => [a.name, operationFor(a, store)])),
    knownActions: new Set(Object.keys(VENDOR_QPS)),
    clock, random, rateLimiter,
    authenticate: authenticator({
      mode: options.auth ?? 'off', credentials: options.credentials ?? [], clock, maxClockSkewS: options.maxClockSkew, debug: options.authDebug,
    }),
    beforeHandle: (action, appId, reply) => faults.apply(action, appId, reply),
    onComplete: (record) => journal.add(record),
  });
  registerControl(app, runtime);
  answerOtherMethods(app, clock, random);

  app.setNotFoundHandler((req, reply) => {
    const err = new ApiError('InvalidActionOrVersion', `${req.method} ${req.url.split('?')[0]}: the API is served at POST /?Action=<Action>&Version=2020-12-01`);
    sendError(req, reply, err, clock, random);
  });
  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, req, reply) => {
    let err: ApiError;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') err = new ApiError('RequestEntityTooLarge', String(app.initialConfig.bodyLimit));
    else if (error.statusCode && error.statusCode < 500) err = new ApiError('InvalidParameter', error.message);
    else {
      req.log.error({ err: error }, 'unexpected error');
      err = new ApiError('InternalError');
    }
    sendError(req, reply, err, clock, random);
  });

  app.addHook('onReady', async () => {
    // a symlinked data file is read and written through the link (its target is what is replaced)
    const data = options.data ? await dataFileTarget(options.data) : undefined;
    const { conversations, extras, source, dataFile } = await initialConversations({ ...options, data, fixtures: options.fixtures ?? DEFAULT_FIXTURES }, clock.now());
    // checked before the sink is set: a start refused here must leave no data file behind (a close would write one)
    try {
      Callbacks.checkApps(extras.apps);
    } catch (e) {
      if (e instanceof CallbackConfigError) throw new StartupError(`${source}: invalid: ${e.message}`);
      throw e;
    }
    if (data) store.setSink(new DataFileSink(data, (err) => app.log.error({ err }, 'data file write failed'), options.flushIntervalMs, dataFile));
    // after the sink is set, so the file holds the whole world from its first write (not rewritten when it was the source)
    store.replace(conversations, undefined, dataFile !== undefined, extras);
    callbacks.applyApps(extras.apps);
    runtime.loaded = true;
    app.log.info({ source, conversations: conversations.length }, 'state loaded');
  });
  app.addHook('onClose', async () => { callbacks.close(); await store.close(); });
  closeUnusedConnectionsOnClose(app);
  return app;
}

/** The dispatcher's methods on `/` */
const DISPATCHED = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Every other method Node parses (TRACE, PROPFIND, QUERY…) answers 405 MethodNotAllowed on `/`, as the contract
 * says of any method but POST, instead of a 404; CONNECT, which Node hands over as a raw socket, gets the same 405
 * and the connection is closed. */
function answerOtherMethods(app: FastifyInstance, clock: MockClock, random: Random): void {
  const others = METHODS.filter((m) => !DISPATCHED.has(m) && m !== 'CONNECT');
  for (const m of others) {
    if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
  }
  app.route({ method: others, url: '/', handler: (req, reply) => sendError(req, reply, new ApiError('MethodNotAllowed', req.method), clock, random) });
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const rid = requestId(clock.now(), random);
    const err = new ApiError('MethodNotAllowed', 'CONNECT');
    const body = stringifyJson(failure({ RequestId: rid, Action: '', Version: '', Service: SERVICE, Region: DEFAULT_REGION }, err.code, err.message, err.codeN));
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 ${err.status} Method Not Allowed\r\ncontent-type: application/json; charset=utf-8\r\nx-request-id: ${rid}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    app.log.info({ Action: '', method: req.method, status: err.status, RequestId: rid, ErrorCode: err.code }, 'request');
  });
}

/** On close, connections that are not serving a request are closed at once. Node closes idle keep-alive
 * connections itself, but not one a client opened and has not used yet (a browser's spare connection to /_mock/ui),
 * which held a close, and so a graceful exit, back until the 60 s inactivity timeout. Requests in flight finish. */
function closeUnusedConnectionsOnClose(app: FastifyInstance): void {
  const open = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // the response a connection serves (or served last): one property store per request, no listener
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => { (req.socket as SocketWithResponse)[SERVING] = res; });
  app.addHook('preClose', (done) => {
    for (const socket of open) {
      const res = (socket as SocketWithResponse)[SERVING];
      if (!res || res.writableFinished) socket.destroy();
    }
    done();
  });
}

const SERVING = Symbol('serving');
type SocketWithResponse = Socket & { [SERVING]?: ServerResponse };

/** Timeouts for slow or idle clients (they apply when the app listens, not to inject). Node checks pending requests
 * every connectionsCheckingInterval (30 s by default): it is shortened so a small requestTimeout is kept. */
export function connectionLimits(options: AppOptions) {
  const requestTimeout = options.requestTimeout ?? DEFAULT_TIMEOUTS.requestTimeout;
  const keepAliveTimeout = options.keepAliveTimeout ?? DEFAULT_TIMEOUTS.keepAliveTimeout;
  const connectionTimeout = options.connectionTimeout ?? DEFAULT_TIMEOUTS.connectionTimeout;
  const http = requestTimeout > 0
    ? { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(requestTimeout / 4))) }
    : { requestTimeout: 0 };
  // Fastify reads 0 as "its default" for these: 0 = no limit is given to Node through `http` instead
  return { requestTimeout: requestTimeout || undefined, keepAliveTimeout, connectionTimeout: connectionTimeout || undefined, http };
}

/** Errors raised outside the dispatcher (404 path, 413 body, parser errors): the same envelope and one log line. */
function sendError(req: FastifyRequest, reply: FastifyReply, err: ApiError, clock: MockClock, random: Random) {
  const rid = requestId(clock.now(), random);
  const query = (req.query ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const meta = {
    RequestId: rid, Action: str(query.Action), Version: str(query.Version), Service: SERVICE,
    Region: callerFromHeader(req.headers.authorization).region ?? DEFAULT_REGION,
  };
  req.log.info({ Action: meta.Action, status: err.status, ms: Math.round(reply.elapsedTime * 100) / 100, RequestId: rid, ErrorCode: err.code }, 'request');
  reply.code(err.status).header('x-request-id', rid).header('content-type', 'application/json; charset=utf-8')
    .send(stringifyJson(failure(meta, err.code, err.message, err.codeN)));
}
