// startMock's options checked with the CLI's rules and messages (src/config.ts OPTIONS): a JavaScript caller passing
// rateLimit: 'abc', -1 or 1.5 is refused as `--rate-limit abc` is, instead of starting an emulator that misbehaves.
import { ConfigError, OPTIONS, type Config } from './config.js';

/** Options that have no CLI rule here: credentials are an array in code, the logger replaces logLevel. */
const NOT_CHECKED = new Set<keyof Config>(['credentials', 'logLevel']);

/** Returns the options with every CLI-backed value checked and normalised (a numeric string becomes a number, as on
 * the command line); throws ConfigError naming the option, the value and the rule. */
export function checkStartOptions<T extends object>(options: T): T {
  const out = { ...options } as Record<string, unknown>;
  for (const [key, o] of Object.entries(OPTIONS) as [keyof Config, (typeof OPTIONS)[keyof Config]][]) {
    const v = out[key];
    if (v === undefined || NOT_CHECKED.has(key)) continue;
    if (!o.parse) {
      if (typeof v !== 'string') throw new ConfigError(`${key}=${String(v)}: must be a string`);
      continue;
    }
    if (typeof v === 'boolean' && key === 'authDebug') continue;
    // objects and arrays are what the command line cannot express (an option another feature parses into a
    // structure): left to buildApp
    if (typeof v === 'object' || typeof v === 'function') continue;
    out[key] = o.parse(String(v), key);
  }
  return out as T;
}
