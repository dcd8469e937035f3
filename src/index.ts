// The package's programmatic API: start the emulator inside a test process, on a free port, and drive its control
// plane from code. Built on the same buildApp the CLI uses; reset/state/requests go through the /_mock/ routes
// (app.inject, no socket) so they always mean what the control plane means.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { parseJson, stringifyJson } from './protocol/json.js';
import type { FixtureDoc } from './store/fixtures.js';
import { checkStartOptions } from './options.js';

export interface StartOptions {
  /** port to listen on; default 0 = any free port (read it back from `url`) */
  port?: number;
  /** address to bind; default 127.0.0.1 */
  host?: string;
}

/** Every AppOptions (fixtures, fixtureDoc, data, seed, rateLimit, clock, logger, and those other features add) plus where to listen. */
export type StartMockOptions = Partial<AppOptions> & StartOptions;

/** One journal entry of GET /_mock/requests (mock-contract §8). */
export interface RequestRecord {
  RequestId: string; Time: number; Action: string; Version: string;
  /** null when the body named none (or was refused before it could be read) */
  AppId: number | null; AccessKeyId: string;
  HttpStatus: number;
  /** the vendor error code; null for a success */
  ErrorCode: string | null; DurationMs: number; Body: unknown;
  /** the body's text when it is not JSON (unparsable, or empty: ""), so a test sees what its client sent; else null */
  RawBody: string | null;
}

export interface MockServer {
  /** base URL, e.g. http://127.0.0.1:54321 (no trailing slash) */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** stops listening and flushes the data file */
  close(): Promise<void>;
  /** POST /_mock/reset: back to the fixtures (or `to: 'empty'`), for one AppId or all */
  reset(opts?: { appId?: number; to?: 'fixtures' | 'empty' }): Promise<void>;
  /** GET /_mock/state: the state as a fixture document, int64 ids exact (BigInt) */
  state(opts?: { appId?: number }): Promise<FixtureDoc>;
  /** GET /_mock/requests: the newest `limit` matching records (default 100, at most 1000), oldest first; `before`
   * (a RequestId) reads the page before that record */
  requests(filter?: { action?: string; appId?: number; errorCode?: string; limit?: number; before?: string }): Promise<RequestRecord[]>;
  /** GET /_mock/apps: AppIds in use (or one) with their AppKeys, and whether strict apps are on */
  apps(opts?: { appId?: number }): Promise<{ Strict: boolean; Apps: { AppId: number; AppKey: string; AppKeyDerived: boolean }[] }>;
  /** POST /_mock/tokens/verify: what a GetAppToken token holds (rejects on a token that is not one) */
  verifyToken(token: string): Promise<{ AppId: number; UserId: bigint | number; UserIdStr?: string; ExpireTime: bigint | number; Expired: boolean }>;
  /** PUT /_mock/presence: a user's connections (an empty list = offline) */
  setPresence(presence: { AppId: number; UserId: bigint | number; Connections: { ConnId: string; DeviceId?: bigint | number; ClientVersion?: bigint | number; Platform?: string }[] }): Promise<void>;
  /** GET /_mock/broadcasts: the newest UserBroadcast calls (limit: default 20, at most 100) with the users each reached */
  broadcasts(opts?: { appId?: number; limit?: number }): Promise<Record<string, unknown>[]>;
  /** GET /_mock/callbacks/deliveries: every attempt to call the application's server, oldest first */
  deliveries(filter?: { appId?: number; eventType?: string; status?: 'ok' | 'error' | 'dropped'; limit?: number }): Promise<DeliveryRecord[]>;
  /** POST /_mock/callbacks/flush: resolves once no after-send event waits for delivery */
  flush(): Promise<void>;
}

