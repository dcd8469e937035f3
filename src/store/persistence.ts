// The data file (--data FILE), the only code that knows lowdb. Writes are coalesced off the request path and kept
// small: a change marks its conversation (or the message it added or changed) dirty, a timer flushes at most every
// `intervalMs`, and a flush appends only the dirty records to the change log FILE.log (changelog.ts), serialised in
// slices of a few milliseconds so requests keep being answered. FILE itself, the whole world in the fixture format, is
// rewritten (compacted) only when the log has grown past it, when the world is replaced, and on a graceful close; it
// goes through a lowdb adapter that streams it to a temporary file and renames it: never left partial. A snapshot and
// its log share a LogId, so a log left behind by a compaction that was cut short is never replayed onto the wrong file.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import { stringifyJson } from '../protocol/json.js';
import { conversationToFixture } from './fixtures.js';
import { logFileOf, logHeader, headRecord, messageRecord, removedRecord, extraRecord } from './changelog.js';
import type { Conversation, Message } from './model.js';
import { EXTRA_KINDS, type ExtraKind } from './extras.js';

/** The records of the kinds beside conversations (users, relations, apps, presence), as the state document lists them. */
export type ExtrasSource = () => Record<ExtraKind, Record<string, unknown>[]>;

/** What the store tells about changes; the in-memory default ignores them. */
export interface ChangeSink {
  /** c changed; m, when given, is the message added or changed (and c's head is unchanged but for its sender's
   * read position) */
  changed(c: Conversation, m?: Message): void;
  removed(c: Conversation): void;
  /** the whole world was replaced; persisted = it was just read from this very file */
  replacedAll(all: Iterable<Conversation>, persisted?: boolean): void;
  /** one AppId's conversations were replaced (reset or import of one AppId): old removed, added new */
  replacedApp(old: Conversation[], added: Conversation[]): void;
  /** one record of another kind of state is now doc (removed: is gone) */
  extra(kind: ExtraKind, doc: Record<string, unknown>, removed?: boolean): void;
  /** where a full rewrite reads the other kinds of state from */
  attachExtras?(source: ExtrasSource): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** why the last write failed, while no write has succeeded since; undefined when the file is being kept */
  failure(): string | undefined;
}

export const memorySink: ChangeSink = {
  changed() {}, removed() {}, replacedAll() {}, replacedApp() {}, extra() {}, async flush() {}, async close() {}, failure: () => undefined,
};

const describe = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return String(e?.message ?? err);
};

/** Work done between two yields to the event loop while serialising. */
const SLICE_MS = 2;
/** Bytes handed to one write while compacting. */
const WRITE_BATCH = 1 << 20;
/** The log is compacted into FILE once it is larger than FILE and than this. */
const MIN_COMPACT_BYTES = 8 << 20;

/** Records of the other kinds kept for one append; past this FILE is rewritten instead. */
const MAX_PENDING_EXTRAS = 100_000;

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The state of FILE and FILE.log as the data file was loaded (load.ts). */
export interface DataFileState {
  /** the LogId FILE was written with; undefined = none (not written by this version, or no FILE yet) */
  logId?: string;
  /** FILE.log follows FILE: appends continue it from validBytes (a torn last record is overwritten) */
  logCurrent: boolean;
  validBytes: number;
  snapshotBytes: number;
}

/** The world the sink persists: the conversations in file order, and a generation bumped when it is replaced, so a
 * snapshot being written when it changes is dropped (no file mixes two worlds). */
class World {
  readonly conversations = new Set<Conversation>();
  generation = 0;
  logId = '';
  extras: ExtrasSource | undefined;
}

/** lowdb adapter: streams the world to FILE.tmp in slices, then renames it over FILE (atomic on one filesystem). */
class SnapshotFile implements Adapter<World> {
  /** bytes of the last snapshot written */
  bytes = 0;

  constructor(private readonly file: string, private readonly world: World) {}

  async read(): Promise<World> { return this.world; }

  /** One attempt: when the world is replaced while it is written, the temporary file is dropped and FILE is left
   * as it was (the sink then writes the new world). */
  async write(world: World): Promise<void> {
    const generation = world.generation;
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w');
    let bytes = 0;
    try {
      bytes = await this.stream(fh, world, generation);
    } finally {
      await fh.close();
    }
    if (generation !== world.generation) {
      await unlink(tmp).catch(() => undefined);
      return;
    }
    await rename(tmp, this.file);
    this.bytes = bytes;
  }

