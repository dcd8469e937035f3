// What the conversation and member actions share: result schemas (ConversationInfo, Participant, reference §5.0),
// the views that fill them, and the wire form of users named by …Str twins (reference §6.5).
import { Obj, Opt, List, Str, StrMap, Int64, Id, Int32, AppId, type Static } from '../protocol/schema.js';
import { invalid } from '../protocol/errors.js';
import {
  ConversationType, conversationIdOf, isStrUser, newSettings,
  type Conversation, type Member, type UserId,
} from '../store/model.js';

/** Normal groups hold at most 200 members, live groups 10000 (reference §5.7, §6.1). */
export function memberCap(c: Conversation): number {
  return c.type === ConversationType.LiveGroup ? 10000 : 200;
}

// ConversationInfo (reference §5.0): CreateConversation marks the times and users optional, BatchGetConversations and
// GetUserConversations require them.
const infoKeys = { AppId: AppId(), ConversationShortId: Id(), ConversationId: Str(), ConversationType: Int32(), InboxType: Int32() };
const infoOptional = {
  CreatorUserIdStr: Opt(Str()), OwnerUserIdStr: Opt(Str()),
  Name: Opt(Str()), AvatarUrl: Opt(Str()), Description: Opt(Str()), Notice: Opt(Str()), Ext: Opt(StrMap()),
  MemberCount: Opt(Int64()), OnlineCount: Opt(Int64()), OtherUserId: Opt(Int64()), OtherUserIdStr: Opt(Str()),
  Status: Opt(Int32()),
};
export const ConversationInfo = Obj({
  ...infoKeys, CreateTime: Int64(), ModifyTime: Int64(), CreatorUserId: Int64(), OwnerUserId: Int64(), ...infoOptional,
});
export const CreatedConversationInfo = Obj({
  ...infoKeys, CreateTime: Opt(Int64()), ModifyTime: Opt(Int64()), CreatorUserId: Opt(Int64()), OwnerUserId: Opt(Int64()), ...infoOptional,
});
type ConversationInfoView = Static<typeof ConversationInfo>;

/** Writes a user as `key` (numeric) or `key` = 0 plus `keyStr` (string user); `required` keeps the number present. */
export function putUser(out: Record<string, unknown>, key: string, u: UserId | undefined, required: boolean): void {
  if (u === undefined || u === 0n) {
    if (required) out[key] = 0n;
  } else if (isStrUser(u)) {
    if (required) out[key] = 0n;
    out[`${key}Str`] = u;
  } else {
    out[key] = u;
  }
}

/** Empty strings and maps are left out, as the vendor's omitempty fields are. */
function putText(out: Record<string, unknown>, key: string, v: string): void {
  if (v !== '') out[key] = v;
}

export function conversationInfo(c: Conversation, opts: { memberCount: boolean }): ConversationInfoView {
  const out: Record<string, unknown> = {
    AppId: c.appId, ConversationShortId: c.shortId, ConversationId: conversationIdOf(c),
    ConversationType: c.type, InboxType: c.inboxType, CreateTime: c.createTime, ModifyTime: c.modifyTime,
  };
  putUser(out, 'CreatorUserId', c.creatorUserId, true);
  putUser(out, 'OwnerUserId', c.ownerUserId, true);
  putUser(out, 'OtherUserId', c.otherUserId, false);
  putText(out, 'Name', c.name);
  putText(out, 'AvatarUrl', c.avatarUrl);
  putText(out, 'Description', c.description);
  putText(out, 'Notice', c.notice);
  if (Object.keys(c.ext).length) out.Ext = { ...c.ext };
  if (opts.memberCount) out.MemberCount = BigInt(c.members.size);
  out.Status = c.status;
  return out as ConversationInfoView;
}

export const Participant = Obj({
  ConversationShortId: Id(), ParticipantUserId: Int64(), Operator: Int64(), Role: Int64(),
  BlockTime: Opt(Int64()), CreateTime: Opt(Int64()), Ext: Opt(StrMap()), Level: Opt(Int32()), NickName: Opt(Str()),
  Status: Opt(Int32()),
});

export const ScanParticipant = Obj({
  AvatarUrl: Str(), ConversationShortId: Id(), Operator: Int64(), OperatorStr: Opt(Str()),
  ParticipantUserId: Int64(), ParticipantUserIdStr: Opt(Str()), Role: Int64(),
  BlockTime: Opt(Int64()), CreateTime: Opt(Int64()), Ext: Opt(StrMap()), Level: Opt(Int32()), Marks: Opt(List(Str())),
  NickName: Opt(Str()), Status: Opt(Int32()),
});

/** A member as Participant / ScanParticipant (the latter adds AvatarUrl and the …Str twins). */
export function participant(c: Conversation, m: Member, scan = false): Static<typeof ScanParticipant> {
  const out: Record<string, unknown> = { ConversationShortId: c.shortId };
  if (scan) out.AvatarUrl = m.avatarUrl ?? '';
  putUser(out, 'ParticipantUserId', m.userId, true);
  putUser(out, 'Operator', m.operator, true);
  if (!scan) { delete out.ParticipantUserIdStr; delete out.OperatorStr; } // Participant has no …Str twins
  Object.assign(out, { Role: BigInt(m.role), BlockTime: m.blockTime, CreateTime: m.createTime, Level: m.level, Status: 0 });
  if (Object.keys(m.ext).length) out.Ext = { ...m.ext };
  putText(out, 'NickName', m.nickName);
  if (scan && m.marks?.length) out.Marks = [...m.marks];
  return out as Static<typeof ScanParticipant>;
}

/** Only the ids (ScanConversationParticipantList with OnlyUserIds): the other required fields at their zero values,
 * but the member's Role, so a caller can still tell the owner and admins apart. */
export function participantId(c: Conversation, m: Member): Static<typeof ScanParticipant> {
  const out: Record<string, unknown> = { AvatarUrl: '', ConversationShortId: c.shortId, Operator: 0n, Role: BigInt(m.role) };
  putUser(out, 'ParticipantUserId', m.userId, true);
  return out as Static<typeof ScanParticipant>;
}

/** A fresh member joining now. */
export function newMember(user: UserId, joinedAt: bigint, fields: Partial<Member> = {}): Member {
  return {
    userId: user, readIndex: 0n, role: 0, createTime: joinedAt, operator: 0n, nickName: '', level: 0, ext: {},
    blockTime: 0n, barrierIndex: 0n, settings: newSettings(), ...fields,
  };
}

/** Limit for paged lists: 1..max. */
export function limitOf(limit: bigint, max: number, why = ''): number {
  if (limit < 1n || limit > BigInt(max)) throw invalid(`Limit: must be from 1 to ${max}${why}`);
  return Number(limit);
}
