// What the message and read-index actions share: the MessageItem schema and its builder (reference §5.0).
import { Obj, Opt, Str, StrMap, Int32, Id, Int64, AppId, type Static } from '../protocol/schema.js';
import { isStrUser, type Conversation, type Message, type UserId } from '../store/model.js';
import { isDeletedForAll } from '../store/messages.js';
import type { Store } from '../store/store.js';

/** RefMsgInfo.Status (reference §5.0): 0 visible, 3 recalled, 4 deleted after being visible. */
const RefStatus = { Visible: 0, Recalled: 3, Deleted: 4 } as const;

export const MessageItem = Obj({
  AppId: AppId(), ConversationShortId: Id(), ConversationType: Int32(), MessageId: Id(), MsgType: Int32(), Content: Str(),
  // 0 when the sender is a string user (then SenderStr names it)
  Sender: Int64({ min: 0n }), SenderStr: Opt(Str()),
  CreateTime: Int64({ min: 0n }), Status: Int32(), Ext: Opt(StrMap()), IndexInConversation: Opt(Id()),
  RefMsgInfo: Opt(Obj({ ReferencedMessageId: Id(), Hint: Str(), ReferencedMessageType: Int32(), Status: Int32() })),
});

/** The wire form of a message, as the server reads it (no viewer). */
export function messageItem(store: Store, conv: Conversation, m: Message) {
  const item: Record<string, unknown> = {
    AppId: conv.appId, ConversationShortId: conv.shortId, ConversationType: conv.type, MessageId: m.messageId,
    MsgType: m.msgType, Content: m.content, Sender: isStrUser(m.sender) ? 0n : m.sender,
  };
  if (isStrUser(m.sender)) item.SenderStr = m.sender;
  Object.assign(item, { CreateTime: m.createTime, Status: m.status });
  if (Object.keys(m.ext).length) item.Ext = { ...m.ext }; // omitted when empty, like the conversation's and members' Ext
  item.IndexInConversation = m.index;
  if (m.refMsgInfo) {
    const ref = store.message(conv, m.refMsgInfo.referencedMessageId);
    const status = !ref || isDeletedForAll(ref) ? RefStatus.Deleted : ref.status === RefStatus.Recalled ? RefStatus.Recalled : RefStatus.Visible;
    item.RefMsgInfo = {
      ReferencedMessageId: m.refMsgInfo.referencedMessageId, Hint: m.refMsgInfo.hint,
      ReferencedMessageType: ref?.msgType ?? 0, Status: status,
    };
  }
  return item as Static<typeof MessageItem>;
}

/** A list and its …Str twin as one list of users, duplicates once; undefined when both are empty or null. */
export function usersOf(nums: bigint[] | null | undefined, strs: string[] | null | undefined): UserId[] | undefined {
  const out = [...new Set<UserId>([...(nums ?? []), ...(strs ?? []).filter((s) => s !== '')])];
  return out.length ? out : undefined;
}
