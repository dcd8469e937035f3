// Flags and environment variables (mock-contract §6), the flag winning. Parsed once, validated, passed in.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The package root: src/ and dist/ both sit one level below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_FIXTURES = resolve(PACKAGE_ROOT, 'fixtures/default.json');

export interface Config {
  port: number;
  host: string;
  fixtures: string;
  data?: string;
  /** every action's QPS; 0 = off; undefined = documented QPS per action */
  rateLimit?: number;
  logLevel: string;
  seed?: bigint;
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

/** Every option: flag, env name, default and help text (the CLI's --help is generated from it). */
export const OPTIONS: Record<keyof Config, Option> = {
  port: { flag: 'port', env: 'PORT', default: '8080', help: 'port to listen on (0 = any free port)', parse: intIn(0, 65535) },
  host: { flag: 'host', env: 'HOST', default: '127.0.0.1', help: 'address to bind (the container image sets 0.0.0.0)' },
  fixtures: { flag: 'fixtures', env: 'VOLC_MOCK_FIXTURES', default: 'fixtures/default.json', help: 'fixture file seeding the world' },
  data: { flag: 'data', env: 'VOLC_MOCK_DATA', default: '', help: 'data file: state persisted across restarts (default: in memory)' },
  rateLimit: { flag: 'rate-limit', env: 'VOLC_MOCK_RATE_LIMIT', default: '', help: "every action's QPS; 0 turns limiting off (default: documented QPS per action)", parse: intIn(0, 1_000_000) },
  logLevel: {
    flag: 'log-level', env: 'LOG_LEVEL', default: 'info', help: LOG_LEVELS.join('|'),
    parse: (v, name) => { if (!LOG_LEVELS.includes(v)) throw new ConfigError(`${name}=${v}: must be one of ${LOG_LEVELS.join(', ')}`); return v; },
  },
  seed: {
    flag: 'seed', env: 'VOLC_MOCK_SEED', default: '', help: 'makes generated ids and RequestIds reproducible',
    parse: (v, name) => { if (!/^\d{1,19}$/.test(v.trim())) throw new ConfigError(`${name}=${v}: must be a non-negative integer`); return BigInt(v); },
  },
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
  return config;
}
