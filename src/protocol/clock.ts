// The mock clock: real time by default, fixed or advanced on request (control plane, tests). Nothing else reads Date.now().

export interface Clock { now(): number }

export class MockClock implements Clock {
  private fixedMs: number | undefined;
  private offsetMs = 0;

  constructor(private readonly real: () => number = Date.now) {}

  now(): number {
    return this.fixedMs ?? this.real() + this.offsetMs;
  }

  /** Freezes time at ms. */
  set(ms: number): void { this.fixedMs = ms; }

  /** Moves time forward (or back) by ms, frozen or not. */
  advance(ms: number): void {
    if (this.fixedMs !== undefined) this.fixedMs += ms;
    else this.offsetMs += ms;
  }

  /** Back to real time. */
  useRealTime(): void { this.fixedMs = undefined; this.offsetMs = 0; }

  isFixed(): boolean { return this.fixedMs !== undefined; }
}