  /** Writes the world in slices; each slice's text becomes a Buffer at once (outside the JS heap), so the young
   * generation never holds more than a slice of it and GC pauses stay short while requests are answered. */
  private async stream(fh: FileHandle, world: World, generation: number): Promise<number> {
    const out = new SlicedText();
    out.add(`{"LogId":${JSON.stringify(world.logId)},"Conversations":[\n`);
    let bytes = 0;
    let first = true;
    const write = async () => {
      bytes += await writeAll(fh, out.take(), bytes);
    };
    // the conversations as they are now; one removed meanwhile is left out (its removal is in the next log), one
    // added meanwhile is not written here (it is in the next log): a conversation id never appears twice
    for (const c of [...world.conversations]) {
      if (!world.conversations.has(c)) continue;
      out.add((first ? '' : ',\n') + stringifyJson(conversationToFixture(c)));
      first = false;
      if (await out.slice()) {
        if (generation !== world.generation) return 0;
        if (out.pending >= WRITE_BATCH) await write();
      }
    }
    out.add('\n]');
    // the other kinds after the conversations, one list each (load.ts reads them from the text after the array)
    const extras = world.extras?.();
    for (const kind of EXTRA_KINDS) {
      const rows = extras?.[kind] ?? [];
      out.add(`,\n${JSON.stringify(kind)}:[`);
      rows.forEach((r, i) => out.add((i ? ',\n' : '\n') + stringifyJson(r)));
      out.add(']');
      if (await out.slice()) {
        if (generation !== world.generation) return 0;
        if (out.pending >= WRITE_BATCH) await write();
      }
    }
    out.add('}\n');
    await write();
    return bytes;
  }
}

/** Writes every byte of parts at position (a short write, as on a full disk, is continued, and fails with the
 * error the next write raises); returns the bytes written. */
async function writeAll(fh: FileHandle, parts: Buffer[], position: number): Promise<number> {
  let at = position;
  for (const part of parts) {
    for (let off = 0; off < part.length;) {
      const { bytesWritten } = await fh.write(part, off, part.length - off, at);
      if (bytesWritten === 0) throw new Error('no progress writing the data file');
      off += bytesWritten;
      at += bytesWritten;
    }
  }
  return at - position;
}

/** Text built in slices of about SLICE_MS: at the end of each slice it is turned into a Buffer and the event loop
 * gets a turn. */
class SlicedText {
  private text = '';
  private parts: Buffer[] = [];
  pending = 0;
  private sliceStart = performance.now();

  add(s: string): void { this.text += s; }

  /** Ends the slice when its time is up: resolves true after yielding, false when the slice goes on. */
  async slice(): Promise<boolean> {
    if (performance.now() - this.sliceStart <= SLICE_MS) return false;
    this.cut();
    await yieldToRequests();
    this.sliceStart = performance.now();
    return true;
  }

  /** Everything so far, as Buffers. */
  take(): Buffer[] {
    this.cut();
    const parts = this.parts;
    this.parts = [];
    this.pending = 0;
    return parts;
  }

  private cut(): void {
    if (this.text === '') return;
    const buf = Buffer.from(this.text);
    this.text = '';
    this.parts.push(buf);
    this.pending += buf.length;
  }
}

export class DataFileSink implements ChangeSink {
  private readonly world = new World();
  private readonly snapshot: SnapshotFile;
  private readonly db: Low<World>;
  private readonly logFile: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** conversations whose head (fields, members) changed */
  private heads = new Set<Conversation>();
  /** messages added or changed, by conversation */
  private messages = new Map<Conversation, Set<Message>>();
  private removals: string[] = [];
  /** records of the other kinds changed since the last append, in the order of the changes (replayed in that order,
   * a friend or blacklist row keeps its place in its owner's list) */
  private extras: string[] = [];
  /** FILE must be rewritten: the world was replaced, or FILE has no LogId yet */
  private compactNeeded: boolean;
  /** FILE.log: open for appends when it follows FILE, at logBytes */
  private log: FileHandle | undefined;
  private logBytes: number;
  private logCurrent: boolean;
  /** the last write's error while writes fail (cleared by the next write that succeeds) */
  private failed: { message: string; since: number } | undefined;
  /** changes acknowledged since the last write that succeeded: what a failing disk would lose */
  private unsaved = 0;
  /** the world was replaced (import, reset) and has not been written since */
  private replacedUnsaved = false;

