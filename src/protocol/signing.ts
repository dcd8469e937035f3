// Volcengine V4 HMAC-SHA256 request signing (volcengine-im-api §3.1-3.3) and its server-side check (§3.5).
// Pure functions: no clock, no I/O. The same functions sign (tests, examples) and verify (the dispatcher's hook).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ERRORS, type ErrorCode } from './errors.js';

export const ALGORITHM = 'HMAC-SHA256';
export const SIGNED_SERVICE = 'rtc';

export interface Credential { accessKeyId: string; secretKey: string }

/** Header values as Node gives them: lower-case names, a string or (repeated header) a list. */
export type HeaderBag = Record<string, string | string[] | number | undefined>;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case), space is %20. */
export function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function formDecode(s: string): string {
  const plus = s.replace(/\+/g, ' '); // Go sends spaces as '+' in the URL (url.Values.Encode) and signs them as %20
  try { return decodeURIComponent(plus); } catch { return plus; }
}

/**
 * The canonical query from the raw query string of the URL: decode, sort by key, re-encode (§3.1).
 * Values of a repeated key keep the order they arrived in (Go) unless sortValues (Node sorts them).
 */
export function canonicalQuery(rawQuery: string, sortValues = false): string {
  const pairs = rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [formDecode(p), ''] : [formDecode(p.slice(0, eq)), formDecode(p.slice(eq + 1))];
  });
  // Array.prototype.sort is stable: equal keys keep their arrival order unless values are compared too
  pairs.sort((a, b) => compare(a[0], b[0]) || (sortValues ? compare(uriEscape(a[1]), uriEscape(b[1])) : 0));
  return pairs.map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`).join('&');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One canonical header value: repeated headers joined by ',', trimmed, inner whitespace collapsed; host drops :80/:443. */
export function canonicalHeaderValue(name: string, value: HeaderBag[string]): string {
  const text = Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value);
  const v = text.replace(/\s+/g, ' ').trim();
  return name === 'host' ? v.replace(/:(80|443)$/, '') : v;
}

/** `name:value\n` for each signed header name, in the order of the SignedHeaders list. */
export function canonicalHeaders(signedHeaders: readonly string[], headers: HeaderBag): string {
  // own headers only: a signed name such as `constructor` is a header the request did not send, not Object's
  return signedHeaders.map((n) => `${n}:${canonicalHeaderValue(n, Object.hasOwn(headers, n) ? headers[n] : undefined)}\n`).join('');
}

export interface CanonicalParts {
  method: string;
  path: string;
  /** the canonical query (see canonicalQuery) */
  query: string;
  /** lower-case names, as in the SignedHeaders list */
  signedHeaders: readonly string[];
  headers: HeaderBag;
  bodyHash: string;
}

export function canonicalRequest(p: CanonicalParts): string {
  // canonicalHeaders ends with "\n": the empty line before the signed header list is part of the format
  return [p.method.toUpperCase(), p.path || '/', p.query, canonicalHeaders(p.signedHeaders, p.headers), p.signedHeaders.join(';'), p.bodyHash].join('\n');
}

export function credentialScope(shortDate: string, region: string, service = SIGNED_SERVICE): string {
  return `${shortDate}/${region}/${service}/request`;
}

export function stringToSign(xDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, xDate, scope, sha256Hex(canonical)].join('\n');
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** kDate = HMAC(SK, yyyymmdd) -> region -> service -> "request" (no "AWS4"-style prefix on the secret). */
export function signingKey(secretKey: string, shortDate: string, region: string, service = SIGNED_SERVICE): Buffer {
  return hmac(hmac(hmac(hmac(secretKey, shortDate), region), service), 'request');
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function xDateOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

// ---- signing a request, as the SDKs do (tests, examples) ----

/** Headers the Node SDK never signs (§3.2). */
const UNSIGNABLE = new Set(['authorization', 'content-type', 'content-length', 'user-agent', 'presigned-expires', 'expect']);

export interface SignInput {
  method: string;
  /** path and query as sent, e.g. `/?Action=GetMessagesReadReceipt&Version=2020-12-01` */
  url: string;
  /** headers to send besides X-Date, X-Content-Sha256 and Authorization (lower-case names) */
  headers?: Record<string, string>;
  body: string | Buffer;
  credential: Credential;
  region: string;
  xDate: string;
  /** names to sign; default as the Node SDK: every header given but the unsignable ones, plus x-content-sha256 and x-date */
  signedHeaders?: readonly string[];
}

export interface Signed { headers: Record<string, string>; canonicalRequest: string; stringToSign: string; signature: string }

/** Adds x-date, x-content-sha256 and authorization to the headers, signing them per §3.1. */
export function signRequest(input: SignInput): Signed {
  const bodyHash = sha256Hex(input.body);
  const headers: Record<string, string> = { ...input.headers, 'x-date': input.xDate, 'x-content-sha256': bodyHash };
  const names = [...(input.signedHeaders ?? Object.keys(headers).filter((n) => !UNSIGNABLE.has(n)))].sort();
  const [path, query = ''] = splitUrl(input.url);
  const canonical = canonicalRequest({ method: input.method, path, query: canonicalQuery(query), signedHeaders: names, headers, bodyHash });
  const shortDate = input.xDate.slice(0, 8);
  const scope = credentialScope(shortDate, input.region);
  const toSign = stringToSign(input.xDate, scope, canonical);
  const sig = signature(signingKey(input.credential.secretKey, shortDate, input.region), toSign);
  headers.authorization = `${ALGORITHM} Credential=${input.credential.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${sig}`;
  return { headers, canonicalRequest: canonical, stringToSign: toSign, signature: sig };
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

// ---- verifying a request (§3.5) ----

export interface RequestInfo { method: string; url: string; headers: HeaderBag }

export interface Verdict {
  ok: boolean;
  /** the gateway code when not ok */
  code?: ErrorCode;
  /** the wire Message when not ok */
  message?: string;
  accessKeyId?: string;
  region?: string;
  /** the server's canonical request and string to sign, once the check got that far */
  canonicalRequest?: string;
  stringToSign?: string;
}

interface ParsedAuthorization { accessKeyId: string; shortDate: string; region: string; service: string; signedHeaders: string[]; signature: string }

/** Longest Authorization header read at all (a signed one is about 250 characters; Node allows 16 KiB of headers). A
 * longer one is refused with InvalidAuthorization before anything parses it, in every --auth mode (the dispatcher). */
export const AUTHORIZATION_MAX = 4096;

export const tooLongAuthorization = (): string =>
  `${ERRORS.InvalidAuthorization.message} (the header is longer than ${AUTHORIZATION_MAX} characters)`;

const X_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const AUTH_SHAPE = "expected 'HMAC-SHA256 Credential=<AK>/<yyyymmdd>/<region>/rtc/request, SignedHeaders=<a;b>, Signature=<64 hex>'";

/** Splits the Authorization header; a string is the reason it is malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  const m = /^(\S+)\s+(.*)$/.exec(header.trim());
  if (!m || m[1] !== ALGORITHM) return `the algorithm must be ${ALGORITHM}`;
  const fields = new Map<string, string>();
  for (const part of m[2].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const cred = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.toLowerCase().split(';');
  const sig = fields.get('Signature');
  if (!cred || cred.length !== 5 || cred[4] !== 'request' || !/^\d{8}$/.test(cred[1])) return 'bad Credential';
  if (!signedHeaders || signedHeaders.some((h) => !/^[a-z0-9-]+$/.test(h))) return 'bad SignedHeaders';
  if (!sig || !/^[0-9a-fA-F]{64}$/.test(sig)) return 'bad Signature';
  return { accessKeyId: cred[0], shortDate: cred[1], region: cred[2], service: cred[3], signedHeaders, signature: sig.toLowerCase() };
}

/** `20240102T030405Z` -> epoch ms, or undefined when it is not a real UTC time in that format. */
export function parseXDate(xDate: string): number | undefined {
  const m = X_DATE.exec(xDate);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return xDateOf(ms) === xDate ? ms : undefined;
}

/**
 * Checks a request's signature (§3.5): raw body bytes as received, the request's own SignedHeaders, the canonical
 * query rebuilt from the URL, X-Date within maxSkewS of nowMs and on the credential's date, constant-time compare.
 */
export function verify(req: RequestInfo, raw: Buffer, credentials: ReadonlyMap<string, string>, nowMs: number, maxSkewS: number): Verdict {
  const header = firstValue(req.headers.authorization);
  if (!header) return refuse({}, 'MissingAuthenticationToken');
  if (header.length > AUTHORIZATION_MAX) return { ok: false, code: 'InvalidAuthorization', message: tooLongAuthorization() };
  const auth = parseAuthorization(header);
  if (typeof auth === 'string') return refuse({}, 'InvalidAuthorization', `${auth}; ${AUTH_SHAPE}`);
  const who = { accessKeyId: auth.accessKeyId, region: auth.region };
  for (const [part, value] of [['AccessKey', auth.accessKeyId], ['Region', auth.region], ['Service', auth.service]]) {
    if (!value) return refuse(who, 'MissingRequestInfo', part);
  }
  const xDate = firstValue(req.headers['x-date']);
  if (!xDate) return refuse(who, 'MissingRequestInfo', 'X-Date');
  const signedAt = parseXDate(xDate);
  if (signedAt === undefined) return refuse(who, 'InvalidTimestamp', undefined, `X-Date ${xDate} is not yyyyMMddTHHmmssZ`);
  if (Math.abs(nowMs - signedAt) > maxSkewS * 1000) {
    return refuse(who, 'InvalidTimestamp', undefined, `X-Date ${xDate} is more than ${maxSkewS} s from the server's time ${xDateOf(nowMs)}`);
  }
  if (xDate.slice(0, 8) !== auth.shortDate) return refuse(who, 'InvalidTimestamp', undefined, `the credential date ${auth.shortDate} is not the date of X-Date ${xDate}`);
  const secret = credentials.get(auth.accessKeyId);
  if (secret === undefined) return refuse(who, 'InvalidAccessKey', auth.accessKeyId);

  const bodyHash = sha256Hex(raw);
  const claimed = firstValue(req.headers['x-content-sha256']);
  const bodyMismatch = claimed !== undefined && claimed.toLowerCase() !== bodyHash; // signed, but not this body
  const otherService = auth.service !== SIGNED_SERVICE; // the server signs with its own service, so only the label could differ
  const [path, query] = splitUrl(req.url);
  const key = signingKey(secret, auth.shortDate, auth.region);
  const scope = credentialScope(auth.shortDate, auth.region); // the server's own service: a scope naming another cannot match
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  const matches = (q: string): Verdict | undefined => {
    const canonical = canonicalRequest({ method: req.method, path, query: q, signedHeaders: auth.signedHeaders, headers: req.headers, bodyHash });
    const toSign = stringToSign(xDate, scope, canonical);
    first ??= { canonicalRequest: canonical, stringToSign: toSign };
    const match = timingSafeEqual(Buffer.from(signature(key, toSign), 'hex'), Buffer.from(auth.signature, 'hex'));
    return match && !bodyMismatch && !otherService ? { ok: true, ...who, canonicalRequest: canonical, stringToSign: toSign } : undefined;
  };
  // a repeated query key: Go signs its values in URL order, Node sorted; the sorted form is built only when the URL
  // order does not match, and tried only when it differs
  const inOrder = canonicalQuery(query);
  const verdict = matches(inOrder) ?? (() => {
    const sorted = canonicalQuery(query, true);
    return sorted === inOrder ? undefined : matches(sorted);
  })();
  if (verdict) return verdict;
  const hint = bodyMismatch ? 'X-Content-Sha256 is not the SHA-256 of the body received'
      : otherService ? `the credential scope names service ${auth.service}, not ${SIGNED_SERVICE}` : undefined;
  return { ...refuse(who, 'SignatureDoesNotMatch', undefined, hint), ...first };
}

function refuse(who: { accessKeyId?: string; region?: string }, code: ErrorCode, detail?: string, hint?: string): Verdict {
  const spec: { message: string } = ERRORS[code];
  const base = spec.message.replace('%s', detail ?? '');
  return { ok: false, code, message: hint ? `${base} (${hint})` : base, ...who };
}

function firstValue(v: HeaderBag[string]): string | undefined {
  const s = Array.isArray(v) ? v[0] : v === undefined ? undefined : String(v);
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}
