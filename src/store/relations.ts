// Friendships and blacklists per (AppId, InboxType, owner) (mock-contract §9). Each owner's rows are kept in the
// order they were added (a row replaced keeps its place): a map for lookups by id, and an ordered set by (when added,
// id) so ListFriend (oldest first) and GetBlackList (newest first) read a page at any Cursor in O(log n + Limit).
import { friendToDoc, blackToDoc, type Friend, type Black } from './extras.js';
import { OrderedSet } from './ordered-set.js';
import type { Emit } from './users.js';

/** A page of an owner's rows: Cursor is an offset, NextCursor -1 at the end. */
export interface RowPage<R> { items: R[]; hasMore: boolean; nextCursor: bigint; total: number }

/** One owner's rows. */
class Owned<R> {
  private readonly byOther = new Map<bigint, { row: R; seq: bigint }>();
  private readonly order = new OrderedSet<R>();

  get size(): number { return this.byOther.size; }
  get(other: bigint): R | undefined { return this.byOther.get(other)?.row; }

  set(other: bigint, row: R, seq: bigint): void {
    const had = this.byOther.get(other);
    if (had) had.row = row;
    else this.byOther.set(other, { row, seq });
    this.order.insert(had ? had.seq : seq, other, row);
  }

  delete(other: bigint): boolean {
    const had = this.byOther.get(other);
    if (!had) return false;
    this.byOther.delete(other);
    this.order.delete(had.seq, other);
    return true;
  }

  *values(): Iterable<R> { for (const e of this.byOther.values()) yield e.row; }

  page(cursor: bigint, limit: number, newestFirst: boolean): RowPage<R> {
    const total = this.byOther.size;
    const start = cursor > BigInt(total) ? total : Number(cursor);
    const items = this.order.slice(start, limit, newestFirst);
    const end = start + items.length;
    return { items, hasMore: end < total, nextCursor: end < total ? BigInt(end) : -1n, total };
  }
}

/** Rows per owner within one AppId, keyed "inboxType|userId". */
class OwnerIndex<R extends { appId: number; inboxType: number; userId: bigint }> {
  private readonly byApp = new Map<number, Map<string, Owned<R>>>();
  /** when each row was first added, in order (the rows' CreateTime may tie or come from documents) */
  private seq = 0n;

  constructor(private readonly other: (r: R) => bigint) {}

  rows(appId: number, inboxType: number, userId: bigint): Owned<R> | undefined {
    return this.byApp.get(appId)?.get(`${inboxType}|${userId}`);
  }

  get(appId: number, inboxType: number, userId: bigint, other: bigint): R | undefined {
    return this.rows(appId, inboxType, userId)?.get(other);
  }

  page(appId: number, inboxType: number, userId: bigint, cursor: bigint, limit: number, newestFirst: boolean): RowPage<R> {
    return this.rows(appId, inboxType, userId)?.page(cursor, limit, newestFirst) ?? { items: [], hasMore: false, nextCursor: -1n, total: 0 };
  }

  put(r: R): void {
    let app = this.byApp.get(r.appId);
    if (!app) this.byApp.set(r.appId, (app = new Map()));
    const key = `${r.inboxType}|${r.userId}`;
    let rows = app.get(key);
    if (!rows) app.set(key, (rows = new Owned<R>()));
    rows.set(this.other(r), r, ++this.seq);
  }

  delete(r: R): void {
    const app = this.byApp.get(r.appId);
    const key = `${r.inboxType}|${r.userId}`;
    const rows = app?.get(key);
    if (!rows?.delete(this.other(r))) return;
    if (rows.size === 0) app!.delete(key);
  }

  *all(appId?: number): Iterable<R> {
    const apps = appId === undefined ? this.byApp.values() : [this.byApp.get(appId) ?? new Map()];
    for (const app of apps) for (const rows of app.values()) yield* rows.values();
  }

  replace(rows: R[], appId?: number): void {
    if (appId === undefined) this.byApp.clear();
    else this.byApp.delete(appId);
    for (const r of rows) if (appId === undefined || r.appId === appId) this.put(r);
  }
}

export class Relations {
  private readonly friendIndex = new OwnerIndex<Friend>((f) => f.friendUserId);
  private readonly blackIndex = new OwnerIndex<Black>((b) => b.blackListUserId);

  constructor(private readonly emit: Emit) {}

  // ---- friends ----

  friend(appId: number, inboxType: number, userId: bigint, friendUserId: bigint): Friend | undefined {
    return this.friendIndex.get(appId, inboxType, userId, friendUserId);
  }

  /** A page of userId's friends, oldest added first. */
  friendsPage(appId: number, inboxType: number, userId: bigint, cursor: bigint, limit: number): RowPage<Friend> {
    return this.friendIndex.page(appId, inboxType, userId, cursor, limit, false);
  }

  /** Adds or replaces one side of a friendship. */
  putFriend(f: Friend): void {
    this.friendIndex.put(f);
    this.emit('Friends', friendToDoc(f));
  }

  removeFriend(f: Friend): void {
    this.friendIndex.delete(f);
    this.emit('Friends', friendToDoc(f), true);
  }

  friends(appId?: number): Iterable<Friend> { return this.friendIndex.all(appId); }

  // ---- blacklists ----

  black(appId: number, inboxType: number, userId: bigint, blackListUserId: bigint): Black | undefined {
    return this.blackIndex.get(appId, inboxType, userId, blackListUserId);
  }

  /** A page of whom userId has blocked, newest added first. */
  blacksPage(appId: number, inboxType: number, userId: bigint, cursor: bigint, limit: number): RowPage<Black> {
    return this.blackIndex.page(appId, inboxType, userId, cursor, limit, true);
  }

  putBlack(b: Black): void {
    this.blackIndex.put(b);
    this.emit('BlackLists', blackToDoc(b));
  }

  removeBlack(b: Black): void {
    this.blackIndex.delete(b);
    this.emit('BlackLists', blackToDoc(b), true);
  }

  blacks(appId?: number): Iterable<Black> { return this.blackIndex.all(appId); }

  replace(friends: Friend[], blacks: Black[], appId?: number): void {
    this.friendIndex.replace(friends, appId);
    this.blackIndex.replace(blacks, appId);
  }
}
