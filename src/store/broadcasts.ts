// UserBroadcast's record (GET /_mock/broadcasts) and its daily cap: 20 calls per AppId per day, the day by the mock
// clock in UTC+8 (mock-contract §4). A counter of its own, apart from the per-second rate limiter. Not persisted.
export interface Broadcast {
  appId: number; time: number; sender: bigint; msgType: number; content: string; msgTTL: bigint; ext: Record<string, string>;
  inboxType: number; tags: string[]; tagOp: number;
  /** the users it reached (the first MAX_REACHED_KEPT), and how many it reached */
  reached: bigint[]; reachedCount: number;
}

export const BROADCASTS_PER_DAY = 20;
/** Reached user ids kept per broadcast (the count is always exact). */
export const MAX_REACHED_KEPT = 10_000;
/** Broadcasts kept for GET /_mock/broadcasts (oldest dropped first). */
const KEEP = 1000;
const UTC8_MS = 8 * 3600_000;

export class Broadcasts {
  private records: Broadcast[] = [];
  /** AppId -> [day number in UTC+8, calls that day] */
  private readonly daily = new Map<number, [number, number]>();

  /** Takes one of today's calls for appId; false when the day's are used up. */
  takeDaily(appId: number, nowMs: number): boolean {
    const day = Math.floor((nowMs + UTC8_MS) / 86_400_000);
    const entry = this.daily.get(appId);
    if (!entry || entry[0] !== day) {
      if (this.daily.size >= 10_000) this.daily.clear(); // bounded whatever the AppIds
      this.daily.set(appId, [day, 1]);
      return true;
    }
    if (entry[1] >= BROADCASTS_PER_DAY) return false;
    entry[1]++;
    return true;
  }

  add(b: Broadcast): void {
    this.records.push(b);
    if (this.records.length > KEEP) this.records.splice(0, this.records.length - KEEP);
  }

  list(appId?: number): Broadcast[] { return appId === undefined ? [...this.records] : this.records.filter((b) => b.appId === appId); }

  clear(appId?: number): void {
    if (appId === undefined) { this.records = []; this.daily.clear(); return; }
    this.records = this.records.filter((b) => b.appId !== appId);
    this.daily.delete(appId);
  }
}
