// GET /_mock/: an index of the control routes (mock-contract §8), JSON, or HTML when a browser asks (Accept), with a
// link to the page. The list is collected from the routes as they are registered, so a route another feature adds
// under /_mock/ shows up by itself; DESCRIPTIONS gives the known ones a line of text.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { queryOf, sendJson } from './http.js';
import { UI_PAGE_URL } from './ui.js';

const DESCRIPTIONS: Record<string, string> = {
  'GET /_mock/health': 'liveness: 200 once the server accepts requests',
  'GET /_mock/ready': 'readiness: 200 once fixtures or the data file are loaded; 503 while the data file cannot be written',
  'POST /_mock/reset': 'state back to the fixtures (?To=empty, ?AppId=N); a full reset is a fresh start (clock, seeded ids)',
  'GET /_mock/state': 'the whole state as a fixture document (?AppId=N)',
  'PUT /_mock/state': 'replace the state with a fixture document',
  'GET /_mock/requests': 'the request journal, one page (?Action= ?AppId= ?ErrorCode= ?Limit= default 100, ?Before=RequestId)',
  'DELETE /_mock/requests': 'empty the journal',
  'POST /_mock/faults': 'add a fault rule',
  'GET /_mock/faults': 'the fault rules',
  'DELETE /_mock/faults': 'remove every fault rule',
  'DELETE /_mock/faults/:Id': 'remove one fault rule',
  'GET /_mock/clock': 'the mock clock',
  'POST /_mock/clock': 'fix ({"NowMs"}) or move ({"AdvanceMs"}) the mock clock',
  'DELETE /_mock/clock': 'back to real time',
  'GET /_mock/actions': 'every Action with its QPS and whether it is emulated',
  'GET /_mock/apps': 'AppIds with their AppKeys, and whether strict apps are on (?AppId=N)',
  'POST /_mock/tokens/verify': 'what a GetAppToken token holds: AppId, user, expiry, expired by the mock clock',
  'GET /_mock/broadcasts': 'UserBroadcast calls with the users each reached (?AppId=N)',
  'PUT /_mock/presence': "a user's connections ({AppId, UserId, Connections}; an empty list = offline)",
  'GET /_mock/callbacks': 'callback configuration: the default and each AppId\'s own',
  'PUT /_mock/callbacks': "set one AppId's callback ({AppId, Url, SecretKey, Events})",
  'DELETE /_mock/callbacks': "remove one AppId's callback (?AppId=N)",
  'GET /_mock/callbacks/deliveries': 'every attempt to call the application\'s server (?AppId= ?EventType= ?Status= ?Limit=)',
  'POST /_mock/callbacks/flush': 'returns once no after-send event waits for delivery',
  'POST /_mock/client/send': 'send a message as a client would: a muted sender is refused, BeforeSendMessage decides, then as SendMessage',
  'GET /_mock/openapi.json': 'OpenAPI document of the vendor API as emulated',
  [`GET ${UI_PAGE_URL}`]: 'the page: journal, conversations and read receipts, live',
  [`GET ${UI_PAGE_URL}/data`]: "the page's data: one AppId, one page of conversations (ids as strings)",
};

export interface RouteEntry { Method: string; Path: string; Description: string }

/** Collects the scope's routes (call before registering them) and serves the index at GET /. */
export function registerRoutesIndex(scope: FastifyInstance): void {
  const routes: RouteEntry[] = [];
  scope.addHook('onRoute', (route) => {
    const path = route.url;
    if (!path.startsWith('/_mock')) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || routes.some((r) => r.Method === method && r.Path === path)) continue;
      routes.push({ Method: method, Path: path, Description: DESCRIPTIONS[`${method} ${path}`] ?? '' });
    }
  });

  scope.get('/', async (req, reply) => {
    queryOf(req, []);
    const listed = routes.filter((r) => r.Path !== '/_mock' && r.Path !== '/_mock/'); // the index itself
    if (prefersHtml(req)) return reply.code(200).header('content-type', 'text/html; charset=utf-8').send(indexHtml(listed));
    return sendJson(reply, 200, { Page: UI_PAGE_URL, Routes: listed });
  });
}

/** A browser's Accept puts text/html first; curl's and fetch's default (any) or application/json get JSON. */
function prefersHtml(req: FastifyRequest): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexHtml(routes: RouteEntry[]): string {
  const rows = routes.map((r) => {
    const path = r.Method === 'GET' && !r.Path.includes(':') ? `<a href="${escapeHtml(r.Path)}">${escapeHtml(r.Path)}</a>` : escapeHtml(r.Path);
    return `<tr><td>${r.Method}</td><td>${path}</td><td>${escapeHtml(r.Description)}</td></tr>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>volc-im-mock control plane</title><style>body{font:14px system-ui,sans-serif;margin:1rem;max-width:60rem}
td{padding:2px 8px;vertical-align:top}td:first-child{font-family:monospace}</style></head><body>
<h1>volc-im-mock control plane</h1><p><a href="${UI_PAGE_URL}">Open the page (${UI_PAGE_URL})</a></p>
<table><thead><tr><th>method</th><th>path</th><th>what it does</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
