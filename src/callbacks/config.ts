// Where each AppId's callbacks go (mock-contract §11): a default for every AppId (--callback-url, startMock's
// `callbacks`) and one configuration per AppId (PUT /_mock/callbacks, and later fixtures' Apps[].Callback), the
// AppId's own winning. A reset returns to what the app was started with.

/** The event types the vendor names (volcengine-im-api §8.2); none is invented. */
export const EVENT_TYPES = ['SendMessage', 'BeforeSendMessage'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The vendor's limit: an answer within 1 s (docs/6348/293098). */
export const DEFAULT_TIMEOUT_MS = 1000;
export const MAX_URL_LENGTH = 2048;
export const MAX_SECRET_LENGTH = 1024;
/** AppIds with a configuration of their own, at most (each PUT may add one). */
export const MAX_APP_CONFIGS = 10_000;

export interface CallbackConfig {
  /** where events are POSTed; anything but http(s) fails each delivery (recorded in the delivery journal) */
  url: string;
  secretKey: string;
  events: ReadonlySet<EventType>;
  /** ms an answer may take; default 1000 */
  timeoutMs: number;
}

/** What a caller gives: events default to all, the secret to empty, the timeout to the vendor's. */
export interface CallbackSetting { url: string; secretKey?: string; events?: readonly string[]; timeoutMs?: number }

export class CallbackConfigError extends Error {}

/** Checks a setting and fills its defaults; throws CallbackConfigError naming the field. */
export function callbackConfig(s: CallbackSetting): CallbackConfig {
  if (typeof s.url !== 'string' || s.url === '' || s.url.length > MAX_URL_LENGTH) throw new CallbackConfigError(`Url: must be a string of 1 to ${MAX_URL_LENGTH} characters`);
  const secretKey = s.secretKey ?? '';
  if (typeof secretKey !== 'string' || secretKey.length > MAX_SECRET_LENGTH) throw new CallbackConfigError(`SecretKey: must be a string of at most ${MAX_SECRET_LENGTH} characters`);
  const events = s.events ?? EVENT_TYPES;
  if (!Array.isArray(events) || events.length > EVENT_TYPES.length * 4) throw new CallbackConfigError(`Events: must be a list of event types (${EVENT_TYPES.join(', ')})`);
  for (const e of events) {
    if (!(EVENT_TYPES as readonly unknown[]).includes(e)) throw new CallbackConfigError(`Events: ${String(e)} is not an event type the vendor documents (${EVENT_TYPES.join(', ')})`);
  }
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) throw new CallbackConfigError('TimeoutMs: must be an integer from 1 to 60000');
  return { url: s.url, secretKey, events: new Set(events as EventType[]), timeoutMs };
}

/** A configuration as the control plane shows it. */
export function configToJson(appId: number | null, c: CallbackConfig) {
  return { AppId: appId, Url: c.url, SecretKey: c.secretKey, Events: EVENT_TYPES.filter((e) => c.events.has(e)), TimeoutMs: c.timeoutMs };
}

export class CallbackRegistry {
  private fallback: CallbackConfig | undefined;
  private readonly apps = new Map<number, CallbackConfig>();

  /** onChange runs after every change (the store's after-send hook is installed only while something may fire). */
  constructor(private readonly initial: { fallback?: CallbackConfig; apps?: ReadonlyMap<number, CallbackConfig> }, private readonly onChange: () => void) {
    this.reset();
  }

  /** The configuration that applies to appId for this event type, if any. */
  for(appId: number, event: EventType): CallbackConfig | undefined {
    const c = this.apps.get(appId) ?? this.fallback;
    return c && c.events.has(event) ? c : undefined;
  }

  /** true while some configuration listens to this event type (for any AppId). */
  listens(event: EventType): boolean {
    if (this.fallback?.events.has(event)) return true;
    for (const c of this.apps.values()) if (c.events.has(event)) return true;
    return false;
  }

  /** Sets appId's own configuration, or the default for every AppId (appId undefined). */
  set(appId: number | undefined, config: CallbackConfig): void {
    if (appId === undefined) this.fallback = config;
    else if (!this.apps.has(appId) && this.apps.size >= MAX_APP_CONFIGS) throw new CallbackConfigError(`AppId: at most ${MAX_APP_CONFIGS} AppIds may have a configuration of their own`);
    else this.apps.set(appId, config);
    this.onChange();
  }

  /** Removes appId's own configuration (the default applies again), or every configuration (appId undefined). */
  remove(appId?: number): number {
    let n: number;
    if (appId === undefined) {
      n = this.apps.size + (this.fallback ? 1 : 0);
      this.apps.clear();
      this.fallback = undefined;
    } else {
      n = this.apps.delete(appId) ? 1 : 0;
    }
    this.onChange();
    return n;
  }

  /** Back to the configuration the app was started with: all of it, or appId's only. */
  reset(appId?: number): void {
    if (appId === undefined) {
      this.fallback = this.initial.fallback;
      this.apps.clear();
      for (const [id, c] of this.initial.apps ?? []) this.apps.set(id, c);
    } else {
      const c = this.initial.apps?.get(appId);
      if (c) this.apps.set(appId, c);
      else this.apps.delete(appId);
    }
    this.onChange();
  }

  /** The default (AppId null) first, then each AppId's own, ascending; or those that apply to one AppId. */
  list(appId?: number) {
    if (appId !== undefined) {
      const own = this.apps.get(appId);
      if (own) return [configToJson(appId, own)];
      return this.fallback ? [configToJson(null, this.fallback)] : [];
    }
    const out = this.fallback ? [configToJson(null, this.fallback)] : [];
    for (const id of [...this.apps.keys()].sort((a, b) => a - b)) out.push(configToJson(id, this.apps.get(id)!));
    return out;
  }
}
