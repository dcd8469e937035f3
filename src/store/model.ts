// The state model. Ids are BigInt; a user named by a string id (the API's …Str twins) is a string,
// a different user from any numeric id (Map keys keep 1n and "1" apart).

export type UserId = bigint | string;

export const INT64_MAX = 9_223_372_036_854_775_807n;

/** How IndexInConversation grows (mock-contract §1): time-like (µs, the vendor's) or 1, 2, 3 (`--index sequential`). */
export type IndexMode = 'time' | 'sequential';
export const INDEX_MODES: readonly IndexMode[] = ['time', 'sequential'];

/** The index after `last`: last + 1, or the time nowMs in µs when later (time mode); undefined past int64's maximum. */
export function nextIndexAfter(last: bigint, mode: IndexMode, nowMs: number | bigint): bigint | undefined {
  let next = last + 1n;
  if (mode === 'time') {
    const us = BigInt(nowMs) * 1000n;
    if (us > next) next = us;
  }
  return next <= INT64_MAX ? next : undefined;
}

export const ConversationType = { OneToOne: 1, Group: 2, LiveGroup: 100 } as const;
export const Role = { Member: 0, Owner: 1, Admin: 2 } as const;
/** Message Status values, after RefMsgInfo.Status (reference §6.3). */
export const MessageStatus = { Visible: 0, Recalled: 3 } as const;

export interface Settings {
  isMute: boolean;
  isStickTop: boolean;
  stickTopTime: bigint;
  isSetFavorite: boolean;
  setFavoriteTime: bigint;
  ext: Record<string, string>;
}

export interface Member {
  userId: UserId;
  readIndex: bigint;
  role: number;
  /** join time, seconds */
  createTime: bigint;
  operator: UserId;
  nickName: string;
  level: number;
  ext: Record<string, string>;
  /** mute-until, seconds; 0 = not muted */
  blockTime: bigint;
  /** messages with IndexInConversation <= barrierIndex are hidden from this member (Barrier on join) */
  barrierIndex: bigint;
  settings: Settings;
  /** live groups (BatchUpdateLiveParticipants): the member's avatar and marks; absent = '' and none */
  avatarUrl?: string;
  marks?: string[];
}

export interface Message {
  messageId: bigint;
  sender: UserId;
  msgType: number;
  content: string;
  index: bigint;
  /** milliseconds */
  createTime: bigint;
  status: number;
  ext: Record<string, string>;
  clientMsgId?: string;
  mentionedUsers?: UserId[];
  visibleUsers?: UserId[];
  invisibleUsers?: UserId[];
  /** DeleteConversationMessage: 0 hidden for all, 1 visible to the sender only */
  deleteType?: number;
  /** DeleteMessage: members who deleted it for themselves */
  deletedFor?: UserId[];
  refMsgInfo?: { referencedMessageId: bigint; hint: string };
}

export interface Conversation {
  appId: number;
  shortId: bigint;
  type: number;
  inboxType: number;
  ownerUserId: UserId;
  creatorUserId: UserId;
  otherUserId?: UserId;
  name: string;
  avatarUrl: string;
  description: string;
  notice: string;
  ext: Record<string, string>;
  /** seconds */
  createTime: bigint;
  modifyTime: bigint;
  /** 0 normal, 1 dissolved */
  status: number;
  idempotentId?: string;
  members: Map<UserId, Member>;
  /** derived, kept by the Store (Store.sortedMembers): the members ordered by user id, built on first use and dropped
   * when membership changes; never persisted. Change members through the Store's verbs only. */
  sortedMembers?: readonly Member[];
  /** ascending by index */
  messages: Message[];
  messagesById: Map<bigint, Message>;
  messagesByClientId: Map<string, Message>;
  lastIndex: bigint;
  /** live-group moderation (blocks, whitelist, marks), created on first use; see live.ts */
  live?: LiveState;
}

/** BlockAction (BatchAddBlockParticipants): 0 mutes, 1 bans. */
export const BlockAction = { Mute: 0, Ban: 1 } as const;

export interface Block {
  userId: UserId;
  /** until when, seconds; 0 = until removed */
  blockTime: bigint;
  /** seconds */
  createTime: bigint;
}

export interface WhitelistEntry {
  userId: UserId;
  operator: UserId;
  /** seconds */
  createTime: bigint;
}

export interface LiveState {
  /** by BlockAction: [mutes, bans] */
  blocks: [Map<UserId, Block>, Map<UserId, Block>];
  whitelist: Map<UserId, WhitelistEntry>;
  /** MarkConversation's marks, in the order added */
  markTypes: string[];
}

/** The string ConversationId in the emulator's own format (the vendor's is not documented), derived from the short
 * id so the two always agree. */
export function conversationIdOf(c: { type: number; shortId: bigint; inboxType: number }): string {
  return `0:${c.inboxType}:${c.type}:${c.shortId}`;
}

export function newSettings(): Settings {
  return { isMute: false, isStickTop: false, stickTopTime: 0n, isSetFavorite: false, setFavoriteTime: 0n, ext: {} };
}

/** A numeric id is written as a number field, a string id as the …Str twin. */
export function isStrUser(u: UserId): u is string { return typeof u === 'string'; }
