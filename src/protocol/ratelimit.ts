// Token buckets per (Action, access key id), mock-contract §4. Capacity and refill per second = the QPS.
import type { Clock } from './clock.js';

interface Bucket { tokens: number; at: number }

/** Past this many (Action, access key) pairs, idle buckets are dropped, so made-up key ids cannot grow memory. */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** override: every action's QPS (0 = no limit); undefined = each action's documented QPS. */
  constructor(private readonly clock: Clock, private readonly override?: number) {}

  /** Takes one token; false when the bucket is empty. */
  take(action: string, documentedQps: number, accessKeyId: string): boolean {
    const qps = this.override ?? documentedQps;
    if (qps <= 0) return true;
    const key = `${action}\u0000${accessKeyId}`;
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.evictFull(now);
      b = { tokens: qps, at: now };
      this.buckets.set(key, b);
    } else if (now > b.at) {
      b.tokens = Math.min(qps, b.tokens + ((now - b.at) * qps) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  clear(): void { this.buckets.clear(); }

  /** Drops buckets idle long enough to be full again: they are the same as a new bucket. Amortised O(1). */
  private evictFull(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.at >= 1000) this.buckets.delete(key);
  }
}
