// CreateConversation (docs/6348/337013): one-to-one (1), group (2) or live group (100). A one-to-one conversation
// is unique per user pair within (AppId, InboxType) unless a different IdempotentId is given; an IdempotentId already
// used in the AppId returns that conversation with Exist=true and creates nothing. The owner joins (Role 1 in a group);
// in a one-to-one both users join.
import { Obj, Opt, Str, Bool, StrMap, Int64, Int32, AppId, Id } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { userOf } from '../../store/fixtures.js';
import { ConversationType, Role, conversationIdOf, type Conversation, type Member, type UserId } from '../../store/model.js';
import type { Store } from '../../store/store.js';
import { defineAction } from '../action.js';
import { CreatedConversationInfo, conversationInfo, newMember } from '../conversation-views.js';
import { requireUser } from '../common.js';

const TYPES: readonly number[] = [ConversationType.OneToOne, ConversationType.Group, ConversationType.LiveGroup];

export default defineAction({
  name: 'CreateConversation',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationCoreInfo: Obj({
      ConversationType: Int32({ description: '1 one-to-one, 2 group, 100 live group' }),
      AvatarUrl: Opt(Str()), Description: Opt(Str()), Ext: Opt(StrMap()), Name: Opt(Str()), Notice: Opt(Str()),
    }),
    OwnerUserId: Int64({ min: 0n, description: 'owner; 0 when OwnerUserIdStr is used' }),
    OwnerUserIdStr: Opt(Str()),
    IdempotentId: Opt(Str()),
    InboxType: Opt(Int32({ min: 0 })),
    OtherUserId: Opt(Int64({ min: 0n })),
    OtherUserIdStr: Opt(Str()),
  }),
  result: Obj({ ConversationInfo: CreatedConversationInfo, ConversationId: Str(), ConversationShortId: Id(), Exist: Bool() }),
  handler({ store }, body) {
    const info = body.ConversationCoreInfo;
    if (!TYPES.includes(info.ConversationType)) throw invalid('ConversationCoreInfo.ConversationType: must be 1, 2 or 100');
    const owner = requireUser('OwnerUserId', body.OwnerUserId, body.OwnerUserIdStr);
    const inboxType = body.InboxType ?? 0;
    let other: UserId | undefined;
    if (info.ConversationType === ConversationType.OneToOne) {
      other = userOf(body.OtherUserId, body.OtherUserIdStr);
      if (other === undefined) throw invalid('OtherUserId: is required for a one-to-one conversation (ConversationType 1)');
      if (other === owner) throw invalid('OtherUserId: must differ from OwnerUserId');
    }
    const idempotentId = body.IdempotentId || undefined;
    const existing = idempotentId !== undefined
      ? store.conversationByIdempotentId(body.AppId, idempotentId)
      : other !== undefined ? store.oneToOne(body.AppId, inboxType, owner, other) : undefined;
    if (existing && existing.status === 0) return answer(existing, true);

    const conv = newConversation(store, {
      appId: body.AppId, type: info.ConversationType, inboxType, owner, other, idempotentId,
      name: info.Name ?? '', avatarUrl: info.AvatarUrl ?? '', description: info.Description ?? '', notice: info.Notice ?? '',
      ext: { ...(info.Ext ?? {}) },
    });
    store.addConversation(conv);
    return answer(conv, false);
  },
});

function answer(c: Conversation, exist: boolean) {
  return { ConversationInfo: conversationInfo(c, { memberCount: true }), ConversationId: conversationIdOf(c), ConversationShortId: c.shortId, Exist: exist };
}

export interface NewConversation {
  appId: number; type: number; inboxType: number; owner: UserId; other?: UserId; idempotentId?: string;
  name?: string; avatarUrl?: string; description?: string; notice?: string; ext?: Record<string, string>;
}

/** A conversation created now with a generated id: the owner is a member (Role 1 in a group), and so is the other user of a one-to-one. */
export function newConversation(store: Store, n: NewConversation): Conversation {
  const now = store.nowSeconds();
  const members = new Map<UserId, Member>();
  const ownerRole = n.type === ConversationType.OneToOne ? Role.Member : Role.Owner;
  members.set(n.owner, newMember(n.owner, now, { role: ownerRole, operator: n.owner }));
  if (n.other !== undefined) members.set(n.other, newMember(n.other, now, { operator: n.owner }));
  return {
    appId: n.appId, shortId: store.newId(), type: n.type, inboxType: n.inboxType,
    ownerUserId: n.owner, creatorUserId: n.owner, otherUserId: n.other,
    name: n.name ?? '', avatarUrl: n.avatarUrl ?? '', description: n.description ?? '', notice: n.notice ?? '', ext: n.ext ?? {},
    createTime: now, modifyTime: now, status: 0, idempotentId: n.idempotentId, members,
    messages: [], messagesById: new Map(), messagesByClientId: new Map(), lastIndex: 0n,
  };
}
