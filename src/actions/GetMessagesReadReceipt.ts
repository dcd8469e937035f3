// GetMessagesReadReceipt: who has and has not read each message (docs/6348/1223552; mock-contract §3).
// One-to-one and group only. A member has read M when its ReadIndex >= M.IndexInConversation; the sender is left out.
import { Obj, Opt, List, Str, Bool, Id, AppId } from '../protocol/schema.js';
import { ApiError } from '../protocol/errors.js';
import { ConversationType, isStrUser, type Conversation, type Message, type UserId } from '../store/model.js';
import { isDeletedForAll } from '../store/messages.js';
import { defineAction } from './action.js';
import { requireConversation } from './common.js';

const ReadReceipt = Obj({
  ConversationShortId: Id(), MessageId: Id(),
  ReadUserIds: List(Id()), ReadUserIdsStr: Opt(List(Str())),
  UnReadUserIds: List(Id()), UnReadUserIdsStr: Opt(List(Str())),
  ReceiverIsRead: Bool(),
});

export default defineAction({
  name: 'GetMessagesReadReceipt',
  qps: 100,
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
    const members = sortedMembers(conv);
    const seen = new Set<bigint>();
    const receipts = [];
    for (const id of body.MessageIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const msg = store.message(conv, id);
      if (msg && !isDeletedForAll(msg)) receipts.push(receiptFor(conv, msg, members)); // deleted for everyone: gone from every read
    }
    return { ReadReceipt: receipts };
  },
});

/** Members sorted ascending: numeric ids by value, then string ids. */
function sortedMembers(conv: Conversation): UserId[] {
  const nums: bigint[] = [];
  const strs: string[] = [];
  for (const u of conv.members.keys()) (isStrUser(u) ? strs : nums).push(u as never);
  nums.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  strs.sort();
  return [...nums, ...strs];
}

function receiptFor(conv: Conversation, msg: Message, members: UserId[]) {
  const read: UserId[] = [];
  const unread: UserId[] = [];
  for (const u of members) {
    if (u === msg.sender) continue;
    (conv.members.get(u)!.readIndex >= msg.index ? read : unread).push(u);
  }
  const receipt: Record<string, unknown> = {
    MessageId: msg.messageId,
    ConversationShortId: conv.shortId,
    ReceiverIsRead: conv.type === ConversationType.OneToOne && read.length > 0,
    ReadUserIds: read.filter((u) => !isStrUser(u)),
    UnReadUserIds: unread.filter((u) => !isStrUser(u)),
  };
  const readStr = read.filter(isStrUser);
  const unreadStr = unread.filter(isStrUser);
  if (readStr.length || unreadStr.length) Object.assign(receipt, { ReadUserIdsStr: readStr, UnReadUserIdsStr: unreadStr });
  return receipt as { MessageId: bigint; ConversationShortId: bigint; ReceiverIsRead: boolean; ReadUserIds: bigint[]; UnReadUserIds: bigint[] };
}
