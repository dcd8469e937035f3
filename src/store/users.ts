// User profiles per AppId (RegisterUsers and friends): a map per AppId by user id. Registration is not needed to send
// or to be a member; it is what BatchGetUser, tags and UserBroadcast see (mock-contract §9).
import { userToDoc, type User, type ExtraKind } from './extras.js';

export type Emit = (kind: ExtraKind, doc: Record<string, unknown>, removed?: boolean) => void;

export class Users {
  private readonly byApp = new Map<number, Map<bigint, User>>();

  constructor(private readonly emit: Emit) {}

  get(appId: number, userId: bigint): User | undefined { return this.byApp.get(appId)?.get(userId); }

  /** Registered users of appId in registration order (UserBroadcast, the state document). */
  *all(appId?: number): Iterable<User> {
    if (appId !== undefined) { yield* this.byApp.get(appId)?.values() ?? []; return; }
    for (const app of this.byApp.values()) yield* app.values();
  }

  count(appId: number): number { return this.byApp.get(appId)?.size ?? 0; }

  /** Creates or overwrites a profile (an overwritten one keeps its place and CreateTime). */
  put(u: User): void {
    let app = this.byApp.get(u.appId);
    if (!app) this.byApp.set(u.appId, (app = new Map()));
    app.set(u.userId, u);
    this.emit('Users', userToDoc(u));
  }

  remove(appId: number, userId: bigint): boolean {
    const u = this.byApp.get(appId)?.get(userId);
    if (!u) return false;
    this.byApp.get(appId)!.delete(userId);
    this.emit('Users', userToDoc(u), true);
    return true;
  }

  /** Whole-state replace (load, reset, import): no change records, the caller logs what it must. */
  replace(users: User[], appId?: number): void {
    if (appId === undefined) this.byApp.clear();
    else this.byApp.delete(appId);
    for (const u of users) {
      if (appId !== undefined && u.appId !== appId) continue;
      let app = this.byApp.get(u.appId);
      if (!app) this.byApp.set(u.appId, (app = new Map()));
      app.set(u.userId, u);
    }
  }
}
