// /_mock/callbacks (configuration, delivery journal, flush) and /_mock/client/send (a message sent as the user's
// client would send it, through BeforeSendMessage). Registered inside the control plane's scope (admin token).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockRuntime } from '../app.js';
import { ControlError, badRequest, objectBody, queryOf, intQuery, intField, sendJson, APPID_MAX } from '../control/http.js';
import { CallbackConfigError, callbackConfig, EVENT_TYPES } from './config.js';
import { deliveryToJson } from './deliveries.js';
import { registerClientSend } from './client-send.js';

/** The longest a flush waits (real ms) before answering 504 with what is still pending. */
const FLUSH_DEFAULT_MS = 60_000;
const FLUSH_MAX_MS = 600_000;

export function registerCallbackRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  const { callbacks } = runtime;

  app.get('/callbacks', async (req, reply) => {
    const appId = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    return sendJson(reply, 200, { Callbacks: callbacks.registry.list(appId) });
  });

  app.put('/callbacks', async (req, reply) => {
    queryOf(req, []);
    const body = objectBody(req, ['AppId', 'Url', 'SecretKey', 'Events', 'TimeoutMs']);
    const appId = intField(body, 'AppId', 1, APPID_MAX);
    try {
      const config = callbackConfig({ url: body.Url as string, secretKey: body.SecretKey as string | undefined, events: body.Events as string[] | undefined, timeoutMs: body.TimeoutMs as number | undefined });
      callbacks.registry.set(appId, config);
    } catch (e) {
      if (e instanceof CallbackConfigError) throw badRequest(`body.${e.message}`);
      throw e;
    }
    return sendJson(reply, 200, { Callbacks: callbacks.registry.list(appId) });
  });

  app.delete('/callbacks', async (req, reply) => {
    const appId = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    return sendJson(reply, 200, { Removed: callbacks.registry.remove(appId) });
  });

  app.get('/callbacks/deliveries', async (req, reply) => {
    const q = queryOf(req, ['AppId', 'EventType', 'Status', 'Limit']);
    const appId = intQuery(q, 'AppId', 1, APPID_MAX);
    const limit = intQuery(q, 'Limit', 0, Number.MAX_SAFE_INTEGER);
    if (q.EventType !== undefined && !(EVENT_TYPES as readonly string[]).includes(q.EventType)) throw badRequest(`?EventType=${q.EventType}: must be one of ${EVENT_TYPES.join(', ')}`);
    if (q.Status !== undefined && !['ok', 'error', 'dropped'].includes(q.Status)) throw badRequest(`?Status=${q.Status}: must be ok, error or dropped`);
    const records = callbacks.deliveries({ appId, eventType: q.EventType, status: q.Status, limit });
    return sendJson(reply, 200, { Deliveries: records.map(deliveryToJson), Pending: callbacks.queue.pending });
  });

  app.post('/callbacks/flush', async (req, reply) => {
    const ms = intQuery(queryOf(req, ['TimeoutMs']), 'TimeoutMs', 1, FLUSH_MAX_MS) ?? FLUSH_DEFAULT_MS;
    return flushWithin(reply, runtime, ms);
  });

  registerClientSend(app, runtime);
}

async function flushWithin(reply: FastifyReply, runtime: MockRuntime, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), ms); });
  const done = await Promise.race([runtime.callbacks.flush().then(() => false), expired]);
  clearTimeout(timer);
  if (done) throw new ControlError(504, 'Timeout', `${runtime.callbacks.queue.pending} events still wait for delivery after ${ms} ms`);
  return sendJson(reply, 200, { Pending: 0 });
}
