// Fault injection: rules that delay a vendor call, answer it with an error, or drop its connection. Applied by the
// dispatcher's beforeHandle hook, i.e. after validation and before any state change (mock-contract §8).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ERRORS, type ErrorSpec } from '../protocol/errors.js';
import type { Random } from '../protocol/random.js';
import { VENDOR_QPS } from '../actions/catalog.js';
import type { MockRuntime } from '../app.js';
import {
  ControlError, badRequest, objectBody, checkObject, queryOf, intField, stringField, sendJson, APPID_MAX,
} from './http.js';

export interface FaultError { Code: string; HttpStatus: number; CodeN?: number; Message?: string }

export interface FaultRule {
  Id: number;
  Action?: string;
  AppId?: number;
  /** remaining; undefined = until removed */
  Times?: number;
  Probability?: number;
  Error?: FaultError;
  DelayMs?: number;
  Drop?: boolean;
  /** how many calls it has hit */
  Fired: number;
}

const RULE_FIELDS = ['Action', 'AppId', 'Times', 'Probability', 'Error', 'DelayMs', 'Drop'] as const;
const ERROR_FIELDS = ['Code', 'HttpStatus', 'CodeN', 'Message'] as const;
const MAX_DELAY_MS = 600_000;

/** Checks a rule document strictly; throws a 400 naming the field. */
export function parseRule(doc: Record<string, unknown>): Omit<FaultRule, 'Id' | 'Fired'> {
  const rule: Omit<FaultRule, 'Id' | 'Fired'> = {};
  const action = stringField(doc, 'Action');
  if (action !== undefined && !Object.hasOwn(VENDOR_QPS, action)) throw badRequest(`body.Action: ${action} is not an action of Version 2020-12-01`);
  if (action !== undefined) rule.Action = action;
  const appId = intField(doc, 'AppId', 1, APPID_MAX);
  if (appId !== undefined) rule.AppId = appId;
  const times = intField(doc, 'Times', 1, Number.MAX_SAFE_INTEGER);
  if (times !== undefined) rule.Times = times;
  if (doc.Probability !== undefined) {
    const p = doc.Probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw badRequest('body.Probability: must be a number from 0 to 1');
    rule.Probability = p;
  }
  const delay = intField(doc, 'DelayMs', 0, MAX_DELAY_MS);
  if (delay) rule.DelayMs = delay;
  if (doc.Drop !== undefined) {
    if (typeof doc.Drop !== 'boolean') throw badRequest('body.Drop: must be true or false');
    if (doc.Drop) rule.Drop = true;
  }
  if (doc.Error !== undefined) rule.Error = parseError(checkObject(doc.Error, ERROR_FIELDS, 'body.Error'));
  if (rule.Error && rule.Drop) throw badRequest('body: Error and Drop exclude each other (a dropped connection has no answer)');
  if (!rule.Error && !rule.Drop && !rule.DelayMs) throw badRequest('body: give an effect: Error, DelayMs (> 0) or Drop');
  return rule;
}

function parseError(e: Record<string, unknown>): FaultError {
  const where = 'body.Error';
  const code = stringField(e, 'Code', where);
  if (code === undefined) throw badRequest(`${where}.Code: is required`);
  const status = intField(e, 'HttpStatus', 400, 599, where);
  if (status === undefined) throw badRequest(`${where}.HttpStatus: is required`);
  const out: FaultError = { Code: code, HttpStatus: status };
  const codeN = intField(e, 'CodeN', 0, APPID_MAX, where);
  if (codeN !== undefined) out.CodeN = codeN;
  if (e.Message !== undefined) {
    if (typeof e.Message !== 'string') throw badRequest(`${where}.Message: must be a string`);
    out.Message = e.Message;
  }
  return out;
}

export class Faults {
  private readonly rules = new Map<number, FaultRule>();
  private nextId = 1;

  constructor(private readonly random: Random) {}

  add(rule: Omit<FaultRule, 'Id' | 'Fired'>): FaultRule {
    const r: FaultRule = { Id: this.nextId++, ...rule, Fired: 0 };
    this.rules.set(r.Id, r);
    return r;
  }

  list(): FaultRule[] { return [...this.rules.values()]; }

  delete(id: number): boolean { return this.rules.delete(id); }

  /** Removes every rule, or only the rules bound to appId; returns how many. Ids keep counting. */
  clear(appId?: number): number {
    let n = 0;
    for (const r of this.rules.values()) if ((appId === undefined || r.AppId === appId) && this.rules.delete(r.Id)) n++;
    return n;
  }

  /** Removes every rule and restarts Ids at 1 (a full reset: the same calls give the same Ids). */
  reset(): void {
    this.rules.clear();
    this.nextId = 1;
  }

  /** The first rule that matches and fires (Probability drawn from the seeded generator); counts Times down. */
  pick(action: string, appId: number | undefined): FaultRule | undefined {
    for (const r of this.rules.values()) {
      if (r.Action !== undefined && r.Action !== action) continue;
      if (r.AppId !== undefined && r.AppId !== appId) continue;
      if (r.Probability !== undefined && this.random.float() >= r.Probability) continue;
      r.Fired++;
      if (r.Times !== undefined && --r.Times <= 0) this.rules.delete(r.Id);
      return r;
    }
    return undefined;
  }

  /** The dispatcher's beforeHandle hook. */
  /** Synchronous (no promise, no microtask) unless a matching rule delays. */
  apply(action: string, appId: number | undefined, reply: FastifyReply): void | Promise<void> {
    if (this.rules.size === 0) return;
    const rule = this.pick(action, appId);
    if (!rule) return;
    const act = (): void => {
      if (rule.Drop) return drop(reply);
      if (rule.Error) throw errorOf(rule);
    };
    if (rule.DelayMs) return sleep(rule.DelayMs).then(act);
    act();
  }
}

function errorOf(rule: FaultRule): ApiError {
  const e = rule.Error!;
  // own keys only: a Code such as toString or constructor is a code of the rule's own, not a property of the catalog
  const spec = Object.hasOwn(ERRORS, e.Code) ? (ERRORS as Record<string, ErrorSpec>)[e.Code] : undefined;
  const message = e.Message ?? (spec ? spec.message.replace('%s', `injected by fault ${rule.Id}`) : `Injected by fault ${rule.Id}.`);
  return ApiError.custom(e.Code, e.HttpStatus, message, e.CodeN ?? spec?.codeN);
}

/** Closes the connection without an answer; the hijacked reply keeps Fastify from sending anything. */
function drop(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.socket?.destroy();
  reply.raw.destroy();
}

export function registerFaultRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.post('/faults', async (req, reply) => {
    queryOf(req, []);
    const rule = runtime.faults.add(parseRule(objectBody(req, RULE_FIELDS)));
    return sendJson(reply, 200, { Id: rule.Id });
  });
  app.get('/faults', async (req, reply) => {
    queryOf(req, []);
    return sendJson(reply, 200, { Faults: runtime.faults.list() });
  });
  app.delete('/faults', async (req, reply) => {
    queryOf(req, []);
    return sendJson(reply, 200, { Removed: runtime.faults.clear() });
  });
  app.delete<{ Params: { Id: string } }>('/faults/:Id', async (req, reply) => {
    queryOf(req, []);
    const id = req.params.Id;
    if (!/^\d{1,15}$/.test(id) || !runtime.faults.delete(Number(id))) throw new ControlError(404, 'NotFound', `fault ${id}: no such rule`);
    return sendJson(reply, 200, { Removed: 1 });
  });
}
