// Builds apps the way production does and calls Actions in one line.
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
// every app this process builds has its answers checked against the spec (unknown keys refused, types exact)
import './spec-drift.js';

export const SEED_APP = 666675;
export const SEED_CONV = 1691070514797524328n;
export const SEED_MSG = 1709040620191372977n;
export const GROUP_CONV = 1691070514797525001n;
/** the seed message's IndexInConversation: time-like, its CreateTime 1709040620191 ms in µs (mock-contract §1) */
export const SEED_MSG_INDEX = 1709040620191000n;
/** the demo group's three message indexes, oldest first */
export const GROUP_INDEXES = [1709040720191000n, 1709040730191000n, 1709040740191000n] as const;
/** makeApp's frozen clock, and in µs: the index the first message sent into a new conversation gets */
export const NOW_MS = 1_767_225_600_000;
export const NOW_US = BigInt(NOW_MS) * 1000n;

/** A ready app on the default fixtures, a fixed clock and a seed, closed when the test ends. */
export async function makeApp(t: Test, opts: AppOptions = {}): Promise<FastifyInstance> {
  const clock = opts.clock ?? new MockClock(() => NOW_MS); // 2026-01-01T00:00:00Z, frozen unless a test moves it
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

// ---- the real process (config, http and docker tests) ----
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/config.js';

export const SERVER_JS = join(PACKAGE_ROOT, 'dist', 'server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** scripts/test.mjs builds dist/ before tap starts; this is the same check, for a bundle run on its own
 * (`node .test-build/x.test.mjs`) after src/ changed: the same build as `npm run build`. */
export function ensureBuilt(): void {
  if (existsSync(SERVER_JS) && statSync(SERVER_JS).mtimeMs >= newestMtime(join(PACKAGE_ROOT, 'src'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
}

/** The environment without anything that configures the mock (or the vendor SDK). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PORT|HOST|LOG_LEVEL|VOLC_.*|TAP.*|NODE_OPTIONS)$/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface Exited { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `node dist/server.js args` to its end. */
export function runServer(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_JS, ...args], { cwd: opts.cwd ?? PACKAGE_ROOT, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not exit: ${stdout}${stderr}`)); }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

export interface Running { child: ChildProcess; port: number; url: string; lines: () => any[]; exited: Promise<Exited> }

/** Starts `node dist/server.js --port 0 args`, resolves once pino logs "Server listening at". */
export function startServer(args: string[] = [], opts: { env?: Record<string, string>; cwd?: string; script?: string } = {}): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.script ?? SERVER_JS, '--port', '0', ...args], { cwd: opts.cwd ?? PACKAGE_ROOT, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    let started = false;
    const lines = () => stdout.split('\n').filter((l) => l.trim()).map((l) => { try { return JSON.parse(l); } catch { return { raw: l }; } });
    const exited = new Promise<Exited>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start: ${stdout}${stderr}`)); }, 20_000);
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      stdout += d;
      if (started) return;
      const m = /Server listening at http:\/\/[^":]+:(\d+)/.exec(stdout) ?? /Server listening at http:\/\/\[[^\]]+\]:(\d+)/.exec(stdout);
      if (m) {
        started = true;
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ child, port, url: `http://127.0.0.1:${port}`, lines, exited });
      }
    });
    child.on('close', () => { if (!started) { clearTimeout(timer); reject(new Error(`server exited before listening: ${stdout}${stderr}`)); } });
  });
}
