// Who is online (mock-contract §9): nobody until PUT /_mock/presence (or the fixtures' Presence) says so.
// QueryOnlineStatus and live groups' ScanOnlineParticipant read it through isOnline / connectionsOf.
import { presenceToDoc, type Connection, type Presence } from './extras.js';
import type { Emit } from './users.js';

const NONE: readonly Connection[] = [];

export class PresenceSet {
  private readonly byApp = new Map<number, Map<bigint, Presence>>();

  constructor(private readonly emit: Emit) {}

  /** The user's connections; empty = offline. */
  connectionsOf(appId: number, userId: bigint): readonly Connection[] {
    return this.byApp.get(appId)?.get(userId)?.connections ?? NONE;
  }

  /** The one hook for "is this user online" (ScanOnlineParticipant and the like). */
  isOnline(appId: number, userId: bigint): boolean { return this.connectionsOf(appId, userId).length > 0; }

  *all(appId?: number): Iterable<Presence> {
    if (appId !== undefined) { yield* this.byApp.get(appId)?.values() ?? []; return; }
    for (const app of this.byApp.values()) yield* app.values();
  }

  /** Sets a user's connections; an empty list makes the user offline (and drops the record). */
  set(p: Presence): void {
    const app = this.byApp.get(p.appId);
    if (p.connections.length === 0) {
      const old = app?.get(p.userId);
      if (!old) return;
      app!.delete(p.userId);
      this.emit('Presence', presenceToDoc(old), true);
      return;
    }
    if (app) app.set(p.userId, p);
    else this.byApp.set(p.appId, new Map([[p.userId, p]]));
    this.emit('Presence', presenceToDoc(p));
  }

  replace(rows: Presence[], appId?: number): void {
    if (appId === undefined) this.byApp.clear();
    else this.byApp.delete(appId);
    for (const p of rows) {
      if ((appId !== undefined && p.appId !== appId) || p.connections.length === 0) continue;
      let app = this.byApp.get(p.appId);
      if (!app) this.byApp.set(p.appId, (app = new Map()));
      app.set(p.userId, p);
    }
  }
}
