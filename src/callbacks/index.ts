// Callbacks to the application's server (mock-contract §11; docs/6348/293098, 293099, 293101): the configuration per
// AppId, the signed envelope, after-send events through the delivery queue, the before-send decision, and the
// delivery journal. With no configuration (the default) the store has no after-send hook: nothing runs per message.
import type { Clock } from '../protocol/clock.js';
import { Random } from '../protocol/random.js';
import { VERSION } from '../protocol/envelope.js';
import { stringifyJson } from '../protocol/json.js';
import type { Store } from '../store/store.js';
import type { Conversation, Message } from '../store/model.js';
import type { App } from '../store/extras.js';
import { messageItem } from '../actions/messaging.js';
import { callbackSignature, type UnsignedBody } from './signature.js';
import { CallbackRegistry, CallbackConfigError, MAX_APP_CONFIGS, callbackConfig, type CallbackConfig, type CallbackSetting, type EventType } from './config.js';
import { DeliveryJournal, type Delivery } from './deliveries.js';
import { DeliveryQueue } from './queue.js';
import { Poster, type Outcome } from './http.js';
import { realScheduler, type Scheduler } from './scheduler.js';

export interface CallbackOptions {
  /** the default for every AppId: where events go (none: callbacks off unless set at run time) */
  url?: string;
  secretKey?: string;
  /** event types to send; default all */
  events?: readonly string[];
  /** ms an answer may take; default 1000 (the vendor's) */
  timeoutMs?: number;
  /** each AppId's own configuration */
  apps?: Readonly<Record<number, CallbackSetting>>;
  /** delays before the retries of a failed delivery; default [1000, 2000] (two retries) */
  retryDelaysMs?: readonly number[];
  /** events that may wait for delivery; one more is dropped (journaled); default 10000 */
  queueSize?: number;
  /** timers for timeouts and retries; default real time (tests pass a ManualScheduler) */
  scheduler?: Scheduler;
}

export interface BeforeSendDecision { allowed: boolean; reason?: string; content?: string; ext?: Record<string, string> }

/** Seeds the callbacks' own generator apart from the ids' one, so turning callbacks on leaves generated ids as they were. */
const SEED_SALT = 0x63616c6c6261636bn; // "callback"
const NONCE_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class Callbacks {
  readonly registry: CallbackRegistry;
  readonly journal: DeliveryJournal;
  readonly queue: DeliveryQueue;
  private readonly poster: Poster;
  private readonly random: Random;

  constructor(private readonly store: Store, private readonly clock: Clock, opts: { options?: CallbackOptions; seed: bigint; journalSize: number }) {
    const o = opts.options ?? {};
    const scheduler = o.scheduler ?? realScheduler;
    this.random = new Random(opts.seed ^ SEED_SALT);
    this.journal = new DeliveryJournal(opts.journalSize);
    this.poster = new Poster(scheduler);
    this.queue = new DeliveryQueue({ poster: this.poster, scheduler, journal: this.journal, clock, judge, retryDelaysMs: o.retryDelaysMs, maxPending: o.queueSize });
    const fallback = o.url ? callbackConfig({ url: o.url, secretKey: o.secretKey, events: o.events, timeoutMs: o.timeoutMs }) : undefined;
    const apps = new Map(Object.entries(o.apps ?? {}).map(([id, s]) => [Number(id), callbackConfig(s)] as const));
    this.registry = new CallbackRegistry({ fallback, apps }, () => this.hook());
    this.hook();
  }

  /** Sets appId's own configuration (the fixture loader's entry point: Apps[].Callback); throws CallbackConfigError. */
  setApp(appId: number, setting: CallbackSetting): void {
    this.registry.set(appId, callbackConfig(setting));
  }

  /** The fixtures' and state documents' Apps[].Callback (mock-contract §7, §11): each app's own configuration.
   * Throws CallbackConfigError naming the app and field; checkApps does the same without setting anything. */
  applyApps(apps: Iterable<App>): void {
    for (const a of apps) if (a.callback) this.registry.set(a.appId, appCallback(a));
  }

  static checkApps(apps: Iterable<App>): void {
    let n = 0;
    for (const a of apps) {
      if (!a.callback) continue;
      appCallback(a);
      if (++n > MAX_APP_CONFIGS) throw new CallbackConfigError(`Apps: at most ${MAX_APP_CONFIGS} apps may have a Callback`);
    }
  }

  /** The store calls this for every message appended, once it is in the state (SendMessage, BatchSendMessage, any
   * sender that appends): the after-send event is queued; its body is built and sent on a later turn. */
  private readonly afterSend = (c: Conversation, m: Message): void => {
    const config = this.registry.for(c.appId, 'SendMessage');
    if (!config) return;
    const item = messageItem(this.store, c, m);
    const appId = c.appId;
    const unsigned = this.envelope('SendMessage', appId);
    this.queue.enqueue({
      appId, lane: `${appId}:${c.shortId}`, conversationShortId: c.shortId, type: 'SendMessage', eventId: unsigned.EventId, config,
      body: () => { unsigned.EventData = stringifyJson(item); return signed(unsigned, config); },
    });
  };

  /** Asks appId's server whether a client's message may be sent (BeforeSendMessage); allowed when none listens. */
  async beforeSend(appId: number, eventData: Record<string, unknown>, conversationShortId?: bigint): Promise<BeforeSendDecision> {
    const config = this.registry.for(appId, 'BeforeSendMessage');
    if (!config) return { allowed: true };
    const unsigned = this.envelope('BeforeSendMessage', appId);
    unsigned.EventData = stringifyJson(eventData);
    const body = signed(unsigned, config);
    const time = this.clock.now();
    const outcome = await this.poster.post(config.url, body, config.timeoutMs);
    const decision = decide(outcome);
    this.journal.add({
      id: 0, time, eventType: 'BeforeSendMessage', eventId: unsigned.EventId, appId, conversationShortId, url: config.url, attempt: 1,
      status: judge(outcome).ok ? 'ok' : 'error', httpStatus: outcome.httpStatus, error: outcome.error ?? decision.reason,
      answer: outcome.answer, durationMs: outcome.durationMs, willRetry: false, decision: decision.allowed ? 'allow' : 'refuse', body,
    });
    return decision;
  }

  /** Delivery attempts, oldest first (the newest `limit` that match). */
  deliveries(filter: { appId?: number; eventType?: string; status?: string; limit?: number } = {}): Delivery[] {
    const { appId, eventType, status, limit } = filter;
    return this.journal.select((d) => (appId === undefined || d.appId === appId) && (eventType === undefined || d.eventType === eventType)
      && (status === undefined || d.status === status), limit);
  }

  /** Resolves once no after-send event waits for delivery. */
  flush(): Promise<void> { return this.queue.idle(); }

  /** Back to the start: configuration, queue, journal and generator (all), or one AppId's configuration, queue and journal. */
  reset(appId?: number): void {
    this.registry.reset(appId);
    this.queue.clear(appId);
    this.journal.remove(appId === undefined ? undefined : (d) => d.appId === appId);
    if (appId === undefined) this.random.reset();
  }

  close(): void {
    this.queue.clear();
    this.store.onMessageAppended = undefined;
    this.poster.close();
  }

  /** The store's after-send hook is set only while some configuration listens to SendMessage. */
  private hook(): void {
    // (the registry calls this once while it is being built, before this.registry is set)
    this.store.onMessageAppended = this.registry?.listens('SendMessage') ? this.afterSend : undefined;
  }

  /** The unsigned fields, EventData still empty: time by the mock clock, id and nonce from the callbacks' generator. */
  private envelope(type: EventType, appId: number): UnsignedBody {
    return {
      EventType: type, EventData: '', EventTime: eventTime(this.clock.now()), EventId: this.random.hex(32).toLowerCase(),
      AppId: String(appId), Version: VERSION, Nonce: this.nonce(),
    };
  }

  private nonce(): string {
    let bits = this.random.next32();
    let out = '';
    for (let i = 0; i < 4; i++, bits = Math.floor(bits / 62)) out += NONCE_CHARS[bits % 62];
    return out;
  }
}

