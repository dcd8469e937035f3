// What the user, friend and blacklist actions share (mock-contract §9): FailedInfos items, profile rules, InboxType,
// and the offset cursor of ListFriend / GetBlackList.
import { Obj, Opt, List, Str, StrMap, Id, Int64, type Static } from '../protocol/schema.js';
import { invalid } from '../protocol/errors.js';

export const FailedInfo = Obj({ UserId: Int64({ min: 0n }), Code: Str(), Message: Str() });
export type FailedInfoItem = Static<typeof FailedInfo>;
export const FailedInfos = () => List(FailedInfo);

/** AddBlackList's and UpdateBlackList's BlackListInfos: up to 10 users, each with an optional Ext. */
export const BlackListInfos = () => List(Obj({ BlackListUserId: Id(), BlackListUserExt: Opt(StrMap()) }), { minItems: 1, maxItems: 10 });

export const failed = (userId: bigint, code: string, message: string): FailedInfoItem => ({ UserId: userId, Code: code, Message: message });

/** The vendor's code for a user that is not registered (mock-contract §9). */
export const USER_NOT_FOUND = 'UserNotFound';

/** Most per-call lists of these actions: the ids asked for. */
export const UserIdList = (maxItems: number, description?: string) => List(Id(), { minItems: 1, maxItems, description });

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The rule a profile breaks (RegisterUsers, BatchUpdateUser; reference §5.23), or undefined. */
export function profileProblem(p: { NickName?: string | null; Portrait?: string | null; Ext?: Record<string, string> | null }): string | undefined {
  if (p.NickName && bytes(p.NickName) > 100) return 'NickName: must be at most 100 bytes';
  if (p.Portrait && bytes(p.Portrait) > 500) return 'Portrait: must be at most 500 bytes';
  const ext = Object.entries(p.Ext ?? {});
  if (ext.length > 20) return 'Ext: must have at most 20 keys';
  for (const [k, v] of ext) {
    if (bytes(k) > 50) return `Ext: key ${JSON.stringify(k.slice(0, 60))} must be at most 50 bytes`;
    if (k.startsWith('s:')) return `Ext: key ${JSON.stringify(k)} must not start with "s:" (reserved)`;
    if (bytes(v) > 500) return `Ext.${k}: value must be at most 500 bytes`;
  }
  return undefined;
}

/** Tags a user may hold; a tag is "key:value" (or a bare key), one value per key. */
export const MAX_TAGS = 100;
export const tagKey = (tag: string) => { const i = tag.indexOf(':'); return i < 0 ? tag : tag.slice(0, i); };

/** Tags with one value per key: a later tag of the same key replaces the earlier one in place. */
export function setTags(current: readonly string[], add: readonly string[]): string[] {
  const byKey = new Map(current.map((t) => [tagKey(t), t]));
  for (const t of add) byKey.set(tagKey(t), t);
  return [...byKey.values()];
}

/** ListFriend / GetBlackList: Limit 1..20, default 20 (reference §6.7). */
export const PAGE_MAX = 20;

/** InboxType of the relation actions: optional, 0 by default (reference §6.6). */
export const inboxOf = (v: number | null | undefined): number => v ?? 0;

/** Limit of a paged list: 0 or absent = the default 20 (Go clients send 0 for "not set"); above 20 is refused. */
export function pageLimit(limit: bigint | null | undefined): number {
  if (limit === undefined || limit === null || limit === 0n) return PAGE_MAX;
  if (limit > BigInt(PAGE_MAX)) throw invalid(`Limit: must be from 1 to ${PAGE_MAX}`);
  return Number(limit);
}

/** The emulator's codes for an entry that names no current relation (the vendor's list is not public). */
export const NOT_FRIEND = 'NotFriend';
export const NOT_IN_BLACKLIST = 'NotInBlackList';
