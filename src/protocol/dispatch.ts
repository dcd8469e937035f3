// The one vendor endpoint: POST /?Action=X&Version=2020-12-01. Looks the Action up in the table it is given,
// and owns everything on the wire: method, query, rate limit, body parsing, validation, envelope, status codes.
// It knows nothing of any particular action.
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalid } from './errors.js';
import { failure, success, requestId, VERSION, SERVICE, DEFAULT_REGION, type Metadata } from './envelope.js';
import { parseJson, stringifyJson, JsonSyntaxError } from './json.js';
import { ValidationError, type BodyValidator } from './schema.js';
import { AUTHORIZATION_MAX, tooLongAuthorization } from './signing.js';
import type { Clock } from './clock.js';
import type { Random } from './random.js';
import type { RateLimiter } from './ratelimit.js';

/** What the dispatcher needs of an action: its documented QPS, a body validator and a handler that never sees HTTP. */
export interface Operation {
  /** the Action it answers */
  readonly name: string;
  readonly qps: number;
  /** tokens one call takes, from its validated body (limits counted in something other than calls); default one,
   * taken before the body is read */
  cost?(body: any): number;
  /** bucket capacity when `cost` is given; default the QPS */
  readonly burst?: number;
  readonly validator: BodyValidator<any>;
  handle(ctx: CallContext, body: any): unknown | Promise<unknown>;
}

export interface CallContext { readonly requestId: string; readonly accessKeyId: string }

/** Who signed the request, as far as the protocol layer can tell. */
export interface Caller { accessKeyId: string; region?: string }

export interface CallRecord {
  requestId: string; time: number; action: string; version: string; appId?: number; accessKeyId: string;
  /** 0 when the connection was dropped (fault injection) */
  httpStatus: number; errorCode?: string; durationMs: number;
  /** the body as received (parsed only when the journal is read: cheap to keep, nothing for the GC to trace) */
  rawBody?: Buffer;
}

export interface DispatchOptions {
  operations: ReadonlyMap<string, Operation>;
  /** vendor actions that exist but are not emulated: answered with a message that says so */
  knownActions?: ReadonlySet<string>;
  clock: Clock;
  random: Random;
  rateLimiter: RateLimiter;
  /** signature check, run before anything else (--auth log|enforce); default reads the access key id from Authorization unchecked */
  authenticate?(req: FastifyRequest, raw: Buffer): Caller;
  /** runs after validation and before the handler (fault injection); may throw an ApiError, delay, or hijack
   * the reply and drop the connection (then the call is recorded with httpStatus 0) */
  beforeHandle?(action: string, appId: number | undefined, reply: FastifyReply): void | Promise<void>;
  /** one record per answered call (request journal) */
  onComplete?(record: CallRecord): void;
}

/** The journal keeps bodies up to this size (1000 records x 64 KiB at most); larger ones show Body null. */
export const JOURNAL_BODY_MAX = 64 * 1024;

/** Reads the access key id and region of the credential scope without verifying anything: the first
 * `Credential=<AK>/<yyyymmdd>/<region>/<service>/request` among the header's comma- or space-separated parts.
 * One pass over the header (a pattern searched for anywhere in it backtracked: 16 KB of `Credential=` took 37 ms). */
export function callerFromHeader(authorization: string | undefined): Caller {
  if (!authorization || authorization.length > AUTHORIZATION_MAX) return { accessKeyId: 'anonymous' };
  for (const part of authorization.split(/[,\s]+/)) {
    if (!part.startsWith('Credential=')) continue;
    const scope = part.slice('Credential='.length).split('/');
    if (scope.length === 5 && scope[4] === 'request' && /^\d{8}$/.test(scope[1]) && scope[0] && scope[2] && scope[3]) {
      return { accessKeyId: scope[0], region: scope[2] };
    }
  }
  return { accessKeyId: 'anonymous' };
}

/** started: mock-clock time (journal Time, RequestId); perfStart: real elapsed time (DurationMs). Handed to the handler
 * as its CallContext. */
interface Pending extends CallContext { meta: Metadata; started: number; perfStart: number; appId?: number; parsed: boolean; raw?: Buffer; accessKeyId: string }

const isThenable = (x: unknown): x is PromiseLike<unknown> => x !== null && typeof x === 'object' && typeof (x as any).then === 'function';

