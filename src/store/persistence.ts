// The data file (--data FILE), the only code that knows lowdb. Writes are coalesced off the request path:
// a change marks its conversation dirty, a timer writes at most every `intervalMs`, and each write re-serialises
// only the dirty conversations (the rest come from a cache of their JSON). lowdb's DataFile writes through steno
// (temp file + rename), so the file is never left partial.
import { existsSync } from 'node:fs';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { parseJson, stringifyJson } from '../protocol/json.js';
import { conversationToFixture } from './fixtures.js';
import type { Conversation } from './model.js';

/** What the store tells about changes; the in-memory default ignores them. */
export interface ChangeSink {
  changed(c: Conversation): void;
  removed(c: Conversation): void;
  replacedAll(all: Iterable<Conversation>): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const memorySink: ChangeSink = {
  changed() {}, removed() {}, replacedAll() {}, async flush() {}, async close() {},
};

class Snapshot {
  readonly chunks = new Map<Conversation, string | undefined>();
  text(): string {
    const parts: string[] = [];
    for (const [c, chunk] of this.chunks) {
      const json = chunk ?? stringifyJson(conversationToFixture(c));
      this.chunks.set(c, json);
      parts.push(json);
    }
    return `{"Conversations":[\n${parts.join(',\n')}\n]}\n`;
  }
}

export class DataFileSink implements ChangeSink {
  private readonly db: Low<Snapshot>;
  private readonly snapshot = new Snapshot();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(readonly file: string, private readonly onError: (err: unknown) => void, private readonly intervalMs = 200) {
    this.db = new Low(new DataFile<Snapshot>(file, { parse: () => this.snapshot, stringify: (s) => s.text() }), this.snapshot);
  }

  /** Reads the data file; undefined when it does not exist yet. Throws on unreadable or invalid JSON. */
  static async read(file: string): Promise<unknown | undefined> {
    if (!existsSync(file)) return undefined;
    let text: string | undefined;
    const raw = new DataFile<unknown>(file, { parse: (s) => { text = s; return {}; }, stringify: () => '' });
    await raw.read();
    return parseJson(text ?? '', { strictNumbers: true });
  }

  changed(c: Conversation): void { this.snapshot.chunks.set(c, undefined); this.schedule(); }
  removed(c: Conversation): void { this.snapshot.chunks.delete(c); this.schedule(); }
  replacedAll(all: Iterable<Conversation>): void {
    this.snapshot.chunks.clear();
    for (const c of all) this.snapshot.chunks.set(c, undefined);
    this.schedule();
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
