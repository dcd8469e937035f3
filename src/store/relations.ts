// Friendships and blacklists per (AppId, InboxType, owner) (mock-contract §9). Each owner's rows live in a map in the
// order they were added: ListFriend pages it oldest first, GetBlackList newest first; lookups are by id.
import { friendToDoc, blackToDoc, type Friend, type Black } from './extras.js';
import type { Emit } from './users.js';

/** Rows per owner within one AppId, keyed "inboxType|userId". */
class OwnerIndex<R extends { appId: number; inboxType: number; userId: bigint }> {
  private readonly byApp = new Map<number, Map<string, Map<bigint, R>>>();

  constructor(private readonly other: (r: R) => bigint) {}

  rows(appId: number, inboxType: number, userId: bigint): Map<bigint, R> | undefined {
    return this.byApp.get(appId)?.get(`${inboxType}|${userId}`);
  }

  get(appId: number, inboxType: number, userId: bigint, other: bigint): R | undefined {
    return this.rows(appId, inboxType, userId)?.get(other);
  }

  put(r: R): void {
    let app = this.byApp.get(r.appId);
    if (!app) this.byApp.set(r.appId, (app = new Map()));
    const key = `${r.inboxType}|${r.userId}`;
    let rows = app.get(key);
    if (!rows) app.set(key, (rows = new Map()));
    rows.set(this.other(r), r);
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

  /** userId's friends, oldest added first (a live view: do not change it). */
  friendsOf(appId: number, inboxType: number, userId: bigint): ReadonlyMap<bigint, Friend> {
    return this.friendIndex.rows(appId, inboxType, userId) ?? EMPTY;
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

  /** Whom userId has blocked, oldest added first (a live view). */
  blacksOf(appId: number, inboxType: number, userId: bigint): ReadonlyMap<bigint, Black> {
    return this.blackIndex.rows(appId, inboxType, userId) ?? EMPTY;
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

const EMPTY: ReadonlyMap<bigint, never> = new Map<bigint, never>();
