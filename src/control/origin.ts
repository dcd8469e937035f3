// Without --admin-token the control plane is open to whoever reaches the port; a web page open in the developer's
// browser reaches it too (a cross-site form or fetch, or DNS rebinding a name of the page's own to 127.0.0.1). A
// control request that changes state is therefore refused (403) when its Host or Origin is not the emulator's own
// (mock-contract §8). Browsers send Origin with every such request; other clients (curl, SDKs, tests) send none.
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { ControlError } from './http.js';

/** Methods that read (they change nothing): not checked. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A host name that can only mean this machine or a name given to it locally, never a name a web site controls: an
 * IP literal, localhost, a single-label name (a container or compose service: `volc-im-mock`), or a name under a
 * suffix no one can register (.localhost, .local, .internal: `host.docker.internal`). */
export function isOwnHostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === '') return false;
  if (isIP(h.replace(/^\[|\]$/g, '')) !== 0) return true;
  if (!h.includes('.')) return /^[a-z0-9_-]+$/.test(h);
  return /\.(localhost|local|internal)$/.test(h);
}

/** The host name of a Host header value (host, host:port, [v6]:port), or undefined when malformed. */
function hostnameOf(host: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\[\]\s/@]+)(?::\d{1,5})?$/.exec(host);
  return m?.[1];
}

/** Throws 403 when a state-changing control request comes with a foreign Host or Origin. */
export function checkOwnOrigin(req: FastifyRequest): void {
  if (READS.has(req.method)) return;
  const host = req.headers.host ?? '';
  const hostname = hostnameOf(host);
  if (hostname === undefined || !isOwnHostName(hostname)) {
    throw forbidden(`Host ${JSON.stringify(host)} is not the emulator's own`);
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let url: URL | undefined;
  try { url = new URL(origin); } catch { url = undefined; }
  // the page must have been served by this very emulator (same origin: scheme http(s), the same host and port)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host.toLowerCase() !== host.toLowerCase()) {
    throw forbidden(`Origin ${JSON.stringify(origin)} is not the emulator's own (${host})`);
  }
}

const forbidden = (why: string) => new ControlError(403, 'Forbidden',
  `${why}: a control request that changes state is refused from a web page of another site (mock-contract §8); call it from a client of your own, or start with --admin-token`);
