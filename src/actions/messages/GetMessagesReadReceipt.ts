// GetMessagesReadReceipt: who has and has not read each message (docs/6348/1223552; mock-contract §3).
// One-to-one and group only. A member has read M when its ReadIndex >= M.IndexInConversation; the sender is left out.
import { Obj, Opt, List, Str, Bool, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { ConversationType, isStrUser, type Conversation, type Member, type Message } from '../../store/model.js';
import { isDeletedForAll } from '../../store/messages.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';

const ReadReceipt = Obj({
  ConversationShortId: Id(), MessageId: Id(),
  ReadUserIds: List(Id()), ReadUserIdsStr: Opt(List(Str())),
  UnReadUserIds: List(Id()), UnReadUserIdsStr: Opt(List(Str())),
  ReceiverIsRead: Bool(),
});

export default defineAction({
  name: 'GetMessagesReadReceipt',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    MessageIds: List(Id(), { minItems: 1, maxItems: 100, description: 'message ids' }),
  }),
  result: Obj({ ReadReceipt: List(ReadReceipt) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    if (conv.type !== ConversationType.OneToOne && conv.type !== ConversationType.Group) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', 'GetMessagesReadReceipt supports one-to-one and group conversations only');
    }
    const members = store.sortedMembers(conv);
    const ids = body.MessageIds;
    const seen = ids.length > 1 ? new Set<bigint>() : undefined; // an id asked twice is answered once
    const receipts: Receipt[] = [];
    for (const id of ids) {
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const msg = store.message(conv, id);
      if (msg && !isDeletedForAll(msg)) receipts.push(receiptFor(conv, msg, members)); // deleted for everyone: gone from every read
    }
    return { ReadReceipt: receipts };
  },
});

interface Receipt {
  MessageId: bigint; ConversationShortId: bigint; ReceiverIsRead: boolean; ReadUserIds: bigint[]; UnReadUserIds: bigint[];
  ReadUserIdsStr?: string[]; UnReadUserIdsStr?: string[];
}

/** members: ascending by user id (numeric ids first), so each list comes out sorted. */
function receiptFor(conv: Conversation, msg: Message, members: readonly Member[]): Receipt {
  const read: bigint[] = [];
  const unread: bigint[] = [];
  let readStr: string[] | undefined;
  let unreadStr: string[] | undefined;
  for (const m of members) {
    const u = m.userId;
    if (u === msg.sender) continue;
    if (isStrUser(u)) {
      if (m.readIndex >= msg.index) (readStr ??= []).push(u);
      else (unreadStr ??= []).push(u);
    } else {
      (m.readIndex >= msg.index ? read : unread).push(u);
    }
  }
  const receipt: Receipt = {
    MessageId: msg.messageId,
    ConversationShortId: conv.shortId,
    ReceiverIsRead: conv.type === ConversationType.OneToOne && (read.length > 0 || readStr !== undefined),
    ReadUserIds: read,
    UnReadUserIds: unread,
  };
  // the …Str lists only when some member has a string id
  if (readStr || unreadStr) {
    receipt.ReadUserIdsStr = readStr ?? [];
    receipt.UnReadUserIdsStr = unreadStr ?? [];
  }
  return receipt;
}
