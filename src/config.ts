// Flags and environment variables (mock-contract §6), the flag winning. Parsed once, validated, passed in.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { AUTH_MODES, DEFAULT_MAX_CLOCK_SKEW_S, type AuthMode } from './protocol/auth.js';
import { DEFAULT_JOURNAL_SIZE } from './control/journal.js';
import type { Credential } from './protocol/signing.js';
import { INDEX_MODES, type IndexMode } from './store/model.js';
import { EVENT_TYPES } from './callbacks/config.js';

/** The package root: src/ and dist/ both sit one level below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_FIXTURES = resolve(PACKAGE_ROOT, 'fixtures/default.json');
/** Connection limits (ms) and the body limit (bytes) buildApp uses when none is given; the CLI shows the same. */
export const DEFAULT_TIMEOUTS = { requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionTimeout: 60_000 };
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface Config {
  port: number;
  host: string;
  fixtures: string;
  data?: string;
  /** every action's QPS; 0 = off; undefined = documented QPS per action */
  rateLimit?: number;
  /** IndexInConversation of new messages: time-like (µs) or 1, 2, 3 */
  index: IndexMode;
  logLevel: string;
  seed?: bigint;
  auth: AuthMode;
  credentials?: BoundCredential[];
  /** strict apps: only these AppIds are served (mock-contract §5) */
  apps?: number[];
  /** seconds X-Date may be away from the mock clock */
  maxClockSkew: number;
  authDebug: boolean;
  journalSize: number;
  adminToken?: string;
  /** ms a request may take to arrive in full (0 = no limit) */
  requestTimeout: number;
  /** ms an idle keep-alive connection stays open between requests */
  keepAliveTimeout: number;
  /** ms a socket may stay inactive before it is closed (0 = no limit) */
  connectionTimeout: number;
  /** largest accepted request body, bytes */
  bodyLimit: number;
  /** callbacks for every AppId (mock-contract §11) */
  callbackUrl?: string;
  callbackSecret?: string;
  callbackEvents?: string[];
}

export class ConfigError extends Error {}

interface Option { flag: string; env: string; default: string; help: string; parse?: (v: string, name: string) => unknown }

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function intIn(min: number, max: number) {
  return (v: string, name: string) => {
    if (!/^-?\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new ConfigError(`${name}=${v}: must be an integer from ${min} to ${max}`);
    return Number(v);
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string, name: string) => {
    if (!values.includes(v as T)) throw new ConfigError(`${name}=${v}: must be one of ${values.join(', ')}`);
    return v as T;
  };
}

function bool(v: string, name: string): boolean {
  if (/^(true|1|yes|on)$/i.test(v.trim())) return true;
  if (/^(false|0|no|off)$/i.test(v.trim())) return false;
  throw new ConfigError(`${name}=${v}: must be true or false`);
}

/** A credential, bound to some AppIds when appIds is given (a call for another answers NoPermissionForApp). */
export type BoundCredential = Credential & { appIds?: number[] };

/** `AK:SK[:APPID+APPID...][,...]`; the secret is never echoed in an error. */
function credentialList(v: string, name: string): BoundCredential[] {
  const seen = new Set<string>();
  return v.split(',').map((item, i) => {
    // a third part of digits joined by '+' binds the key (so a secret key cannot end in ':<digits>' when bound)
    const bound = /^([^:]*:.+):(\d+(?:\+\d+)*)\s*$/.exec(item);
    const pair = bound ? bound[1] : item;
    const appIds = bound?.[2].split('+').map((id) => appIdOf(id, `${name}: item ${i + 1}`));
    const colon = pair.indexOf(':');
    const accessKeyId = pair.slice(0, colon).trim();
    const secretKey = pair.slice(colon + 1).trim();
    if (colon < 0 || !accessKeyId || !secretKey) throw new ConfigError(`${name}: item ${i + 1} must be AK:SK (access key id, colon, secret key)`);
    if (/[\s/,]/.test(accessKeyId)) throw new ConfigError(`${name}: access key id ${accessKeyId} must not contain spaces, '/' or ','`);
    if (seen.has(accessKeyId)) throw new ConfigError(`${name}: access key id ${accessKeyId} is given twice`);
    seen.add(accessKeyId);
    return appIds ? { accessKeyId, secretKey, appIds } : { accessKeyId, secretKey };
  });
}

function appIdOf(v: string, where: string): number {
  if (!/^\d{1,10}$/.test(v) || Number(v) < 1 || Number(v) > 2147483647) throw new ConfigError(`${where}: AppId ${v} must be an integer from 1 to 2147483647`);
  return Number(v);
}

/** `666675,777001`: the AppIds strict apps serve. */
function appIdList(v: string, name: string): number[] {
  return [...new Set(v.split(',').map((id) => appIdOf(id.trim(), name)))];
}

/** A comma-separated list of the event types the vendor documents. */
function eventList(v: string, name: string): string[] {
  const events = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const e of events) {
    if (!(EVENT_TYPES as readonly string[]).includes(e)) throw new ConfigError(`${name}: ${e} is not an event type (${EVENT_TYPES.join(', ')})`);
  }
  return events;
}

