// The request journal: the newest N vendor calls in a ring buffer (O(1) append, O(N) memory), and its routes.
// Fed by the dispatcher's onComplete hook; control routes never reach it.
import type { FastifyInstance } from 'fastify';
import type { CallRecord } from '../protocol/dispatch.js';
import { isJsonText, stringifyJson, MAX_DEPTH } from '../protocol/json.js';
import type { MockRuntime } from '../app.js';
import { queryOf, intQuery, sendJson, badRequest, APPID_MAX } from './http.js';

export const DEFAULT_JOURNAL_SIZE = 1000;
/** GET /_mock/requests answers the newest this many matching records unless ?Limit= says otherwise... */
export const JOURNAL_PAGE_DEFAULT = 100;
/** ...and at most this many, whose bodies add up to at most JOURNAL_PAGE_BYTES (a page is cut short before the record
 * that would pass it; its newest record is always there), whatever the journal's size or what was sent. Older records
 * are read page by page with ?Before=<the page's first RequestId>, until a page comes back empty. */
export const JOURNAL_PAGE_MAX = 1000;
export const JOURNAL_PAGE_BYTES = 8 * 1024 * 1024;

/** A journaled body is copied into a buffer its slot owns and reuses while it fits and is not more than 4x too large;
 * new ones are a power of two of at least this many bytes. */
const BODY_SLOT_MIN = 128;
/** A RequestId up to this many characters is kept as bytes in the slot (ours are 34); longer ones as strings. */
const ID_BYTES = 40;
/** Action, Version and AccessKeyId strings of up to 64 characters are shared through a table of at most this many
 * (emptied by a reset); any others are kept as they come. */
const INTERN_MAX = 1024;
/** Columns start this large and double as the journal fills, up to its capacity. */
const FIRST_COLUMNS = 256;

/** One record a slot: typed arrays, shared strings, and bytes in buffers the slots own. */
class Columns {
  readonly ids: Buffer;
  readonly idLengths: Int8Array; // -1: the id is in longIds
  readonly longIds: (string | undefined)[];
  readonly times: Float64Array;
  readonly durations: Float64Array;
  readonly appIds: Float64Array; // NaN: none
  readonly statuses: Uint16Array;
  readonly actions: string[];
  readonly versions: string[];
  readonly accessKeyIds: string[];
  readonly errorCodes: (string | undefined)[];
  readonly bodies: (Buffer | undefined)[];
  readonly bodyLengths: Int32Array; // -1: none