  constructor(
    readonly file: string, private readonly onError: (err: unknown) => void, private readonly intervalMs = 500, loaded?: DataFileState,
    private readonly minCompactBytes = MIN_COMPACT_BYTES,
  ) {
    this.logFile = logFileOf(file);
    this.snapshot = new SnapshotFile(file, this.world);
    this.db = new Low(this.snapshot, this.world);
    this.world.logId = loaded?.logId ?? '';
    this.snapshot.bytes = loaded?.snapshotBytes ?? 0;
    this.compactNeeded = loaded?.logId === undefined;
    this.logCurrent = loaded?.logCurrent ?? false;
    this.logBytes = loaded?.logCurrent ? loaded.validBytes : 0;
  }

  failure(): string | undefined {
    return this.failed && `the data file ${this.file} cannot be written since ${new Date(this.failed.since).toISOString()}: ${this.failed.message}`;
  }

  changed(c: Conversation, m?: Message): void {
    this.unsaved++;
    this.world.conversations.add(c);
    if (m) {
      let set = this.messages.get(c);
      if (!set) this.messages.set(c, (set = new Set()));
      set.add(m);
    } else {
      this.heads.add(c);
    }
    this.schedule();
  }

  attachExtras(source: ExtrasSource): void { this.world.extras = source; }

  extra(kind: ExtraKind, doc: Record<string, unknown>, removed = false): void {
    this.unsaved++;
    if (this.compactNeeded) { this.schedule(); return; } // the next write is the whole world
    this.extras.push(extraRecord(kind, doc, removed));
    if (this.extras.length > MAX_PENDING_EXTRAS) {
      this.extras = [];
      this.compactNeeded = true; // more changes than a log append is worth: rewrite FILE instead
    }
    this.schedule();
  }

  removed(c: Conversation): void {
    this.unsaved++;
    this.world.conversations.delete(c);
    this.heads.delete(c);
    this.messages.delete(c);
    this.removals.push(removedRecord(c));
    this.schedule();
  }

  replacedAll(all: Iterable<Conversation>, persisted = false): void {
    this.world.generation++;
    this.world.conversations.clear();
    for (const c of all) this.world.conversations.add(c);
    this.heads.clear();
    this.messages.clear();
    this.removals = [];
    this.extras = [];
    if (!persisted) {
      this.replacedUnsaved = true;
      this.compactNeeded = true;
      this.schedule();
    }
  }

  /** Logged like the changes it is (removals, then new conversations with every message): FILE is not rewritten
   * for a reset of one AppId, the common case of one AppId per test. */
  replacedApp(old: Conversation[], added: Conversation[]): void {
    for (const c of old) this.removed(c);
    for (const c of added) {
      this.changed(c);
      for (const m of c.messages) this.changed(c, m);
    }
  }

  /** changes not yet in the log */
  private get dirty(): boolean {
    return this.heads.size > 0 || this.messages.size > 0 || this.removals.length > 0 || this.extras.length > 0;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const failing = this.failed !== undefined;
      this.flush().catch((err) => { if (!failing) this.onError(err); }); // said once, not at every retry
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes pending changes now; resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    return this.queue(async () => {
      let unsaved = this.unsaved;
      try {
        if (!this.compactNeeded && this.dirty) unsaved = await this.appendSaving(unsaved);
        if (this.compactNeeded || this.logBytes > Math.max(this.snapshot.bytes, this.minCompactBytes)) await this.compact();
      } catch (err) {
        this.failed = { message: describe(err), since: this.failed?.since ?? Date.now() };
        this.schedule(); // try again after the interval (so a disk that recovers is noticed); the changes are kept until then
        throw err;
      }
      this.succeeded(unsaved);
    });
  }

  /** append(); once the log holds them, those changes are no longer at risk. Returns what is still unsaved of them. */
  private async appendSaving(unsaved: number): Promise<number> {
    await this.append();
    if (this.compactNeeded) return unsaved; // replaced meanwhile: the compaction writes them
    this.unsaved -= unsaved;
    return 0;
  }

  private succeeded(unsaved: number): void {
    this.failed = undefined;
    this.unsaved -= unsaved; // changes made while this write ran are written by the next one
  }

