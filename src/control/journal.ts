// The request journal: the newest N vendor calls in a ring buffer (O(1) append, O(N) memory), and its routes.
// Fed by the dispatcher's onComplete hook; control routes never reach it.
import type { FastifyInstance } from 'fastify';
import { journalBody, type CallRecord } from '../protocol/dispatch.js';
import type { MockRuntime } from '../app.js';
import { queryOf, intQuery, sendJson, APPID_MAX } from './http.js';

export const DEFAULT_JOURNAL_SIZE = 1000;

/** A journaled body is copied into its slot's own buffer, at least this large (grown to fit, up to JOURNAL_BODY_MAX). */
const BODY_SLOT_MIN = 512;
/** A RequestId up to this many characters is kept as bytes in the slot (ours are 34); longer ones as strings. */
const ID_BYTES = 48;
/** Action, Version and AccessKeyId strings are shared through a table of at most this many (then kept as they come). */
const INTERN_MAX = 1024;

/**
 * Records are kept in columns (typed arrays, shared strings, bytes copied into buffers each slot owns and reuses) so
 * that keeping a call allocates nothing the garbage collector must copy: a journal of records and Buffers held
 * every call's objects past the young generation, which tripled the cost of each scavenge and grew the old one under
 * load (volc-im-mock #6). Records are made again only when the journal is read.
 */
export class Journal {
  /** index of the oldest record */
  private head = 0;
  private count = 0;
  private readonly ids: Buffer;
  private readonly idLengths: Int8Array; // -1: the id is in longIds
  private readonly longIds: (string | undefined)[];
  private readonly times: Float64Array;
  private readonly durations: Float64Array;
  private readonly appIds: Float64Array; // NaN: none
  private readonly statuses: Uint16Array;
  private readonly actions: string[];
  private readonly versions: string[];
  private readonly accessKeyIds: string[];
  private readonly errorCodes: (string | undefined)[];
  private readonly bodies: (Buffer | undefined)[];
  private readonly bodyLengths: Int32Array; // -1: none
  private readonly interned = new Map<string, string>();

  constructor(readonly capacity: number = DEFAULT_JOURNAL_SIZE) {
    const n = capacity;
    this.ids = Buffer.alloc(n * ID_BYTES);
    this.idLengths = new Int8Array(n);
    this.longIds = new Array(n);
    this.times = new Float64Array(n);
    this.durations = new Float64Array(n);
    this.appIds = new Float64Array(n);
    this.statuses = new Uint16Array(n);
    this.actions = new Array(n).fill('');
    this.versions = new Array(n).fill('');
    this.accessKeyIds = new Array(n).fill('');
    this.errorCodes = new Array(n);
    this.bodies = new Array(n);
    this.bodyLengths = new Int32Array(n);
  }

  get size(): number { return this.count; }

  add(record: CallRecord): void {
    if (this.capacity === 0) return;
    let i: number;
    if (this.count < this.capacity) {
      i = (this.head + this.count) % this.capacity;
      this.count++;
    } else {
      i = this.head; // overwrite the oldest
      this.head = (this.head + 1) % this.capacity;
    }
    this.write(i, record);
  }

  private write(i: number, r: CallRecord): void {
    const id = r.requestId;
    if (writeLatin1(this.ids, i * ID_BYTES, id)) {
      this.idLengths[i] = id.length;
      this.longIds[i] = undefined;
    } else {
      this.idLengths[i] = -1;
      this.longIds[i] = id;
    }
    this.times[i] = r.time;
    this.durations[i] = r.durationMs;
    this.appIds[i] = r.appId ?? NaN;
    this.statuses[i] = r.httpStatus;
    this.actions[i] = this.intern(r.action);
    this.versions[i] = this.intern(r.version);
    this.accessKeyIds[i] = this.intern(r.accessKeyId);
    this.errorCodes[i] = r.errorCode;
    const body = r.rawBody;
    if (!body) {
      this.bodyLengths[i] = -1;
      return;
    }
    let slot = this.bodies[i];
    // grown to fit; a slot a large body grew is given back once it holds a small one again
    if (!slot || slot.length < body.length || (slot.length > 8 * BODY_SLOT_MIN && body.length <= BODY_SLOT_MIN)) {
      slot = Buffer.allocUnsafeSlow(Math.max(BODY_SLOT_MIN, body.length));
      this.bodies[i] = slot;
    }
    slot.set(body);
    this.bodyLengths[i] = body.length;
  }

  private intern(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    if (this.interned.size < INTERN_MAX) this.interned.set(s, s);
    return s;
  }

  private read(i: number): CallRecord {
    const len = this.idLengths[i];
    const bodyLength = this.bodyLengths[i];
    const appId = this.appIds[i];
    return {
      requestId: len >= 0 ? this.ids.toString('latin1', i * ID_BYTES, i * ID_BYTES + len) : this.longIds[i]!,
      time: this.times[i], action: this.actions[i], version: this.versions[i],
      appId: Number.isNaN(appId) ? undefined : appId, accessKeyId: this.accessKeyIds[i],
      httpStatus: this.statuses[i], errorCode: this.errorCodes[i], durationMs: this.durations[i],
      rawBody: bodyLength >= 0 ? Buffer.from(this.bodies[i]!.subarray(0, bodyLength)) : undefined,
    };
  }

  /** Oldest first. */
  *records(): Iterable<CallRecord> {
    for (let i = 0; i < this.count; i++) yield this.read((this.head + i) % this.capacity);
  }

  /** The newest `limit` records that match, oldest first. */
  select(match: (r: CallRecord) => boolean, limit = Infinity): CallRecord[] {
    const out: CallRecord[] = [];
    for (let i = this.count - 1; i >= 0 && out.length < limit; i--) {
      const r = this.read((this.head + i) % this.capacity);
      if (match(r)) out.push(r);
    }
    return out.reverse();
  }

  /** Removes the records that match (all when no predicate); returns how many. */
  remove(match?: (r: CallRecord) => boolean): number {
    const keep = match ? [...this.records()].filter((r) => !match(r)) : [];
    const removed = this.count - keep.length;
    this.head = 0;
    this.count = 0;
    this.longIds.fill(undefined);
    this.errorCodes.fill(undefined);
    for (const r of keep) this.add(r);
    return removed;
  }
}

/** Writes s as latin1 bytes at offset; false (what was written is garbage) when it is longer than ID_BYTES or has a
 * character latin1 cannot hold. A loop here costs less than a call into Buffer.write for 34 characters. */
function writeLatin1(to: Buffer, offset: number, s: string): boolean {
  if (s.length > ID_BYTES) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0xff) return false;
    to[offset + k] = c;
  }
  return true;
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
