// Every answer a test receives from a vendor action is checked against the spec's result fields (the project's copy,
// test/reference/im-2020-12-01.spec.json): unknown keys are refused, required keys must be there, types are exact.
// Installed once per test process on every Fastify instance it creates (Fastify publishes each new instance on the
// `fastify.initialization` diagnostics channel), so makeApp, buildApp and startMock apps are all checked. A drifting
// answer is replaced by a 500 `SpecDrift` error naming the difference, and the process exits 1 (the file fails even
// where a test does not look at the status). Servers started as child processes (dist/server.js) are not covered.
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_ROOT } from '../src/config.js';
import { parseJson } from '../src/protocol/json.js';

export const SPEC_COPY = resolve(PACKAGE_ROOT, 'test/reference/im-2020-12-01.spec.json');

export type SpecType = string | { array: SpecType } | { map: SpecType } | { object: SpecField[] };
export interface SpecField { name: string; required: boolean; type: SpecType; source?: string }
export interface SpecAction { body: SpecField[] | null; result: SpecField[] | null; source?: string; resultUnknown?: string }
export interface Spec { actions: Record<string, SpecAction> }

export const spec = JSON.parse(readFileSync(SPEC_COPY, 'utf8')) as Spec;

const INT32 = [-(2 ** 31), 2 ** 31 - 1];
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];

/** Differences between a value and a spec type, one line each ([] = it conforms). */
export function conformType(path: string, want: SpecType, v: unknown): string[] {
  if (typeof want === 'string') {
    switch (want) {
      case 'string': return typeof v === 'string' ? [] : [`${path}: want string, got ${show(v)}`];
      case 'boolean': return typeof v === 'boolean' ? [] : [`${path}: want boolean, got ${show(v)}`];
      case 'int32': return typeof v === 'number' && Number.isInteger(v) && v >= INT32[0] && v <= INT32[1] ? [] : [`${path}: want int32, got ${show(v)}`];
      case 'int64': {
        const ok = (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= INT64[0] && v <= INT64[1]);
        return ok ? [] : [`${path}: want int64, got ${show(v)}`];
      }
      default: return [`${path}: spec type ${want} unknown to the checker`];
    }
  }
  if ('array' in want) {
    if (!Array.isArray(v)) return [`${path}: want array, got ${show(v)}`];
    return v.flatMap((x, i) => conformType(`${path}[${i}]`, want.array, x));
  }
  if (!isObject(v)) return [`${path}: want ${'map' in want ? 'map' : 'object'}, got ${show(v)}`];
  if ('map' in want) return Object.entries(v).flatMap(([k, x]) => conformType(`${path}{${k}}`, want.map, x));
  return conformFields(path, want.object, v);
}

/** An object against a field list: every key known, every required key present, each value of its type. */
export function conformFields(path: string, fields: SpecField[] | null, v: Record<string, unknown>): string[] {
  const byName = new Map((fields ?? []).map((f) => [f.name, f]));
  const diffs: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const f = byName.get(k);
    if (!f) diffs.push(`${path}.${k}: not in the spec`);
    else diffs.push(...conformType(`${path}.${k}`, f.type, x));
  }
  for (const f of byName.values()) if (f.required && !(f.name in v)) diffs.push(`${path}.${f.name}: required, missing`);
  return diffs;
}

/** What is wrong with a successful answer of `action` (an empty list when nothing is, or when it is no success). */
export function answerDrift(action: string, body: unknown): string[] {
  if (!isObject(body) || !('Result' in body)) return [];
  const want = spec.actions[action];
  if (!want) return [`${action}: not a vendor action in the spec, yet it answered a Result`];
  if (want.resultUnknown) return [];
  if (!isObject(body.Result)) return [`Result: want object, got ${show(body.Result)}`];
  return conformFields('Result', want.result, body.Result);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? `string ${JSON.stringify(v).slice(0, 40)}` : `${typeof v} ${String(v).slice(0, 40)}`);

/** Installs the check on one app (before it is ready). */
export function checkAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    const action = (req.query as Record<string, unknown> | undefined)?.Action;
    if (typeof action !== 'string' || req.url.split('?')[0] !== '/') return payload;
    const drift = answerDrift(action, parseJson(payload));
    if (drift.length === 0) return payload;
    driftSeen.push(`${action}: ${drift.join('; ')}`);
    process.exitCode = 1;
    process.stderr.write(`spec drift in an answer of ${action}: ${drift.join('; ')}\n`);
    reply.code(500);
    return JSON.stringify({ ResponseMetadata: { Action: action, Error: { Code: 'SpecDrift', Message: drift.join('; ') } } });
  });
}

/** Every drift seen in this process (tests of the checker read it). */
export const driftSeen: string[] = [];

let installed = false;
/** Subscribes once per process: every Fastify instance created from now on is checked. */
export function checkEveryApp(): void {
  if (installed) return;
  installed = true;
  subscribe('fastify.initialization', (message) => checkAnswers((message as { fastify: FastifyInstance }).fastify));
}

checkEveryApp();