  /** Graceful exit: pending changes written, then FILE rewritten so that it alone holds the world. */
  close(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    return this.queue(async () => {
      let unsaved = this.unsaved;
      try {
        // the log first: should the rewrite of FILE fail, the last changes are still on disk
        if (!this.compactNeeded && this.dirty) unsaved = await this.appendSaving(unsaved);
        if (this.compactNeeded || this.logCurrent) await this.compact();
      } catch (err) {
        throw new Error(this.lost(err));
      }
      this.succeeded(unsaved);
    });
  }

  /** What a failed close leaves out of the file, said plainly. */
  private lost(err: unknown): string {
    const since = this.failed ? ` (writes failing since ${new Date(this.failed.since).toISOString()})` : '';
    const changes = `${this.unsaved} acknowledged change${this.unsaved === 1 ? '' : 's'}`;
    const what = !this.replacedUnsaved
      ? (this.unsaved === 0 ? 'no acknowledged change is lost' : `the last ${changes} ${this.unsaved === 1 ? 'is' : 'are'} lost (the file holds the world as of its last successful write)`)
      : this.snapshot.bytes === 0 && !this.logCurrent
        ? `the file was never written: the world as loaded or imported, and ${changes} since, are lost`
        : `the last import or reset of the world, and ${changes} since the last successful write, are lost`;
    return `data file ${this.file} could not be written on exit${since}: ${describe(err)}; ${what}`;
  }

  private queue(work: () => Promise<void>): Promise<void> {
    const run = this.writing.catch(() => undefined).then(work);
    this.writing = run;
    return run;
  }

  /** Appends the dirty records to FILE.log, serialised in slices. */
  private async append(): Promise<void> {
    const heads = this.heads;
    const messages = this.messages;
    const removals = this.removals;
    const extras = this.extras;
    this.heads = new Set();
    this.messages = new Map();
    this.removals = [];
    this.extras = [];
    const generation = this.world.generation;
    const out = new SlicedText();
    out.add(removals.join(''));
    out.add(extras.join(''));
    for (const c of heads) {
      out.add(headRecord(c));
      if ((await out.slice()) && generation !== this.world.generation) return; // replaced meanwhile: a compaction writes it all
    }
    for (const [c, set] of messages) {
      for (const m of set) out.add(messageRecord(c, m));
      if ((await out.slice()) && generation !== this.world.generation) return;
    }
    try {
      const log = await this.openLog();
      const parts = out.take();
      this.logBytes += await writeAll(log, parts, this.logBytes);
    } catch (err) {
      // What reached the log is unknown: the next flush rewrites FILE from the present world (under a new LogId, so
      // the log and anything half-written to it no longer apply) rather than retrying this batch.
      this.compactNeeded = true;
      await this.closeLog();
      throw err;
    }
  }

  /** FILE.log, open at its end; started anew (header first) when it does not follow FILE. */
  private async openLog(): Promise<FileHandle> {
    if (this.log) return this.log;
    if (!this.logCurrent) {
      const tmp = `${this.logFile}.tmp`;
      const fh = await open(tmp, 'w');
      const header = Buffer.from(logHeader(this.world.logId));
      try {
        await fh.write(header);
      } finally {
        await fh.close();
      }
      await rename(tmp, this.logFile);
      this.logCurrent = true;
      this.logBytes = header.length;
    }
    const fh = await open(this.logFile, 'r+');
    try {
      await fh.truncate(this.logBytes); // a torn last record from a kill is cut off
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.log = fh;
    return fh;
  }

  private async closeLog(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.close().catch(() => undefined);
  }

  /** Rewrites FILE with the whole world under a new LogId (again if the world is replaced meanwhile); the old log
   * no longer applies and is removed. */
  private async compact(): Promise<void> {
    let replaced: boolean;
    do {
      this.compactNeeded = false;
      // changes from here on are written to the new log, even those the snapshot happens to include
      this.heads = new Set();
      this.messages = new Map();
      this.removals = [];
      this.extras = [];
      const previous = this.world.logId;
      const generation = this.world.generation;
      this.world.logId = randomBytes(8).toString('hex');
      try {
        await this.db.write();
      } catch (err) {
        this.world.logId = previous;
        this.compactNeeded = true; // the next flush tries again; until then FILE and its log stay as they were
        throw err;
      }
      replaced = generation !== this.world.generation;
    } while (replaced || this.compactNeeded);
    this.replacedUnsaved = false;
    await this.closeLog();
    this.logCurrent = false;
    this.logBytes = 0;
    await unlink(this.logFile).catch(() => undefined);
  }
}
