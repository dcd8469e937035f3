// The mock clock: real time by default, fixed or advanced on request (control plane, tests). Nothing else reads Date.now().

export interface Clock { now(): number }

/** The clock's range, ms since the epoch. Not before the epoch: the data file refuses negative times (CreateTime…).
 * Not past 9999-12-31 23:59:59.999 in UTC+8: RequestIds start with the time as yyyyMMddHHmmss in UTC+8, a 4-digit year. */
export const CLOCK_MIN_MS = 0;
export const CLOCK_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) - 8 * 3600_000;
export const CLOCK_RANGE = `${CLOCK_MIN_MS} (1970-01-01T00:00:00Z) to ${CLOCK_MAX_MS} (9999-12-31T23:59:59.999+08:00)`;

export const clockInRange = (ms: number) => Number.isSafeInteger(ms) && ms >= CLOCK_MIN_MS && ms <= CLOCK_MAX_MS;

export class MockClock implements Clock {
  private fixedMs: number | undefined;
  private offsetMs = 0;

  constructor(private readonly real: () => number = Date.now) {}

  now(): number {
    return this.fixedMs ?? this.real() + this.offsetMs;
  }

  /** Freezes time at ms (within CLOCK_MIN_MS..CLOCK_MAX_MS, else RangeError and nothing changes). */
  set(ms: number): void {
    checkRange(ms);
    this.fixedMs = ms;
  }

  /** Moves time forward (or back) by ms, frozen or not; the result must stay in range (else RangeError, no change). */
  advance(ms: number): void {
    checkRange(this.now() + ms);
    if (this.fixedMs !== undefined) this.fixedMs += ms;
    else this.offsetMs += ms;
  }

  /** Back to real time. */
  useRealTime(): void { this.fixedMs = undefined; this.offsetMs = 0; }

  isFixed(): boolean { return this.fixedMs !== undefined; }
}

function checkRange(ms: number): void {
  if (!clockInRange(ms)) throw new RangeError(`the mock clock must stay from ${CLOCK_RANGE}`);
}
