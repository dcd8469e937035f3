// GET /_mock/actions: every vendor Action of 2020-12-01, its effective QPS (after --rate-limit; 0 = unlimited)
// and whether this build emulates it.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import { VENDOR_QPS } from '../actions/catalog.js';
import { queryOf, sendJson } from './http.js';

export function registerActionRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.get('/actions', async (req, reply) => {
    queryOf(req, []);
    const emulated = new Set(runtime.actions.map((a) => a.name));
    const override = runtime.options.rateLimit;
    const actions = Object.entries(VENDOR_QPS).map(([name, qps]) => ({ Action: name, QPS: override ?? qps, Emulated: emulated.has(name) }));
    return sendJson(reply, 200, { Actions: actions });
  });
}