/** Every option: flag, env name, default and help text (the CLI's --help is generated from it). */
export const OPTIONS: Record<keyof Config, Option> = {
  port: { flag: 'port', env: 'PORT', default: '8080', help: 'port to listen on (0 = any free port)', parse: intIn(0, 65535) },
  host: { flag: 'host', env: 'HOST', default: '127.0.0.1', help: 'address to bind (the container image sets 0.0.0.0)' },
  fixtures: { flag: 'fixtures', env: 'VOLC_MOCK_FIXTURES', default: 'fixtures/default.json', help: 'fixture file seeding the world' },
  data: { flag: 'data', env: 'VOLC_MOCK_DATA', default: '', help: 'data file: state persisted across restarts (default: in memory)' },
  rateLimit: { flag: 'rate-limit', env: 'VOLC_MOCK_RATE_LIMIT', default: '', help: "every action's QPS; 0 turns limiting off (default: documented QPS per action)", parse: intIn(0, 1_000_000) },
  index: { flag: 'index', env: 'VOLC_MOCK_INDEX', default: 'time', help: 'IndexInConversation of new messages: time (max(previous + 1, clock in µs), like the vendor\'s) or sequential (1, 2, 3)', parse: oneOf(INDEX_MODES) },
  logLevel: {
    flag: 'log-level', env: 'LOG_LEVEL', default: 'info', help: LOG_LEVELS.join('|'),
    parse: (v, name) => { if (!LOG_LEVELS.includes(v)) throw new ConfigError(`${name}=${v}: must be one of ${LOG_LEVELS.join(', ')}`); return v; },
  },
  seed: {
    flag: 'seed', env: 'VOLC_MOCK_SEED', default: '', help: 'makes generated ids and RequestIds reproducible',
    parse: (v, name) => { if (!/^\d{1,19}$/.test(v.trim())) throw new ConfigError(`${name}=${v}: must be a non-negative integer`); return BigInt(v); },
  },
  auth: { flag: 'auth', env: 'VOLC_MOCK_AUTH', default: 'off', help: 'signature checks: off (accept all), log (accept all, log the verdict), enforce (answer the gateway errors)', parse: oneOf(AUTH_MODES) },
  credentials: { flag: 'credentials', env: 'VOLC_MOCK_CREDENTIALS', default: '', help: 'accepted keys, AK:SK[:APPID+APPID][,...] (needed by --auth enforce); :APPIDs binds the key to those AppIds', parse: credentialList },
  apps: { flag: 'apps', env: 'VOLC_MOCK_APPS', default: '', help: 'strict apps: only these AppIds (666675,777001) are served, others answer InvalidParameter.NotExistAppId', parse: appIdList },
  maxClockSkew: { flag: 'max-clock-skew', env: 'VOLC_MOCK_MAX_CLOCK_SKEW', default: String(DEFAULT_MAX_CLOCK_SKEW_S), help: 'seconds X-Date may differ from the mock clock', parse: intIn(0, 7 * 86400) },
  authDebug: { flag: 'auth-debug', env: 'VOLC_MOCK_AUTH_DEBUG', default: 'false', help: 'true: SignatureDoesNotMatch messages show the canonical request and string to sign', parse: bool },
  journalSize: { flag: 'journal-size', env: 'VOLC_MOCK_JOURNAL_SIZE', default: String(DEFAULT_JOURNAL_SIZE), help: 'requests kept in the journal (GET /_mock/requests); 0 = none', parse: intIn(0, 1_000_000) },
  adminToken: { flag: 'admin-token', env: 'VOLC_MOCK_ADMIN_TOKEN', default: '', help: 'require Authorization: Bearer <token> on /_mock/ routes but health' },
  requestTimeout: { flag: 'request-timeout', env: 'VOLC_MOCK_REQUEST_TIMEOUT', default: String(DEFAULT_TIMEOUTS.requestTimeout), help: 'ms a request may take to arrive in full, else 408 and the connection closes; 0 = no limit', parse: intIn(0, 3_600_000) },
  keepAliveTimeout: { flag: 'keep-alive-timeout', env: 'VOLC_MOCK_KEEP_ALIVE_TIMEOUT', default: String(DEFAULT_TIMEOUTS.keepAliveTimeout), help: 'ms an idle keep-alive connection stays open', parse: intIn(1, 3_600_000) },
  connectionTimeout: { flag: 'connection-timeout', env: 'VOLC_MOCK_CONNECTION_TIMEOUT', default: String(DEFAULT_TIMEOUTS.connectionTimeout), help: 'ms a socket may stay inactive before it is closed; 0 = no limit', parse: intIn(0, 3_600_000) },
  callbackUrl: { flag: 'callback-url', env: 'VOLC_MOCK_CALLBACK_URL', default: '', help: "the application server's URL: every AppId's events are POSTed there, signed (default: no callbacks)" },
  callbackSecret: { flag: 'callback-secret', env: 'VOLC_MOCK_CALLBACK_SECRET', default: '', help: 'secret key the callbacks are signed with' },
  callbackEvents: { flag: 'callback-events', env: 'VOLC_MOCK_CALLBACK_EVENTS', default: '', help: `event types to send, comma-separated: ${EVENT_TYPES.join(',')} (default: all)`, parse: eventList },
  bodyLimit: { flag: 'body-limit', env: 'VOLC_MOCK_BODY_LIMIT', default: String(DEFAULT_BODY_LIMIT), help: 'largest request body in bytes; larger ones answer 413', parse: intIn(1, 1024 * 1024 * 1024) },
};

