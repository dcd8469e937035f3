// SendMessage: one message into a conversation as one of its members (docs/6348/337135; reference §5.15, §6.4).
// The message gets the next IndexInConversation and the sender's ReadIndex moves up to it (mock-contract §3a).
// A ClientMsgId already stored in the conversation answers the original MessageId and sends nothing (whoever sends).
// Mentioned, Visible and InvisibleUsers are stored as given (members or not); see visibleTo for what they do.
// Priority is validated and otherwise ignored: the live-group rate shaping it selects is not emulated.
// Mutes are not checked, as documented.
import { Obj, Opt, List, Str, StrMap, Int32, Int64, Id, AppId, Nullable, type Static } from '../../protocol/schema.js';
import type { Conversation, UserId } from '../../store/model.js';
import type { Store } from '../../store/store.js';
import { defineAction } from '../action.js';
import { requireConversation, requireLiveMessage, requireMember, requireUser } from '../common.js';
import { usersOf } from '../messaging.js';

const Users = () => Opt(Nullable(List(Id())));
const UsersStr = () => Opt(Nullable(List(Str())));

const Body = Obj({
  AppId: AppId(),
  ConversationShortId: Id('conversation id'),
  // must be > 0 unless SenderStr names the sender
  Sender: Nullable(Int64({ min: 0n, description: 'sender user id' })),
  SenderStr: Opt(Nullable(Str())),
  MsgType: Int32({ description: 'message type' }),
  Content: Str(),
  ClientMsgId: Opt(Nullable(Str())),
  CreateTime: Opt(Nullable(Int64({ min: 0n, description: 'milliseconds' }))),
  Ext: Opt(Nullable(StrMap())),
  MentionedUsers: Users(), MentionedUsersStr: UsersStr(),
  VisibleUsers: Users(), VisibleUsersStr: UsersStr(),
  InvisibleUsers: Users(), InvisibleUsersStr: UsersStr(),
  Priority: Opt(Nullable(Int32({ min: 0, max: 2, description: '0 low, 1 normal, 2 high' }))),
  RefMsgInfo: Opt(Nullable(Obj({ ReferencedMessageId: Id(), Hint: Str() }))),
});

/** The message fields SendMessage takes; BatchSendGroupMessage sends the same fields into each conversation. */
export type Outgoing = Omit<Static<typeof Body>, 'AppId' | 'ConversationShortId' | 'Sender' | 'SenderStr'>;

/** Sends one message into conv as sender (a member): what SendMessage does once its lookups are done. */
export function sendInto(store: Store, conv: Conversation, sender: UserId, body: Outgoing): bigint {
  const clientMsgId = body.ClientMsgId || undefined;
  const earlier = clientMsgId === undefined ? undefined : conv.messagesByClientId.get(clientMsgId);
  if (earlier) return earlier.messageId;
  const ref = body.RefMsgInfo ?? undefined;
  if (ref) requireLiveMessage(store, conv, ref.ReferencedMessageId);
  const msg = store.appendMessage(conv, {
    messageId: store.newId(), sender, msgType: body.MsgType, content: body.Content,
    createTime: body.CreateTime ? body.CreateTime : store.nowMs(), status: 0, ext: { ...(body.Ext ?? {}) }, clientMsgId,
    mentionedUsers: usersOf(body.MentionedUsers, body.MentionedUsersStr),
    visibleUsers: usersOf(body.VisibleUsers, body.VisibleUsersStr),
    invisibleUsers: usersOf(body.InvisibleUsers, body.InvisibleUsersStr),
    refMsgInfo: ref && { referencedMessageId: ref.ReferencedMessageId, hint: ref.Hint },
  });
  return msg.messageId;
}

export default defineAction({
  name: 'SendMessage',
  qps: 50,
  writes: true,
  body: Body,
  result: Obj({ MessageId: Id() }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const sender = requireUser('Sender', body.Sender, body.SenderStr);
    requireMember(conv, sender, 'Sender');
    return { MessageId: sendInto(store, conv, sender, body) };
  },
});
