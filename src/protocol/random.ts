// Seeded randomness (sfc32, 32-bit arithmetic on plain numbers: cheap on the request path): generated ids,
// RequestIds and fault draws are reproducible under --seed.
import { randomBytes } from 'node:crypto';

const HEX = '0123456789ABCDEF';
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  readonly seed: bigint;

  constructor(seed?: bigint | number) {
    this.seed = seed === undefined ? randomBytes(8).readBigUInt64BE() : BigInt(seed) & ((1n << 64n) - 1n);
    this.reset();
  }

  /** Back to the state right after construction: the same draws again. */
  reset(): void {
    this.a = Number(this.seed >> 32n) | 0;
    this.b = Number(this.seed & 0xffffffffn) | 0;
    this.c = 0x9e3779b9;
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next32();
  }

  /** 32 random bits as an unsigned number. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** 64 random bits. */
  next64(): bigint {
    return (BigInt(this.next32()) << 32n) | BigInt(this.next32());
  }

  /** A float in [0, 1). */
  float(): number { return this.next32() / 4294967296; }

  /** A BigInt in [lo, hi). */
  between(lo: bigint, hi: bigint): bigint { return lo + (this.next64() % (hi - lo)); }

  /** n upper-case hex digits: each draw of 32 bits gives 8, lowest nibble first. */
  hex(n: number): string {
    return this.hexInto(Buffer.allocUnsafe(n), 0, n).toString('latin1');
  }

  /** Writes n upper-case hex digits into buf at offset (the digits hex(n) would give); returns buf. */
  hexInto(buf: Buffer, offset: number, n: number): Buffer {
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      let bits = this.next32();
      for (let k = 0; k < 8; k++, bits >>>= 4) buf[offset + i + k] = HEX_CODES[bits & 15];
    }
    if (i < n) {
      let bits = this.next32();
      for (; i < n; i++, bits >>>= 4) buf[offset + i] = HEX_CODES[bits & 15];
    }
    return buf;
  }
}