/** Parses argv (without node and script) and env. Throws ConfigError with one line naming the value and the reason. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: Object.fromEntries(Object.values(OPTIONS).map((o) => [o.flag, { type: 'string' as const }])),
    }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new ConfigError((e as Error).message.split('\n')[0]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(OPTIONS)) {
    // an empty flag or variable counts as not given (PORT= must not leave the port unset)
    const fromFlag = values[o.flag] || undefined;
    const fromEnv = env[o.env] || undefined;
    const raw = fromFlag ?? fromEnv ?? o.default;
    const name = fromFlag !== undefined ? `--${o.flag}` : fromEnv !== undefined ? o.env : `--${o.flag}`;
    if (raw === '') continue;
    out[key] = o.parse ? o.parse(raw, name) : raw;
  }
  const config = out as unknown as Config;
  // relative default paths resolve against the package; paths a user gives resolve against the working directory
  config.fixtures = (values.fixtures || env.VOLC_MOCK_FIXTURES) ? resolve(config.fixtures) : DEFAULT_FIXTURES;
  if (config.data) config.data = resolve(config.data);
  if (config.auth === 'enforce' && !config.credentials) {
    throw new ConfigError('--auth=enforce: no access key would be accepted; give --credentials AK:SK (or VOLC_MOCK_CREDENTIALS)');
  }
  if ((config.callbackSecret !== undefined || config.callbackEvents !== undefined) && !config.callbackUrl) {
    throw new ConfigError('--callback-secret / --callback-events: give --callback-url (or VOLC_MOCK_CALLBACK_URL) too');
  }
  return config;
}