export function registerDispatch(app: FastifyInstance, opts: DispatchOptions): void {
  const record = (req: FastifyRequest, p: Pending, status: number, errorCode?: string, errorMessage?: string) => {
    const durationMs = Math.round((performance.now() - p.perfStart) * 1000) / 1000;
    if (!p.parsed && p.raw) appIdForJournal(p); // refused before parsing (429, auth): still logged and filed under its AppId
    const line: Record<string, unknown> = { Action: p.meta.Action, AppId: p.appId, status, ms: durationMs, RequestId: p.meta.RequestId, ErrorCode: errorCode };
    if ((req.log as { isLevelEnabled?(level: string): boolean }).isLevelEnabled?.('debug')) debugFields(line, p.raw, errorMessage);
    req.log.info(line, 'request');
    if (!opts.onComplete) return;
    opts.onComplete({
      requestId: p.meta.RequestId, time: p.started, action: p.meta.Action, version: p.meta.Version, appId: p.appId,
      accessKeyId: p.accessKeyId, httpStatus: status, errorCode, durationMs,
      rawBody: p.raw && p.raw.length <= JOURNAL_BODY_MAX ? p.raw : undefined, // larger bodies: Body null, memory bounded
    });
  };

  // Every path ends in one of these; none returns anything to Fastify (the reply is sent here).
  const answer = (req: FastifyRequest, reply: FastifyReply, p: Pending, status: number, payload: unknown, errorCode?: string, errorMessage?: string): void => {
    record(req, p, status, errorCode, errorMessage);
    reply.code(status).header('content-type', 'application/json; charset=utf-8').send(stringifyJson(payload));
  };

  const fail = (req: FastifyRequest, reply: FastifyReply, p: Pending, err: unknown, meta: Partial<Metadata> & { RequestId: string } = p.meta): void => {
    if (!(err instanceof ApiError)) {
      req.log.error({ err, Action: p.meta.Action }, 'unexpected error');
      err = new ApiError('InternalError');
    }
    const e = err as ApiError;
    answer(req, reply, p, e.status, failure(meta, e.code, e.message, e.codeN), e.code, e.message);
  };

  const succeed = (req: FastifyRequest, reply: FastifyReply, p: Pending, result: unknown): void =>
    answer(req, reply, p, 200, success(p.meta, result));

  /** After validation and the fault hook: the handler. Synchronous unless the handler returns a promise. */
  const run = (req: FastifyRequest, reply: FastifyReply, p: Pending, op: Operation, input: unknown): void | Promise<void> => {
    if (reply.sent) { record(req, p, 0); return; } // the connection was dropped
    const result = op.handle(p, input);
    if (isThenable(result)) return Promise.resolve(result).then((r) => succeed(req, reply, p, r), (err) => fail(req, reply, p, err));
    succeed(req, reply, p, result);
  };

  // Synchronous from the first byte to the answer unless a hook or handler returns a promise (a fault's delay):
  // no microtask hops, nothing kept per request beyond the Pending record.
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/',
    handler: (req, reply): void | Promise<void> => {
      const perfStart = performance.now();
      const started = opts.clock.now();
      const rid = requestId(started, opts.random);
      reply.header('x-request-id', rid);
      const query = req.query as Record<string, unknown>;
      const action = typeof query.Action === 'string' ? query.Action : '';
      const version = typeof query.Version === 'string' ? query.Version : '';
      const authorization = req.headers.authorization;
      let caller = callerFromHeader(authorization);
      const meta: Metadata = { RequestId: rid, Action: action, Version: version, Service: SERVICE, Region: caller.region ?? DEFAULT_REGION };
      const p: Pending = { requestId: rid, meta, started, perfStart, appId: undefined, parsed: false, raw: undefined, accessKeyId: caller.accessKeyId };

      try {
        // Signature first, as the vendor's gateway does (volcengine-im-api §3.5): with --auth enforce a request that is
        // not properly signed learns nothing about methods, Actions or Versions, and is not rate-limited (no trusted key).
        // The signature covers method, query and raw body, so checking it before reading them loses nothing.
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (authorization !== undefined && authorization.length > AUTHORIZATION_MAX) {
          throw Object.assign(new ApiError('InvalidAuthorization'), { message: tooLongAuthorization() }); // in every --auth mode
        }
        if (opts.authenticate) {
          try {
            caller = opts.authenticate(req, raw);
          } catch (err) {
            p.raw = raw; // a refused signature is journaled with its AppId and Body
            throw err;
          }
          p.accessKeyId = caller.accessKeyId;
          meta.Region = caller.region ?? DEFAULT_REGION;
        }
        if (req.method !== 'POST') throw new ApiError('MethodNotAllowed', req.method);
        if (!action) return fail(req, reply, p, new ApiError('MissingParameter', 'Action'), { RequestId: rid });
        if (!version) throw new ApiError('MissingParameter', 'Version');
        const op = version === VERSION ? opts.operations.get(action) : undefined;
        if (!op) {
          const notYet = version === VERSION && opts.knownActions?.has(action) ? ' (a vendor action volc-im-mock does not emulate yet)' : '';
          throw new ApiError('InvalidActionOrVersion', `${action} for version ${version}${notYet}`);
        }
        // the same text, as the strings the table holds: the journal keeps these, not a copy per call
        meta.Action = op.name;
        meta.Version = VERSION;
        p.raw = raw;
        if (!op.cost && !opts.rateLimiter.take(op.name, op.qps, caller.accessKeyId)) {
          throw new ApiError('FlowLimitExceeded', `${action} allows ${op.qps} requests per second`);
        }
        p.parsed = true; // a body refused by the parser is not parsed again for the journal
        const body = parseBody(raw);
        if (typeof (body as any).AppId === 'number') p.appId = (body as any).AppId;
        let input: unknown;
        try {
          input = op.validator.parse(body);
        } catch (e) {
          if (e instanceof ValidationError) throw invalid(e.message);
          throw e;
        }
        if (op.cost && !opts.rateLimiter.take(op.name, op.qps, caller.accessKeyId, op.cost(input), op.burst)) {
          throw new ApiError('FlowLimitExceeded', `${action} allows ${op.burst ?? op.qps} at once, refilled at ${op.qps} per second; this call takes ${op.cost(input)}`);
        }
        const gate = opts.beforeHandle?.(action, p.appId, reply);
        if (isThenable(gate)) {
          return Promise.resolve(gate).then(() => run(req, reply, p, op, input)).catch((err) => fail(req, reply, p, err));
        }
        return run(req, reply, p, op, input);
      } catch (err) {
        return fail(req, reply, p, err);
      }
    },
  });
}

