// The dispatcher's authenticate hook for --auth log|enforce (off installs no hook: the access key id is read from
// Authorization unchecked). log answers as off and logs the verdict; enforce answers the verdict's gateway error.
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { callerFromHeader, type Caller } from './dispatch.js';
import { verify, type Credential, type Verdict } from './signing.js';
import type { Clock } from './clock.js';

export type AuthMode = 'off' | 'log' | 'enforce';
export const AUTH_MODES: readonly AuthMode[] = ['off', 'log', 'enforce'];
export const DEFAULT_MAX_CLOCK_SKEW_S = 900; // the documented default X-Expires (volcengine-im-api §3.4-3.5)

declare module 'fastify' {
  interface FastifyRequest {
    /** the signature verdict, when --auth is log or enforce (for the request journal) */
    volcAuth?: Verdict;
  }
}

export interface AuthOptions {
  mode: AuthMode;
  credentials: readonly Credential[];
  clock: Clock;
  maxClockSkewS?: number;
  /** SignatureDoesNotMatch messages carry the server's canonical request and string to sign */
  debug?: boolean;
}

export type Authenticate = (req: FastifyRequest, raw: Buffer) => Caller;

export function authenticator(opts: AuthOptions): Authenticate | undefined {
  if (opts.mode === 'off') return undefined;
  const secrets = new Map(opts.credentials.map((c) => [c.accessKeyId, c.secretKey]));
  const maxSkew = opts.maxClockSkewS ?? DEFAULT_MAX_CLOCK_SKEW_S;
  return (req, raw) => {
    const verdict = verify({ method: req.method, url: req.url, headers: req.headers }, raw, secrets, opts.clock.now(), maxSkew);
    if (!verdict.ok && opts.debug) verdict.message = withDebug(verdict);
    req.volcAuth = verdict;
    if (opts.mode === 'log') {
      const { ok, code, message, accessKeyId } = verdict;
      if (ok) req.log.info({ auth: { ok, accessKeyId } }, 'signature ok');
      else req.log.warn({ auth: { ok, code, message, accessKeyId } }, 'signature check failed (--auth log: answered anyway)');
      return callerFromHeader(req.headers.authorization);
    }
    if (!verdict.ok) throw Object.assign(new ApiError(verdict.code!), { message: verdict.message! }); // status and CodeN from the catalog
    return { accessKeyId: verdict.accessKeyId!, region: verdict.region };
  };
}

function withDebug(v: Verdict): string {
  if (v.code !== 'SignatureDoesNotMatch' || v.canonicalRequest === undefined) return v.message!;
  return `${v.message}\n[--auth-debug] server canonical request:\n${v.canonicalRequest}\n[--auth-debug] server string to sign:\n${v.stringToSign}`;
}
