// POST /_mock/clock {"NowMs"} freezes the mock clock, {"AdvanceMs"} moves it; DELETE returns to real time.
// The clock drives CreateTime, RequestId time and token buckets; DurationMs in the journal stays real.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockRuntime } from '../app.js';
import { badRequest, objectBody, queryOf, intField, sendJson } from './http.js';

/** ±10^8 days around the epoch: what Date can represent. */
const MAX_MS = 8_640_000_000_000_000;

export function registerClockRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  const { clock } = runtime;
  const state = (reply: FastifyReply) => sendJson(reply, 200, { NowMs: clock.now(), Fixed: clock.isFixed() });

  app.get('/clock', async (req, reply) => { queryOf(req, []); return state(reply); });

  app.post('/clock', async (req, reply) => {
    queryOf(req, []);
    const body = objectBody(req, ['NowMs', 'AdvanceMs']);
    const nowMs = intField(body, 'NowMs', 0, MAX_MS);
    const advanceMs = intField(body, 'AdvanceMs', -MAX_MS, MAX_MS);
    if ((nowMs === undefined) === (advanceMs === undefined)) throw badRequest('body: give exactly one of NowMs and AdvanceMs');
    if (advanceMs !== undefined && Math.abs(clock.now() + advanceMs) > MAX_MS) throw badRequest(`body.AdvanceMs: moves the clock out of range`);
    if (nowMs !== undefined) clock.set(nowMs);
    else clock.advance(advanceMs!);
    return state(reply);
  });

  app.delete('/clock', async (req, reply) => {
    queryOf(req, []);
    clock.useRealTime();
    return state(reply);
  });
}