/** LOG_LEVEL=debug: what a person debugging a client needs on the request line, bounded: the body as sent and the
 * answer's error message. */
export const DEBUG_BODY_MAX = 2048;
export const DEBUG_MESSAGE_MAX = 1024;

function debugFields(line: Record<string, unknown>, raw: Buffer | undefined, errorMessage: string | undefined): void {
  if (raw && raw.length > 0) line.Body = raw.length > DEBUG_BODY_MAX ? `${raw.toString('utf8', 0, DEBUG_BODY_MAX)}... (${raw.length} bytes)` : raw.toString('utf8');
  if (errorMessage) line.ErrorMessage = errorMessage.length > DEBUG_MESSAGE_MAX ? `${errorMessage.slice(0, DEBUG_MESSAGE_MAX)}... (${errorMessage.length} characters)` : errorMessage;
}

/** Best effort, for the journal and the log: the AppId of a request refused before its body was parsed (a body the
 * journal keeps: no larger one is parsed for this). */
function appIdForJournal(p: Pending): void {
  if (p.raw!.length > JOURNAL_BODY_MAX) return;
  const body = journalBody(p.raw);
  if (body && typeof body === 'object' && typeof (body as any).AppId === 'number') p.appId = (body as any).AppId;
}

/** A journaled body as the control plane shows it: parsed int64-exact, or null when it is not JSON. */
export function journalBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return null;
  try {
    return parseJson(raw.toString('utf8'), STRICT);
  } catch {
    return null;
  }
}

const STRICT = { strictNumbers: true } as const;
/** No vendor body has an array near this long (the longest: a live group's 10,000 members, which a test overfills by
 * one); a longer one is refused as it is parsed, before anything walks it. */
export const BODY_ARRAY_MAX = 100_000;
const BODY_PARSE = { strictNumbers: true, maxArrayItems: BODY_ARRAY_MAX } as const;

function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new ApiError('InvalidParameter.BodyIsEmpty');
  let body: unknown;
  try {
    body = parseJson(text, BODY_PARSE);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ApiError('InvalidParameter.Unmarshal', e.message);
    throw e;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('InvalidParameter.Unmarshal', 'the body must be a JSON object');
  }
  return body;
}