/** RFC 3339 UTC with nanoseconds, e.g. 2026-01-01T00:00:00.000000000Z (docs/6348/293099). */
export function eventTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, text: new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z') };
  return lastTime.text;
}
let lastTime = { ms: NaN, text: '' };

/** The body as sent: signed, the vendor's field order (docs/6348/293099); the same text JSON.stringify gives. */
function signed(u: UnsignedBody, config: CallbackConfig): string {
  const q = JSON.stringify;
  return `{"EventType":${q(u.EventType)},"EventData":${q(u.EventData)},"EventTime":${q(u.EventTime)},"EventId":${q(u.EventId)},`
    + `"AppId":${q(u.AppId)},"Version":${q(u.Version)},"Signature":${q(callbackSignature(u, config.secretKey))},"Nonce":${q(u.Nonce)}}`;
}

const OK_ANSWER = '{"CheckCode":"0"}';
const OK = Object.freeze({ ok: true });

/** An answer's JSON object, or undefined when it is not one. */
function answerObject(o: Outcome): Record<string, unknown> | undefined {
  if (!o.answer) return undefined;
  try {
    const v = JSON.parse(o.answer);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Success is HTTP 200 within the timeout with CheckCode 0 in the answer (docs/6348/293098). */
export function judge(o: Outcome): { ok: boolean; error?: string } {
  if (o.error) return { ok: false, error: o.error };
  if (o.httpStatus !== 200) return { ok: false, error: `HTTP ${o.httpStatus}` };
  if (o.answer === OK_ANSWER) return OK; // the usual answer, without parsing it
  const code = answerObject(o)?.CheckCode;
  if (code === '0' || code === 0) return { ok: true };
  return { ok: false, error: code === undefined ? 'the answer has no CheckCode (success is HTTP 200 with {"CheckCode":"0"})' : `CheckCode ${JSON.stringify(code)}` };
}

/** BeforeSendMessage: allowed on success; the answer's Content and Ext, when given, replace the message's. */
function decide(o: Outcome): BeforeSendDecision {
  const verdict = judge(o);
  if (!verdict.ok) return { allowed: false, reason: verdict.error };
  const answer = answerObject(o)!;
  const { Content: content, Ext: ext } = answer;
  if (content !== undefined && typeof content !== 'string') return { allowed: false, reason: 'the answer\'s Content is not a string' };
  if (ext !== undefined && !isStringMap(ext)) return { allowed: false, reason: 'the answer\'s Ext is not an object of strings' };
  return { allowed: true, content: content as string | undefined, ext: ext as Record<string, string> | undefined };
}

function isStringMap(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

export { verifyCallback, callbackSignature } from './signature.js';
export { ManualScheduler, realScheduler, type Scheduler } from './scheduler.js';
export { EVENT_TYPES, CallbackConfigError, type CallbackSetting } from './config.js';
export { deliveryToJson, type Delivery } from './deliveries.js';

/** An app's Callback as a checked configuration; errors name Apps[AppId=N].Callback. */
function appCallback(a: App): CallbackConfig {
  const c = a.callback!;
  try {
    return callbackConfig({ url: c.Url, secretKey: c.SecretKey, events: c.Events });
  } catch (e) {
    if (e instanceof CallbackConfigError) throw new CallbackConfigError(`Apps[AppId=${a.appId}].Callback.${e.message}`);
    throw e;
  }
}
