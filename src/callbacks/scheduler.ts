// Timers of the callback machinery (attempt timeouts, retry delays) go through a Scheduler, so a test drives them by
// hand and never sleeps. Real time by default: these delays are the vendor's (1 s timeout, retries after 1 s and 2 s),
// not mock-clock time, so freezing the mock clock does not stall deliveries.

export type TimerKind = 'timeout' | 'retry';

export interface Scheduler {
  /** Runs fn after ms; returns a function that cancels it. */
  after(ms: number, fn: () => void, kind: TimerKind): () => void;
}

export const realScheduler: Scheduler = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref(); // a pending retry never keeps a process alive on its own
    return () => clearTimeout(t);
  },
};

interface ManualTimer { at: number; fn: () => void; kind: TimerKind; ms: number; seq: number }

/** A scheduler whose time moves only when advance() is called (tests). */
export class ManualScheduler implements Scheduler {
  private now = 0;
  private seq = 0;
  private timers: ManualTimer[] = [];
  private waiters: { kind: TimerKind; resolve: (ms: number) => void }[] = [];

  after(ms: number, fn: () => void, kind: TimerKind): () => void {
    const timer = { at: this.now + ms, fn, kind, ms, seq: this.seq++ };
    this.timers.push(timer);
    const waiter = this.waiters.findIndex((w) => w.kind === kind);
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0].resolve(ms);
    return () => { this.timers = this.timers.filter((t) => t !== timer); };
  }

  /** Timers not yet run, of one kind or all. */
  pending(kind?: TimerKind): { ms: number; dueIn: number; kind: TimerKind }[] {
    return this.timers.filter((t) => !kind || t.kind === kind).map((t) => ({ ms: t.ms, dueIn: t.at - this.now, kind: t.kind }));
  }

  /** Resolves with the delay of the next timer of this kind set from now on (or one already pending). */
  next(kind: TimerKind): Promise<number> {
    const already = this.timers.find((t) => t.kind === kind);
    if (already) return Promise.resolve(already.ms);
    return new Promise((resolve) => this.waiters.push({ kind, resolve }));
  }

  /** Moves time by ms, running every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}
