// The delivery journal: every attempt to call the application's server, and every event dropped before one, newest N
// kept (N is the request journal's size). Read by GET /_mock/callbacks/deliveries and the page.
import { parseJson } from '../protocol/json.js';

/** Bodies up to this size are kept (larger: Body null); answers are kept up to ANSWER_KEPT characters. */
const BODY_KEPT = 64 * 1024;
const ANSWER_KEPT = 4096;

export type DeliveryStatus = 'ok' | 'error' | 'dropped';

export interface Delivery {
  /** sequence number, from 1, in the order attempts ended */
  id: number;
  /** mock-clock ms when the attempt started (or the event was dropped) */
  time: number;
  eventType: string;
  eventId: string;
  appId: number;
  conversationShortId?: bigint;
  url: string;
  /** 1 for the first attempt; 0 for a dropped event */
  attempt: number;
  status: DeliveryStatus;
  httpStatus?: number;
  /** why the attempt failed or the event was dropped */
  error?: string;
  answer?: string;
  /** real ms the attempt took */
  durationMs: number;
  /** whether another attempt follows */
  willRetry: boolean;
  /** BeforeSendMessage only: what the answer decided */
  decision?: 'allow' | 'refuse';
  /** the body as sent (JSON text) */
  body?: string;
}

export class DeliveryJournal {
  private records: (Delivery | undefined)[];
  private head = 0;
  private count = 0;
  private seq = 0;

  constructor(readonly capacity: number) { this.records = []; }

  get size(): number { return this.count; }

  /** Keeps the record (numbered here: its id is set), its body and answer cut to what is kept. */
  add(record: Delivery): void {
    record.id = ++this.seq;
    if (record.body !== undefined && record.body.length > BODY_KEPT) record.body = undefined;
    if (record.answer !== undefined && record.answer.length > ANSWER_KEPT) record.answer = record.answer.slice(0, ANSWER_KEPT);
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      this.records[(this.head + this.count) % this.capacity] = record;
      this.count++;
    } else {
      this.records[this.head] = record;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The newest `limit` records that match, oldest first. */
  select(match: (d: Delivery) => boolean, limit = Infinity): Delivery[] {
    const out: Delivery[] = [];
    for (let k = this.count - 1; k >= 0 && out.length < limit; k--) {
      const d = this.records[(this.head + k) % this.capacity]!;
      if (match(d)) out.push(d);
    }
    return out.reverse();
  }

  /** Removes the records that match (all when no predicate). */
  remove(match?: (d: Delivery) => boolean): number {
    const keep = match ? this.select((d) => !match(d)) : [];
    const removed = this.count - keep.length;
    this.records = [];
    this.head = 0;
    this.count = 0;
    for (const d of keep) {
      this.records[this.count++] = d;
    }
    return removed;
  }
}

/** A record as the control plane shows it: PascalCase, absent values as null, the body parsed (int64 exact). */
export function deliveryToJson(d: Delivery) {
  let body: unknown = null;
  if (d.body !== undefined) {
    try { body = parseJson(d.body); } catch { body = null; }
  }
  return {
    Id: d.id, Time: d.time, EventType: d.eventType, EventId: d.eventId, AppId: d.appId,
    ConversationShortId: d.conversationShortId ?? null, Url: d.url, Attempt: d.attempt, Status: d.status,
    HttpStatus: d.httpStatus ?? null, Error: d.error ?? null, Answer: d.answer ?? null, DurationMs: d.durationMs,
    WillRetry: d.willRetry, Decision: d.decision ?? null, Body: body,
  };
}
