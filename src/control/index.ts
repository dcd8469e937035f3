// The control plane under /_mock/ (mock-contract §8): outside the vendor's namespace, never rate-limited.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import { openApiRoute } from './openapi.js';

export function registerControl(app: FastifyInstance, runtime: MockRuntime): void {
  app.get('/_mock/health', async () => ({ Status: 'ok' }));
  app.get('/_mock/ready', async (_req, reply) => {
    if (!runtime.loaded) return reply.code(503).send({ Status: 'loading' });
    return { Status: 'ready' };
  });
  app.get('/_mock/openapi.json', openApiRoute(runtime.actions));
}
