// Token buckets per (Action, access key id), mock-contract §4. Capacity and refill per second = the QPS, unless the
// action counts in something other than calls (a cost per call and a capacity of its own, BatchSendMessage).
import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';

/** fullAt: when the bucket will be full again if left alone (then it is the same as a new one and may be dropped) */
interface Bucket { tokens: number; at: number; fullAt: number }

/** Past this many (Action, access key) pairs, idle buckets are dropped, and when none is idle (a frozen or slow mock
 * clock) the oldest, so made-up key ids cannot grow memory whatever the clock does. */
export const MAX_BUCKETS = 10_000;
/** An access key id longer than this (real ones are under 64 characters) is keyed by its SHA-256, so a bucket's key
 * is bounded in length too. */
export const MAX_KEY_ID = 128;
/** Least time between two eviction scans. */
const EVICT_EVERY_MS = 100;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastEviction = -Infinity;

  /** override: every action's QPS (0 = no limit); undefined = each action's documented QPS. */
  constructor(private readonly clock: Clock, private readonly override?: number) {}

  /** Takes `cost` tokens (default one) from a bucket holding `capacity` (default the QPS) refilled at qps a second;
   * false, taking nothing, when it holds fewer. With --rate-limit N every call costs one token of a bucket of N. */
  take(action: string, documentedQps: number, accessKeyId: string, cost = 1, capacity = documentedQps): boolean {
    const qps = this.override ?? documentedQps;
    if (qps <= 0) return true;
    if (this.override !== undefined) { cost = 1; capacity = qps; }
    const id = accessKeyId.length <= MAX_KEY_ID ? accessKeyId : `sha256:${createHash('sha256').update(accessKeyId).digest('base64')}`;
    const key = `${action}\u0000${id}`;
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) {
        if (now - this.lastEviction >= EVICT_EVERY_MS || now < this.lastEviction) this.evictFull(now); // a clock set back scans at once
        // none idle (the clock stood still): the oldest bucket goes, which only forgets what it had spent
        if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
      }
      b = { tokens: capacity, at: now, fullAt: now };
      this.buckets.set(key, b);
    } else if (now > b.at) {
      b.tokens = Math.min(capacity, b.tokens + ((now - b.at) * qps) / 1000);
      b.at = now;
    } else if (now < b.at) {
      // the mock clock was set back: refill from now on, instead of waiting for it to reach the old time again
      b.at = now;
      b.fullAt = now + ((capacity - b.tokens) * 1000) / qps;
    }
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    b.fullAt = now + ((capacity - b.tokens) * 1000) / qps;
    return true;
  }

  clear(): void { this.buckets.clear(); this.lastEviction = -Infinity; }

  /** Drops buckets idle long enough to be full again: they are the same as a new bucket. At most one scan every
   * EVICT_EVERY_MS, so a stream of new keys while every bucket is young does not scan the map on each request. */
  private evictFull(now: number): void {
    this.lastEviction = now;
    for (const [key, b] of this.buckets) if (now >= b.fullAt) this.buckets.delete(key);
  }
}
