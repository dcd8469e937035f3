// Builds apps the way production does and calls Actions in one line.
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';

export const SEED_APP = 666675;
export const SEED_CONV = 1691070514797524328n;
export const SEED_MSG = 1709040620191372977n;
export const GROUP_CONV = 1691070514797525001n;

/** A ready app on the default fixtures, a fixed clock and a seed, closed when the test ends. */
export async function makeApp(t: Test, opts: AppOptions = {}): Promise<FastifyInstance> {
  const clock = opts.clock ?? new MockClock(() => 1_767_225_600_000); // 2026-01-01T00:00:00Z, frozen unless a test moves it
  const app = await buildApp({ seed: 1, rateLimit: 0, ...opts, clock });
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  /** parsed int64-exact */
  body: any;
  text: string;
}

/** POSTs an Action; body is an object (written int64-exact) or a raw string. */
export async function call(app: FastifyInstance, action: string, body: unknown, opts: { version?: string; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
  const version = opts.version ?? '2020-12-01';
  const res = await app.inject({
    method: (opts.method ?? 'POST') as 'POST',
    url: `/?Action=${encodeURIComponent(action)}&Version=${encodeURIComponent(version)}`,
    headers: { 'content-type': 'application/json', ...opts.headers },
    payload: typeof body === 'string' ? body : stringifyJson(body),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? parseJson(res.body) : undefined, text: res.body };
}

/** Calls an Action that must succeed and returns its Result. */
export async function ok(t: Test, app: FastifyInstance, action: string, body: unknown): Promise<any> {
  const a = await call(app, action, body);
  if (a.status !== 200 || a.body?.ResponseMetadata?.Error) t.fail(`${action} failed: ${a.status} ${a.text}`);
  return a.body.Result;
}

/** Calls an Action that must fail with this status and Code; returns the Error. */
export async function fails(t: Test, app: FastifyInstance, action: string, body: unknown, status: number, code: string): Promise<any> {
  const a = await call(app, action, body);
  t.equal(a.status, status, `${action} answers HTTP ${status}`);
  t.equal(a.body?.ResponseMetadata?.Error?.Code, code, `${action} answers ${code}: ${a.body?.ResponseMetadata?.Error?.Message}`);
  t.notOk('Result' in (a.body ?? {}), 'no Result on error');
  return a.body?.ResponseMetadata?.Error;
}

/** The whole state as a fixture document string: equal before and after means nothing changed. */
export function snapshot(app: FastifyInstance): string {
  const { conversationToFixture } = fixtures;
  return stringifyJson([...app.mock.store.conversations()].map(conversationToFixture));
}
import * as fixtures from '../src/store/fixtures.js';
