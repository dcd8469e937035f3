// The data file (--data FILE), the only code that knows lowdb. Writes are coalesced off the request path and kept
// small: a change marks its conversation dirty (and names the message it added or changed), a timer writes at most
// every `intervalMs`, and a write re-serialises only the dirty conversations, from a cache of each message's JSON,
// in slices of a few milliseconds so requests keep being answered. The file is written through a lowdb adapter
// that streams the cached chunks to a temporary file and renames it: never left partial.
import { open, rename, unlink } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import { stringifyJson } from '../protocol/json.js';
import { conversationHeadToFixture, messageToFixture } from './fixtures.js';
import type { Conversation, Message } from './model.js';

/** What the store tells about changes; the in-memory default ignores them. */
export interface ChangeSink {
  /** c changed; m, when given, is the message added or changed */
  changed(c: Conversation, m?: Message): void;
  removed(c: Conversation): void;
  /** the whole world was replaced; persisted = it was just read from this very file */
  replacedAll(all: Iterable<Conversation>, persisted?: boolean): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const memorySink: ChangeSink = {
  changed() {}, removed() {}, replacedAll() {}, async flush() {}, async close() {},
};

/** Work done between two yields to the event loop while building a snapshot. */
const SLICE_MS = 2;

/** The world as JSON chunks, one per conversation, rebuilt only when their conversation changed. */
class Snapshot {
  readonly chunks = new Map<Conversation, Buffer | undefined>();
  /** bumped when the whole world is replaced: a build that sees it change starts again, so no file mixes two worlds */
  generation = 0;
  private readonly messageJson = new WeakMap<Message, string>();

  forgetMessage(m: Message): void { this.messageJson.delete(m); }

  /** Every chunk of the file, building the dirty ones in slices. */
  async parts(): Promise<Buffer[]> {
    for (;;) {
      const generation = this.generation;
      const parts = await this.tryParts();
      if (generation === this.generation) return parts;
    }
  }

  private async tryParts(): Promise<Buffer[]> {
    const generation = this.generation;
    const parts: Buffer[] = [Buffer.from('{"Conversations":[\n')];
    let sliceStart = performance.now();
    let first = true;
    for (const [c, cached] of this.chunks) {
      let chunk = cached;
      if (!chunk) {
        chunk = this.build(c);
        this.chunks.set(c, chunk);
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          if (generation !== this.generation) return parts; // replaced meanwhile: parts() starts again
          sliceStart = performance.now();
        }
      }
      if (!first) parts.push(SEPARATOR);
      parts.push(chunk);
      first = false;
    }
    parts.push(Buffer.from('\n]}\n'));
    return parts;
  }

  private build(c: Conversation): Buffer {
    const head = stringifyJson(conversationHeadToFixture(c));
    const messages = c.messages.map((m) => {
      let json = this.messageJson.get(m);
      if (json === undefined) this.messageJson.set(m, (json = stringifyJson(messageToFixture(m))));
      return json;
    });
    return Buffer.from(`${head.slice(0, -1)},"Messages":[${messages.join(',')}]}`);
  }
}

const SEPARATOR = Buffer.from(',\n');

/** lowdb adapter: writes the snapshot's chunks to FILE.tmp, then renames it over FILE (atomic on one filesystem). */
class ChunkedJsonFile implements Adapter<Snapshot> {
  constructor(private readonly file: string, private readonly snapshot: Snapshot) {}

  async read(): Promise<Snapshot> { return this.snapshot; }

  async write(snapshot: Snapshot): Promise<void> {
    const parts = await snapshot.parts();
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      for (let i = 0; i < parts.length; i += 512) await fh.writev(parts.slice(i, i + 512));
    } catch (err) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    await rename(tmp, this.file);
  }
}

export class DataFileSink implements ChangeSink {
  private readonly db: Low<Snapshot>;
  private readonly snapshot = new Snapshot();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(readonly file: string, private readonly onError: (err: unknown) => void, private readonly intervalMs = 500) {
    this.db = new Low(new ChunkedJsonFile(file, this.snapshot), this.snapshot);
  }

  changed(c: Conversation, m?: Message): void {
    if (m) this.snapshot.forgetMessage(m);
    this.snapshot.chunks.set(c, undefined);
    this.schedule();
  }

  removed(c: Conversation): void { this.snapshot.chunks.delete(c); this.schedule(); }

  replacedAll(all: Iterable<Conversation>, persisted = false): void {
    this.snapshot.generation++;
    this.snapshot.chunks.clear();
    for (const c of all) this.snapshot.chunks.set(c, undefined);
    if (!persisted) this.schedule();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.flush().catch(this.onError); }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes pending changes now; resolves when they are on disk. */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const run = this.writing.catch(() => undefined).then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await this.db.write();
      } catch (err) {
        this.dirty = true; // keep the changes for the next try
        throw err;
      }
    });
    this.writing = run;
    return run;
  }

  async close(): Promise<void> { await this.flush(); }
}