  constructor(readonly length: number, from?: Columns) {
    this.ids = Buffer.alloc(length * ID_BYTES);
    this.idLengths = new Int8Array(length);
    this.longIds = new Array(length).fill(undefined);
    this.times = new Float64Array(length);
    this.durations = new Float64Array(length);
    this.appIds = new Float64Array(length);
    this.statuses = new Uint16Array(length);
    this.actions = new Array(length).fill('');
    this.versions = new Array(length).fill('');
    this.accessKeyIds = new Array(length).fill('');
    this.errorCodes = new Array(length).fill(undefined);
    this.bodies = new Array(length).fill(undefined);
    this.bodyLengths = new Int32Array(length);
    if (!from) return;
    // slots 0..from.length-1 are the same slots in the larger columns (a journal grows only before it wraps)
    this.ids.set(from.ids);
    for (const k of ['idLengths', 'times', 'durations', 'appIds', 'statuses', 'bodyLengths'] as const) (this[k] as Float64Array).set(from[k] as Float64Array);
    for (const k of ['longIds', 'actions', 'versions', 'accessKeyIds', 'errorCodes', 'bodies'] as const) {
      for (let i = 0; i < from.length; i++) (this[k] as unknown[])[i] = from[k][i];
    }
  }
}

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
  private cols: Columns;
  private readonly interned = new Map<string, string>();

  constructor(readonly capacity: number = DEFAULT_JOURNAL_SIZE) {
    this.cols = new Columns(Math.min(capacity, FIRST_COLUMNS));
  }

  get size(): number { return this.count; }

  /** Bytes the slots' body buffers hold (bounded: at most 4x the bodies kept, or BODY_SLOT_MIN each). */
  get bodyBytes(): number {
    let n = 0;
    for (const b of this.cols.bodies) n += b?.length ?? 0;
    return n;
  }

  add(record: CallRecord): void {
    if (this.capacity === 0) return;
    let i: number;
    if (this.count < this.capacity) {
      i = (this.head + this.count) % this.capacity;
      this.count++;
      if (i >= this.cols.length) this.cols = new Columns(Math.min(this.capacity, this.cols.length * 2), this.cols);
    } else {
      i = this.head; // overwrite the oldest
      this.head = (this.head + 1) % this.capacity;
    }
    this.write(i, record);
  }

  private write(i: number, r: CallRecord): void {
    const c = this.cols;
    const id = r.requestId;
    if (writeLatin1(c.ids, i * ID_BYTES, id)) {
      c.idLengths[i] = id.length;
      c.longIds[i] = undefined;
    } else {
      c.idLengths[i] = -1;
      c.longIds[i] = id;
    }
    c.times[i] = r.time;
    c.durations[i] = r.durationMs;
    c.appIds[i] = r.appId ?? NaN;
    c.statuses[i] = r.httpStatus;
    c.actions[i] = this.intern(clip(r.action));
    c.versions[i] = this.intern(clip(r.version));
    c.accessKeyIds[i] = this.intern(clip(r.accessKeyId));
    c.errorCodes[i] = r.errorCode;
    const body = r.rawBody;
    if (!body) {
      c.bodyLengths[i] = -1;
      c.bodies[i] = undefined;
      return;
    }
    let slot = c.bodies[i];
    // reused while it fits and is at most 4x too large: a spike of large bodies is given back as small ones follow
    if (!slot || slot.length < body.length || slot.length > 4 * Math.max(BODY_SLOT_MIN, body.length)) {
      slot = Buffer.allocUnsafeSlow(Math.max(BODY_SLOT_MIN, 2 ** Math.ceil(Math.log2(body.length || 1))));
      c.bodies[i] = slot;
    }
    slot.set(body);
    c.bodyLengths[i] = body.length;
  }

  private intern(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    if (this.interned.size < INTERN_MAX && s.length <= 64) this.interned.set(s, s);
    return s;
  }

  /** The record in slot i; its body is copied out only when asked for (a filter looks at the other fields). */
  private read(i: number, withBody = true): CallRecord {
    const c = this.cols;
    const len = c.idLengths[i];
    const appId = c.appIds[i];
    return {
      requestId: len >= 0 ? c.ids.toString('latin1', i * ID_BYTES, i * ID_BYTES + len) : c.longIds[i]!,
      time: c.times[i], action: c.actions[i], version: c.versions[i],
      appId: Number.isNaN(appId) ? undefined : appId, accessKeyId: c.accessKeyIds[i],
      httpStatus: c.statuses[i], errorCode: c.errorCodes[i], durationMs: c.durations[i],
      rawBody: withBody ? this.body(i) : undefined,
    };
  }

  private body(i: number, copy = true): Buffer | undefined {
    const n = this.cols.bodyLengths[i];
    if (n < 0) return undefined;
    const view = this.cols.bodies[i]!.subarray(0, n);
    return copy ? Buffer.from(view) : view;
  }

  /** Oldest first. */
  *records(): Iterable<CallRecord> {
    for (let i = 0; i < this.count; i++) yield this.read((this.head + i) % this.capacity);
  }

  /** The newest `limit` records that match (`match` sees every field but the body, newest first), oldest first.
   * copyBodies false: each body is a view of its slot's buffer, valid only until the next add (for a reader that is
   * done with them before it returns). maxBodyBytes: stops before the record whose body would take the bodies past
   * it (the newest match is always given). */
  select(match: (r: CallRecord) => boolean, limit = Infinity, copyBodies = true, maxBodyBytes = Infinity): CallRecord[] {
    const out: CallRecord[] = [];
    let bytes = 0;
    for (let k = this.count - 1; k >= 0 && out.length < limit; k--) {
      const i = (this.head + k) % this.capacity;
      const r = this.read(i, false);
      if (!match(r)) continue;
      bytes += Math.max(0, this.cols.bodyLengths[i]);
      if (bytes > maxBodyBytes && out.length > 0) break;
      r.rawBody = this.body(i, copyBodies);
      out.push(r);
    }
    return out.reverse();
  }

  /** Removes the records that match (all when no predicate; `match` sees every field but the body); returns how
   * many. What it frees is given back: the columns start small again. */
  remove(match?: (r: CallRecord) => boolean): number {
    const keep = match ? this.select((r) => !match(r)) : [];
    const removed = this.count - keep.length;
    this.head = 0;
    this.count = 0;
    this.cols = new Columns(Math.min(this.capacity, FIRST_COLUMNS));
    this.interned.clear();
    for (const r of keep) this.add(r);
    return removed;
  }
}