/** One entry of GET /_mock/callbacks/deliveries (docs/callbacks.md). */
export interface DeliveryRecord {
  Id: number; Time: number; EventType: string; EventId: string; AppId: number; ConversationShortId: bigint | null; Url: string;
  Attempt: number; Status: 'ok' | 'error' | 'dropped'; HttpStatus: number | null; Error: string | null; Answer: string | null;
  DurationMs: number; WillRetry: boolean; Decision: 'allow' | 'refuse' | null;
  /** the signed body as sent: EventType, EventData (a JSON string), EventTime, EventId, AppId, Version, Signature, Nonce */
  Body: Record<string, string> | null;
}

/** Builds the app, listens, and resolves once it accepts requests. Rejects (having closed the app) if it cannot start. */
export async function startMock(options: StartMockOptions = {}): Promise<MockServer> {
  const { port = 0, host = '127.0.0.1', ...appOptions } = checkStartOptions(options);
  const app = await buildApp(appOptions);
  try {
    await app.listen({ port, host });
  } catch (e) {
    await app.close().catch(() => {});
    throw e;
  }
  const bound = (app.server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${bound}`;
  const control = controlClient(app, (appOptions as { adminToken?: string }).adminToken);
  return {
    url, port: bound, app,
    close: () => app.close(),
    reset: async ({ appId, to } = {}) => { await control('POST', '/_mock/reset', { AppId: appId, To: to === 'fixtures' ? undefined : to }); },
    state: async ({ appId } = {}) => (await control('GET', '/_mock/state', { AppId: appId })) as FixtureDoc,
    requests: async ({ action, appId, errorCode, limit, before } = {}) =>
      ((await control('GET', '/_mock/requests', { Action: action, AppId: appId, ErrorCode: errorCode, Limit: limit, Before: before })) as { Requests: RequestRecord[] }).Requests,
    apps: async ({ appId } = {}) => (await control('GET', '/_mock/apps', { AppId: appId })) as any,
    verifyToken: async (token) => (await control('POST', '/_mock/tokens/verify', {}, { Token: token })) as any,
    setPresence: async (presence) => { await control('PUT', '/_mock/presence', {}, presence); },
    broadcasts: async ({ appId, limit } = {}) => ((await control('GET', '/_mock/broadcasts', { AppId: appId, Limit: limit })) as { Broadcasts: Record<string, unknown>[] }).Broadcasts,
    deliveries: async ({ appId, eventType, status, limit } = {}) =>
      ((await control('GET', '/_mock/callbacks/deliveries', { AppId: appId, EventType: eventType, Status: status, Limit: limit })) as { Deliveries: DeliveryRecord[] }).Deliveries,
    flush: async () => { await control('POST', '/_mock/callbacks/flush', {}); },
  };
}

/** A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function controlClient(app: FastifyInstance, adminToken: string | undefined) {
  return async (method: 'GET' | 'POST' | 'PUT', path: string, query: Record<string, string | number | undefined>, payload?: unknown): Promise<unknown> => {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();
    const headers: Record<string, string> = adminToken ? { authorization: `Bearer ${adminToken}` } : {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await app.inject({ method, url: qs ? `${path}?${qs}` : path, headers, payload: payload === undefined ? undefined : stringifyJson(payload) });
    const body = res.body ? (parseJson(res.body) as Record<string, any>) : undefined;
    if (res.statusCode !== 200) {
      const err = body?.Error ?? body?.ResponseMetadata?.Error;
      throw new Error(`${method} ${path}: HTTP ${res.statusCode}${err ? ` ${err.Code}: ${err.Message}` : ''}`);
    }
    return body;
  };
}

export { buildApp, type AppOptions, type MockRuntime } from './app.js';
export type { FixtureDoc } from './store/fixtures.js';
export { MockClock } from './protocol/clock.js';
export { parseJson, stringifyJson } from './protocol/json.js';
export { ApiError, ERRORS } from './protocol/errors.js';
export { openApiDocument } from './control/openapi.js';
export { StartupError } from './store/load.js';
export { verifyCallback, ManualScheduler, EVENT_TYPES, type CallbackOptions, type CallbackSetting, type Scheduler } from './callbacks/index.js';
export { ConfigError } from './config.js';
