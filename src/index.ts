// The package's programmatic API: start the emulator inside a test process, on a free port, and drive its control
// plane from code. Built on the same buildApp the CLI uses; reset/state/requests go through the /_mock/ routes
// (app.inject, no socket) so they always mean what the control plane means.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { parseJson } from './protocol/json.js';
import type { FixtureDoc } from './store/fixtures.js';

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
  RequestId: string; Time: number; Action: string; Version: string; AppId?: number; AccessKeyId: string;
  HttpStatus: number; ErrorCode?: string; DurationMs: number;
  /** the body as sent, when it is JSON (int64 exact); null otherwise */
  Body: unknown;
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
}

/** Builds the app, listens, and resolves once it accepts requests. Rejects (having closed the app) if it cannot start. */
export async function startMock(options: StartMockOptions = {}): Promise<MockServer> {
  const { port = 0, host = '127.0.0.1', ...appOptions } = options;
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
  };
}

/** A wildcard bind is reached through loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function controlClient(app: FastifyInstance, adminToken: string | undefined) {
  return async (method: 'GET' | 'POST', path: string, query: Record<string, string | number | undefined>): Promise<unknown> => {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();
    const res = await app.inject({ method, url: qs ? `${path}?${qs}` : path, headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {} });
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