/** Action, Version and AccessKeyId come from the request (query, Authorization): kept up to this many characters. */
export const JOURNAL_TEXT_MAX = 256;
const clip = (s: string) => (s.length <= JOURNAL_TEXT_MAX ? s : `${s.slice(0, JOURNAL_TEXT_MAX)}…`);

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

/** A body is shown as the JSON it came as when it is JSON nested at most this deep (the page adds 3 levels: the
 * answer, Requests, the record), so the answer stays within what any reader of ours accepts. */
const BODY_DEPTH_MAX = MAX_DEPTH - 3;
const NULL = Buffer.from('null');
const COMMA = Buffer.from(',');

/** A record as the control plane shows it, as the parts of its JSON: PascalCase, absent values as null. Body is the
 * JSON the client sent, its bytes written out as they came (never parsed: checked by isJsonText, which builds
 * nothing); a body that is not JSON (or is empty) is Body null with its text, decoded as UTF-8, in RawBody. Bodies
 * over JOURNAL_BODY_MAX bytes are not kept: both null. */
export function recordParts(r: CallRecord, out: Buffer[]): void {
  const fields = stringifyJson({
    RequestId: r.requestId, Time: r.time, Action: r.action, Version: r.version, AppId: r.appId ?? null,
    AccessKeyId: r.accessKeyId, HttpStatus: r.httpStatus, ErrorCode: r.errorCode ?? null, DurationMs: r.durationMs,
  });
  const body = r.rawBody;
  const json = body !== undefined && isJsonText(body, BODY_DEPTH_MAX);
  out.push(Buffer.from(`${fields.slice(0, -1)},"Body":`), json ? body : NULL,
    Buffer.from(`,"RawBody":${json || body === undefined ? 'null' : stringifyJson(body.toString('utf8'))}}`));
}

export function registerJournalRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.get('/requests', async (req, reply) => {
    const q = queryOf(req, ['Action', 'AppId', 'ErrorCode', 'Limit', 'Before']);
    const appId = intQuery(q, 'AppId', 1, APPID_MAX);
    const limit = intQuery(q, 'Limit', 0, JOURNAL_PAGE_MAX) ?? JOURNAL_PAGE_DEFAULT;
    const { Action: action, ErrorCode: errorCode, Before: before } = q;
    // select walks from the newest record: with ?Before=, records count from the one after it (older)
    let reached = before === undefined;
    const records = runtime.journal.select((r) => {
      if (!reached) { reached = r.requestId === before; return false; }
      return (action === undefined || r.action === action) && (appId === undefined || r.appId === appId)
        && (errorCode === undefined || r.errorCode === errorCode);
    }, limit, false, JOURNAL_PAGE_BYTES);
    if (!reached && limit > 0) throw badRequest(`?Before=${before}: no such RequestId in the journal (it keeps the newest ${runtime.journal.capacity})`);
    // one buffer, written from the slots' own bytes (no copy of a body is made before it; nothing runs in between)
    const parts: Buffer[] = [Buffer.from('{"Requests":[')];
    records.forEach((r, k) => {
      if (k > 0) parts.push(COMMA);
      recordParts(r, parts);
    });
    parts.push(Buffer.from(']}'));
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(Buffer.concat(parts));
  });

  app.delete('/requests', async (req, reply) => {
    queryOf(req, []);
    return sendJson(reply, 200, { Removed: runtime.journal.remove() });
  });
}
