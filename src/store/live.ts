// Live-group moderation state, kept on its conversation (mock-contract §10): blocks (mute, ban) that end by the mock
// clock, the whitelist and the conversation's marks. Each verb marks the conversation changed, so fixtures,
// /_mock/state and the data file's change log (the conversation's head record) carry it.
import type { Store } from './store.js';
import { BlockAction, type Block, type Conversation, type LiveState, type UserId, type WhitelistEntry } from './model.js';

/** Blocks of one kind, and whitelist entries, a live group keeps at most: BatchGet* sorts them for each page, so
 * their number is bounded. An add past it fails for those users (Failed… list). */
export const MAX_LIVE_LIST = 10_000;

/** Admits users to a list that holds `held` (at most MAX_LIVE_LIST): true for one already in it, or while there is
 * room, which each new user admitted takes. Entries that have ended still count until the next change drops them. */
export function liveListRoom(held: ReadonlyMap<UserId, unknown> | undefined): (user: UserId) => boolean {
  let room = MAX_LIVE_LIST - (held?.size ?? 0);
  return (user) => {
    if (held?.has(user)) return true;
    if (room <= 0) return false;
    room--;
    return true;
  };
}

/** The conversation's live state, created empty on first use. */
export function liveOf(c: Conversation): LiveState {
  return (c.live ??= { blocks: [new Map(), new Map()], whitelist: new Map(), markTypes: [] });
}

/** A block still in force at nowS (seconds): BlockTime 0 lasts until removed, any other ends at BlockTime. */
export function inForce(b: Block, nowS: bigint): boolean {
  return b.blockTime === 0n || b.blockTime > nowS;
}

/** user's block of this kind (BlockAction 0 mute, 1 ban), if in force now. */
export function activeBlock(store: Store, c: Conversation, action: number, user: UserId): Block | undefined {
  const b = c.live?.blocks[action]?.get(user);
  return b && inForce(b, store.nowSeconds()) ? b : undefined;
}

export function isBanned(store: Store, c: Conversation, user: UserId): boolean {
  return activeBlock(store, c, BlockAction.Ban, user) !== undefined;
}

/** The blocks of this kind in force now, ascending by user id. */
export function activeBlocks(store: Store, c: Conversation, action: number): Block[] {
  const now = store.nowSeconds();
  return [...(c.live?.blocks[action]?.values() ?? [])].filter((b) => inForce(b, now)).sort((a, b) => compareUsers(a.userId, b.userId));
}

/** Adds or replaces blocks; a ban also removes the banned members. Blocks that have ended are dropped on the way. */
export function putBlocks(store: Store, c: Conversation, action: number, blocks: Block[]): void {
  const map = liveOf(c).blocks[action];
  dropEnded(store, map);
  for (const b of blocks) map.set(b.userId, b);
  const leaving = action === BlockAction.Ban ? blocks.map((b) => b.userId).filter((u) => c.members.has(u)) : [];
  if (leaving.length) store.removeMembers(c, leaving);
  else store.touched(c);
}

/** Ends blocks of this kind now. */
export function removeBlocks(store: Store, c: Conversation, action: number, users: UserId[]): void {
  const map = liveOf(c).blocks[action];
  for (const u of users) map.delete(u);
  dropEnded(store, map);
  store.touched(c);
}

export function putWhitelist(store: Store, c: Conversation, entries: WhitelistEntry[]): void {
  const list = liveOf(c).whitelist;
  for (const e of entries) if (!list.has(e.userId)) list.set(e.userId, e);
  store.touched(c);
}

export function removeWhitelist(store: Store, c: Conversation, users: UserId[]): void {
  const list = liveOf(c).whitelist;
  for (const u of users) list.delete(u);
  store.touched(c);
}

/** The whitelist ascending by user id. */
export function whitelistOf(c: Conversation): WhitelistEntry[] {
  return [...(c.live?.whitelist.values() ?? [])].sort((a, b) => compareUsers(a.userId, b.userId));
}

export function setMarkTypes(store: Store, c: Conversation, markTypes: string[]): void {
  liveOf(c).markTypes = markTypes;
  store.touched(c);
}

function dropEnded(store: Store, map: Map<UserId, Block>): void {
  const now = store.nowSeconds();
  for (const [u, b] of map) if (!inForce(b, now)) map.delete(u);
}

/** Numeric ids ascending by value, then string ids. */
export function compareUsers(x: UserId, y: UserId): number {
  if (typeof x !== typeof y) return typeof x === 'string' ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}
