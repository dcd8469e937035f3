// Seeded randomness (splitmix64): generated ids, RequestIds and fault draws are reproducible under --seed.
import { randomBytes } from 'node:crypto';

const MASK = (1n << 64n) - 1n;

export class Random {
  private state: bigint;
  readonly seed: bigint;

  constructor(seed?: bigint | number) {
    this.seed = seed === undefined ? randomBytes(8).readBigUInt64BE() : BigInt(seed) & MASK;
    this.state = this.seed;
  }

  /** Back to the state right after construction: the same draws again. */
  reset(): void { this.state = this.seed; }

  /** 64 random bits. */
  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }

  /** A float in [0, 1). */
  float(): number { return Number(this.next64() >> 11n) / 2 ** 53; }

  /** A BigInt in [lo, hi). */
  between(lo: bigint, hi: bigint): bigint { return lo + (this.next64() % (hi - lo)); }

  /** n upper-case hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += this.next64().toString(16).toUpperCase().padStart(16, '0');
    return out.slice(0, n);
  }
}
