// After-send deliveries: one lane per conversation (its events go out one at a time, in order, each retried before
// the next), lanes served concurrently up to a bound, every attempt journaled. Bounded: at most maxPending events
// wait; one more is dropped and journaled as such. Nothing here runs on the API call's path but enqueue(), which
// only appends to an array and schedules a pump for a later turn of the event loop.
import type { Clock } from '../protocol/clock.js';
import type { Scheduler } from './scheduler.js';
import type { Poster, Outcome } from './http.js';
import type { DeliveryJournal, DeliveryStatus } from './deliveries.js';
import type { CallbackConfig, EventType } from './config.js';

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 2000];
export const DEFAULT_MAX_PENDING = 10_000;
export const MAX_IN_FLIGHT = 64;

export interface QueuedEvent {
  appId: number;
  /** events with the same lane go out one at a time, in order (AppId and conversation) */
  lane: string;
  conversationShortId?: bigint;
  type: EventType;
  eventId: string;
  config: CallbackConfig;
  /** the signed body, built on the first attempt (off the API call's path) */
  body: () => string;
  /** filled by the queue: the body once built, attempts made, whether a reset dropped it */
  built?: string;
  attempts?: number;
  cancelled?: boolean;
}

/** What an answer means: success, or why not. */
export type Judge = (o: Outcome) => { ok: boolean; error?: string };

interface Lane { key: string; events: QueuedEvent[]; head: number; state: 'idle' | 'ready' | 'active' | 'waiting' }

export interface QueueOptions {
  poster: Poster; scheduler: Scheduler; journal: DeliveryJournal; clock: Clock; judge: Judge;
  retryDelaysMs?: readonly number[]; maxPending?: number;
}

export class DeliveryQueue {
  private lanes = new Map<string, Lane>();
  private ready: Lane[] = [];
  private readyHead = 0;
  private inFlight = 0;
  private waiting = 0;
  private pumpScheduled = false;
  private waiters: (() => void)[] = [];
  private readonly retryDelays: readonly number[];
  private readonly maxPending: number;

  constructor(private readonly o: QueueOptions) {
    this.retryDelays = o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxPending = o.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Events accepted and not yet delivered or given up. */
  pending = 0;

  enqueue(e: QueuedEvent): void {
    if (this.pending >= this.maxPending) {
      this.record(e, 0, this.o.clock.now(), 'dropped', undefined, `queue full: ${this.maxPending} events already wait for delivery`, false);
      return;
    }
    this.pending++;
    let lane = this.lanes.get(e.lane);
    if (!lane) this.lanes.set(e.lane, (lane = { key: e.lane, events: [], head: 0, state: 'idle' }));
    lane.events.push(e);
    if (lane.state === 'idle') this.makeReady(lane);
  }

  /** Resolves once nothing is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops every waiting event (of one AppId, or all); attempts under way end unrecorded. */
  clear(appId?: number): void {
    for (const lane of [...this.lanes.values()]) {
      const events = lane.events.slice(lane.head);
      if (appId !== undefined && events[0]?.appId !== appId) continue;
      for (const e of events) e.cancelled = true;
      this.pending -= events.length;
      this.lanes.delete(lane.key);
      lane.events = [];
      lane.head = 0;
    }
    this.ready = this.ready.slice(this.readyHead).filter((l) => this.lanes.get(l.key) === l);
    this.readyHead = 0;
    this.settle();
  }

  private makeReady(lane: Lane): void {
    lane.state = 'ready';
    this.ready.push(lane);
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => { this.pumpScheduled = false; this.pump(); });
    }
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.readyHead < this.ready.length) {
      const lane = this.ready[this.readyHead++];
      if (this.lanes.get(lane.key) !== lane || lane.state !== 'ready') continue;
      this.attempt(lane, lane.events[lane.head]);
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private attempt(lane: Lane, e: QueuedEvent): void {
    lane.state = 'active';
    this.inFlight++;
    const attempt = (e.attempts = (e.attempts ?? 0) + 1);
    const body = (e.built ??= e.body());
    const time = this.o.clock.now();
    let ended = false;
    this.o.poster.post(e.config.url, body, e.config.timeoutMs).then((outcome) => {
      ended = true;
      this.inFlight--;
      if (e.cancelled) { this.pump(); return; }
      const verdict = this.o.judge(outcome);
      const willRetry = !verdict.ok && attempt <= this.retryDelays.length;
      this.record(e, attempt, time, verdict.ok ? 'ok' : 'error', outcome, outcome.error ?? verdict.error, willRetry, body);
      if (willRetry) {
        lane.state = 'waiting';
        this.waiting++;
        this.o.scheduler.after(this.retryDelays[attempt - 1], () => {
          this.waiting--;
          if (this.lanes.get(lane.key) === lane && lane.state === 'waiting') this.makeReady(lane);
        }, 'retry');
      } else {
        this.done(lane);
      }
      this.pump();
    }).catch((err) => { // never expected (post() resolves with every failure): journaled, the lane goes on
      if (!ended) this.inFlight--;
      if (!e.cancelled) this.record(e, attempt, time, 'error', undefined, `internal: ${(err as Error).message}`, false, body);
      if (lane.state === 'active' && this.lanes.get(lane.key) === lane) this.done(lane);
    });
  }

  /** The lane's head is delivered or given up: the next event of that conversation may go. */
  private done(lane: Lane): void {
    lane.events[lane.head++] = undefined as unknown as QueuedEvent;
    this.pending--;
    if (lane.head === lane.events.length) {
      this.lanes.delete(lane.key);
      lane.state = 'idle';
    } else {
      if (lane.head > 64 && lane.head * 2 > lane.events.length) { lane.events = lane.events.slice(lane.head); lane.head = 0; }
      this.makeReady(lane);
    }
    this.settle();
  }

  private settle(): void {
    if (this.pending !== 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private record(e: QueuedEvent, attempt: number, time: number, status: DeliveryStatus, o: Outcome | undefined, error: string | undefined, willRetry: boolean, body?: string): void {
    this.o.journal.add({
      id: 0, time, eventType: e.type, eventId: e.eventId, appId: e.appId, conversationShortId: e.conversationShortId,
      url: e.config.url, attempt, status, httpStatus: o?.httpStatus, error, answer: o?.answer,
      durationMs: o?.durationMs ?? 0, willRetry, body: body ?? e.built,
    });
  }
}
