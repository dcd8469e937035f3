// The control plane under /_mock/ (mock-contract §8): outside the vendor's namespace, never rate-limited, never
// journaled (it has its own routes, not the dispatcher). Its errors are {"Error":{"Code","Message"}}.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MockRuntime } from '../app.js';
import { openApiRoute } from './openapi.js';
import { ControlError, sendError, sendJson } from './http.js';
import { checkOwnOrigin } from './origin.js';
import { registerStateRoutes } from './state.js';
import { registerJournalRoutes } from './journal.js';
import { registerFaultRoutes } from './faults.js';
import { registerClockRoutes } from './clock.js';
import { registerActionRoutes } from './actions.js';
import { registerAppRoutes } from './apps.js';
import { registerUiRoutes, UI_PAGE_URL } from './ui.js';
import { registerCallbackRoutes } from '../callbacks/routes.js';
import { registerRoutesIndex } from './routes-index.js';

export { Journal } from './journal.js';
export { Faults } from './faults.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** true when the request carries `Authorization: Bearer <token>` (compared in constant time). */
function hasToken(req: FastifyRequest, want: Buffer): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1].trim()), want);
}

/** The page is opened by a browser, which cannot send a Bearer header: it may carry the token as ?token=. */
function hasQueryToken(req: FastifyRequest, want: Buffer): boolean {
  const given = (req.query as Record<string, unknown>).token;
  return typeof given === 'string' && timingSafeEqual(digest(given), want);
}

export function registerControl(app: FastifyInstance, runtime: MockRuntime): void {
  app.register(async (scope) => {
    const token = runtime.options.adminToken;
    if (token) {
      const want = digest(token);
      scope.addHook('onRequest', async (req, reply) => {
        if (req.routeOptions.url === '/_mock/health' || hasToken(req, want)) return;
        if (req.routeOptions.url === UI_PAGE_URL && hasQueryToken(req, want)) return;
        reply.header('www-authenticate', 'Bearer realm="volc-im-mock"');
        return sendError(reply, new ControlError(401, 'Unauthorized', 'the control plane requires Authorization: Bearer <admin token> (--admin-token); the page: /_mock/ui?token=<admin token>'));
      });
    }
    else scope.addHook('onRequest', async (req) => checkOwnOrigin(req)); // a foreign web page must not drive it

    registerRoutesIndex(scope); // first: it lists the routes registered after it
    scope.get('/health', async (_req, reply) => sendJson(reply, 200, { Status: 'ok' }));
    scope.get('/ready', async (_req, reply) => {
      if (!runtime.loaded) return sendJson(reply, 503, { Status: 'loading' });
      const failure = runtime.store.persistenceFailure();
      return failure === undefined ? sendJson(reply, 200, { Status: 'ready' }) : sendJson(reply, 503, { Status: 'unwritable', Reason: failure });
    });
    registerStateRoutes(scope, runtime);
    registerJournalRoutes(scope, runtime);
    registerFaultRoutes(scope, runtime);
    registerClockRoutes(scope, runtime);
    registerActionRoutes(scope, runtime);
    registerAppRoutes(scope, runtime);
    registerCallbackRoutes(scope, runtime);
    scope.get('/openapi.json', openApiRoute(runtime.actions));
    registerUiRoutes(scope, runtime);

    scope.setNotFoundHandler((req, reply) => {
      sendError(reply, new ControlError(404, 'NotFound', `${req.method} ${req.url.split('?')[0]}: no such control route`));
    });
    scope.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, req, reply) => {
      if (error instanceof ControlError) return sendError(reply, error);
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new ControlError(413, 'RequestEntityTooLarge', error.message));
      if (error.statusCode && error.statusCode < 500) return sendError(reply, new ControlError(400, 'InvalidParameter', error.message));
      req.log.error({ err: error }, 'control route failed');
      return sendError(reply, new ControlError(500, 'InternalError', 'unexpected error in the control plane'));
    });
  }, { prefix: '/_mock' });
}
