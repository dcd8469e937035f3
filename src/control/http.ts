// What every control route shares: JSON in and out (int64 exact), strict checks of bodies and query strings,
// and the control plane's own error shape {"Error":{"Code","Message"}} (not the vendor envelope).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseJson, stringifyJson, JsonSyntaxError } from '../protocol/json.js';

export class ControlError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

export const badRequest = (message: string) => new ControlError(400, 'InvalidParameter', message);

/** A control route that changes the world refuses while the data file cannot be written (as the actions do). */
export function refuseWhileUnwritable(failure: string | undefined): void {
  if (failure !== undefined) throw new ControlError(503, 'ServiceUnavailableTemp', `changes are refused until the data file can be written again: ${failure}`);
}

export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(stringifyJson(value));
}

export function sendError(reply: FastifyReply, err: ControlError): FastifyReply {
  return sendJson(reply, err.status, { Error: { Code: err.code, Message: err.message } });
}

/** The request body as a JSON value, int64 exact (the app keeps bodies raw). */
export function jsonBody(req: FastifyRequest): unknown {
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (text.trim() === '') throw badRequest('body: a JSON body is required');
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw badRequest(`body: not valid JSON: ${e.message}`);
    throw e;
  }
}

/** A JSON object body whose keys are all in `allowed`. */
export function objectBody(req: FastifyRequest, allowed: readonly string[]): Record<string, unknown> {
  return checkObject(jsonBody(req), allowed, 'body');
}

export function checkObject(value: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${where}: must be a JSON object`);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw badRequest(`${where}.${key}: unknown field (allowed: ${allowed.join(', ')})`);
  }
  return obj;
}

/** The query string, refusing unknown and repeated parameters (a typo such as ?appId= must not be ignored). */
export function queryOf(req: FastifyRequest, allowed: readonly string[]): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  for (const [key, v] of Object.entries(q)) {
    if (!allowed.includes(key)) throw badRequest(`?${key}: unknown query parameter${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`);
    if (typeof v !== 'string') throw badRequest(`?${key}: given more than once`);
  }
  return q as Record<string, string>;
}

/** An integer query parameter from min to max, or undefined when absent. */
export function intQuery(q: Record<string, string>, name: string, min: number, max: number): number | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(`?${name}=${v}: must be an integer from ${min} to ${max}`);
  return Number(v);
}

export { INT32_MAX as APPID_MAX } from '../protocol/schema.js';

/** An integer field from min to max (JSON numbers only: long literals arrive as BigInt and are out of range here). */
export function intField(obj: Record<string, unknown>, name: string, min: number, max: number, where = 'body'): number | undefined {
  const v = obj[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`${where}.${name}: must be an integer from ${min} to ${max}`);
  return v;
}

export function stringField(obj: Record<string, unknown>, name: string, where = 'body'): string | undefined {
  const v = obj[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw badRequest(`${where}.${name}: must be a non-empty string`);
  return v;
}
