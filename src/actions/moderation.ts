// What the live-group actions share (mock-contract §10; reference §5.23): the live-group lookup, user lists with their
// …Str twins, Failed… lists split back into the two, paging, and the wire form of a live member.
import { ApiError, invalid } from '../protocol/errors.js';
import { Opt, List, Str, Id, Nullable } from '../protocol/schema.js';
import { ConversationType, isStrUser, type Conversation, type UserId } from '../store/model.js';
import type { Store } from '../store/store.js';
import { requireConversation } from './common.js';
import { usersOf } from './messaging.js';

/** Users per call for the block, whitelist, manager and modify batches: the vendor documents none, the mock bounds it. */
export const MAX_USERS = 100;

/** A required user-id list (Go sends null for a nil slice when only the …Str twin is used) and its …Str twin. */
export const UserIds = () => Nullable(List(Id(), { maxItems: MAX_USERS }));
export const UserIdsStr = () => Opt(Nullable(List(Str(), { maxItems: MAX_USERS })));

/** A live group (ConversationType 100) of appId; any other type is UnsupportedConversationType. */
export function requireLiveGroup(store: Store, appId: number, shortId: bigint, action: string): Conversation {
  const c = requireConversation(store, appId, shortId);
  if (c.type !== ConversationType.LiveGroup) {
    throw new ApiError('InvalidParameter.UnsupportedConversationType', `${action} supports live groups (ConversationType 100) only, not ${c.type}`);
  }
  return c;
}

/** The users a list and its …Str twin name, each once, in order; at least one. */
export function requireUsers(field: string, nums: bigint[] | null | undefined, strs: string[] | null | undefined): UserId[] {
  const users = usersOf(nums, strs);
  if (!users) throw invalid(`${field}: at least one user is required (${field} or ${field}Str)`);
  if (users.length > MAX_USERS) throw invalid(`${field}: at most ${MAX_USERS} users together with ${field}Str`);
  return users;
}

/** A Failed… list as the number list and its …Str twin (the twin only when a string user failed). */
export function failedLists<K extends string>(key: K, failed: UserId[]): Record<K, bigint[]> & Partial<Record<`${K}Str`, string[]>> {
  const out: Record<string, unknown> = { [key]: failed.filter((u): u is bigint => !isStrUser(u)) };
  const strs = failed.filter(isStrUser);
  if (strs.length) out[`${key}Str`] = strs;
  return out as Record<K, bigint[]> & Partial<Record<`${K}Str`, string[]>>;
}

/** One page of a list by offset (Cursor 0 = first page); NextCursor -1 at the end. */
export function pageOf<T>(list: readonly T[], cursor: bigint, limit: number): { page: T[]; hasMore: boolean; next: bigint } {
  const start = cursor > BigInt(list.length) ? list.length : Number(cursor);
  const page = list.slice(start, start + limit);
  const hasMore = start + page.length < list.length;
  return { page, hasMore, next: hasMore ? BigInt(start + page.length) : -1n };
}

/** A user as ParticipantUserId (0 for a string user) plus ParticipantUserIdStr. */
export function userFields(u: UserId): { ParticipantUserId: bigint; ParticipantUserIdStr?: string } {
  return isStrUser(u) ? { ParticipantUserId: 0n, ParticipantUserIdStr: u } : { ParticipantUserId: u };
}

/** The member's live profile (NickName, AvatarUrl, Ext, Marks), empty for a user who is not a member (a banned one). */
export function liveProfile(c: Conversation, u: UserId): { NickName: string; AvatarUrl: string; Ext: Record<string, string>; Marks: string[] } {
  const m = c.members.get(u);
  return { NickName: m?.nickName ?? '', AvatarUrl: m?.avatarUrl ?? '', Ext: { ...(m?.ext ?? {}) }, Marks: [...(m?.marks ?? [])] };
}
