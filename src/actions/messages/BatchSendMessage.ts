// BatchSendMessage (docs/6348/1263587): one message from Sender to each Receiver (at most 500), each in their
// one-to-one conversation of that InboxType, created when missing. UserMessageId maps each receiver (as a string)
// to its MessageId; a receiver that cannot be sent to (the Sender itself, a conversation that can take no further
// index) is listed in FailedReceiver, which the vendor documents but its Go model lacks.
import { Obj, Opt, List, Str, StrMap, Int64, Int32, Id, AppId, Bool, Type } from '../../protocol/schema.js';
import { ConversationType, MessageStatus, type Conversation } from '../../store/model.js';
import { defineAction } from '../action.js';
import { newConversation } from '../conversations/CreateConversation.js';

export default defineAction({
  name: 'BatchSendMessage',
  // 12,000 messages a minute, a call to 500 receivers counting 500 (docs/6348/1263587): one token per receiver asked
  // for, from a bucket of 12,000 refilled at 200 a second (mock-contract §4)
  qps: 200,
  burst: 12_000,
  cost: (body) => body.Receiver.length,
  writes: true,
  body: Obj({
    AppId: AppId(),
    Content: Str(),
    MsgType: Int32(),
    Receiver: List(Id(), { minItems: 1, maxItems: 500, description: 'receivers' }),
    Sender: Id(),
    Ext: Opt(StrMap()),
    InboxType: Opt(Int32({ min: 0 })),
    // doc only (docs/6348/1263587): whether the sender is a normal user or a robot; accepted, changes nothing here
    IsNormalUser: Opt(Bool()),
  }),
  result: Obj({
    UserMessageId: Type.Record(Type.String(), Int64(), { description: 'receiver user id -> MessageId' }),
    FailedReceiver: Opt(List(Id())),
  }),
  handler({ store }, body) {
    const inboxType = body.InboxType ?? 0;
    const sent: Record<string, bigint> = {};
    const failed: bigint[] = [];
    const done = new Set<bigint>();
    for (const receiver of body.Receiver) {
      if (done.has(receiver)) continue;
      done.add(receiver);
      if (receiver === body.Sender) { failed.push(receiver); continue; }
      let conv: Conversation | undefined = store.oneToOne(body.AppId, inboxType, body.Sender, receiver);
      // dissolved, the sender gone, or no index left below int64's maximum: that receiver fails, nothing changes for it
      if (conv && (conv.status !== 0 || !conv.members.has(body.Sender) || store.nextIndex(conv) === undefined)) { failed.push(receiver); continue; }
      if (!conv) {
        conv = newConversation(store, { appId: body.AppId, type: ConversationType.OneToOne, inboxType, owner: body.Sender, other: receiver });
        store.addConversation(conv);
      }
      const msg = store.appendMessage(conv, {
        messageId: store.newId(), sender: body.Sender, msgType: body.MsgType, content: body.Content,
        createTime: store.nowMs(), status: MessageStatus.Visible, ext: { ...(body.Ext ?? {}) },
      });
      sent[String(receiver)] = msg.messageId;
    }
    return { UserMessageId: sent, FailedReceiver: failed };
  },
});
