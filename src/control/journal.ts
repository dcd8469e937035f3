// The request journal: the newest N vendor calls in a ring buffer (O(1) append, O(N) memory), and its routes.
// Fed by the dispatcher's onComplete hook; control routes never reach it.
import type { FastifyInstance } from 'fastify';
import { journalBody, type CallRecord } from '../protocol/dispatch.js';
import type { MockRuntime } from '../app.js';
import { queryOf, intQuery, sendJson, APPID_MAX } from './http.js';

export const DEFAULT_JOURNAL_SIZE = 1000;

export class Journal {
  private readonly slots: (CallRecord | undefined)[];
  /** index of the oldest record */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number = DEFAULT_JOURNAL_SIZE) {
    this.slots = new Array(capacity);
  }

  get size(): number { return this.count; }

  add(record: CallRecord): void {
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = record;
      this.count++;
    } else {
      this.slots[this.head] = record; // overwrite the oldest
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  *records(): Iterable<CallRecord> {
    for (let i = 0; i < this.count; i++) yield this.slots[(this.head + i) % this.capacity]!;
  }

  /** The newest `limit` records that match, oldest first. */
  select(match: (r: CallRecord) => boolean, limit = Infinity): CallRecord[] {
    const out: CallRecord[] = [];
    for (let i = this.count - 1; i >= 0 && out.length < limit; i--) {
      const r = this.slots[(this.head + i) % this.capacity]!;
      if (match(r)) out.push(r);
    }
    return out.reverse();
  }

  /** Removes the records that match (all when no predicate); returns how many. */
  remove(match?: (r: CallRecord) => boolean): number {
    const keep = match ? [...this.records()].filter((r) => !match(r)) : [];
    const removed = this.count - keep.length;
    this.slots.fill(undefined);
    keep.forEach((r, i) => { this.slots[i] = r; });
    this.head = 0;
    this.count = keep.length;
    return removed;
  }
}

/** A record as the control plane shows it: PascalCase, absent values as null. */
export function recordToJson(r: CallRecord) {
  return {
    RequestId: r.requestId, Time: r.time, Action: r.action, Version: r.version, AppId: r.appId ?? null,
    AccessKeyId: r.accessKeyId, HttpStatus: r.httpStatus, ErrorCode: r.errorCode ?? null, DurationMs: r.durationMs,
    Body: journalBody(r.rawBody),
  };
}

export function registerJournalRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.get('/requests', async (req, reply) => {
    const q = queryOf(req, ['Action', 'AppId', 'ErrorCode', 'Limit']);
    const appId = intQuery(q, 'AppId', 1, APPID_MAX);
    const limit = intQuery(q, 'Limit', 0, Number.MAX_SAFE_INTEGER);
    const { Action: action, ErrorCode: errorCode } = q;
    const records = runtime.journal.select((r) =>
      (action === undefined || r.action === action) && (appId === undefined || r.appId === appId)
      && (errorCode === undefined || r.errorCode === errorCode), limit);
    return sendJson(reply, 200, { Requests: records.map(recordToJson) });
  });

  app.delete('/requests', async (req, reply) => {
    queryOf(req, []);
    return sendJson(reply, 200, { Removed: runtime.journal.remove() });
  });
}
