// POST /_mock/clock {"NowMs"} freezes the mock clock, {"AdvanceMs"} moves it; DELETE returns to real time.
// The clock drives CreateTime, RequestId time and token buckets; DurationMs in the journal stays real.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockRuntime } from '../app.js';
import { CLOCK_MIN_MS, CLOCK_MAX_MS, CLOCK_RANGE, clockInRange } from '../protocol/clock.js';
import { badRequest, objectBody, queryOf, intField, sendJson } from './http.js';

export function registerClockRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  const { clock } = runtime;
  const state = (reply: FastifyReply) => sendJson(reply, 200, { NowMs: clock.now(), Fixed: clock.isFixed() });

  app.get('/clock', async (req, reply) => { queryOf(req, []); return state(reply); });

  app.post('/clock', async (req, reply) => {
    queryOf(req, []);
    const body = objectBody(req, ['NowMs', 'AdvanceMs']);
    // bounded to what RequestIds (a 4-digit year in UTC+8) and the data file (no negative times) can hold
    const nowMs = intField(body, 'NowMs', CLOCK_MIN_MS, CLOCK_MAX_MS);
    const advanceMs = intField(body, 'AdvanceMs', -CLOCK_MAX_MS, CLOCK_MAX_MS);
    if ((nowMs === undefined) === (advanceMs === undefined)) throw badRequest('body: give exactly one of NowMs and AdvanceMs');
    if (advanceMs !== undefined && !clockInRange(clock.now() + advanceMs)) {
      throw badRequest(`body.AdvanceMs: would move the clock to ${clock.now() + advanceMs}; it must stay from ${CLOCK_RANGE}`);
    }
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
