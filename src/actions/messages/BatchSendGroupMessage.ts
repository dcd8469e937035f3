// BatchSendGroupMessage (docs/6348/1756984; QPS 5): one message from Sender into each of at most 20 conversations, all
// of the given ConversationType (2 group or 100 live group), each sent exactly as SendMessage sends it (sendInto: same
// IndexInConversation, sender's read position, ClientMsgId idempotency per conversation). More than 20 conversations,
// or a conversation of another type, refuses the whole call ("每次请求限制会话类型必须一致"); a conversation that does
// not exist, or whose members do not include Sender, fails on its own (FailedConversationShortIds). Mutes are not
// checked, as documented. The doc's result fields could not be read: ConversationMessageId (conversation id, as a
// string, to MessageId, like BatchSendMessage's UserMessageId) and FailedConversationShortIds are the mock's.
import { Obj, Opt, List, StrMap, Str, Int32, Int64, Id, AppId, Nullable, Type } from '../../protocol/schema.js';
import { ApiError, invalid } from '../../protocol/errors.js';
import { ConversationType, type Conversation } from '../../store/model.js';
import { defineAction } from '../action.js';
import { sendInto } from './SendMessage.js';

export const MAX_CONVERSATIONS = 20;
const Users = () => Opt(Nullable(List(Id())));

export default defineAction({
  name: 'BatchSendGroupMessage',
  qps: 5,
  writes: true,
  body: Obj({
    AppId: AppId(),
    Sender: Id('sender user id'),
    ConversationType: Int32({ description: '2 group, 100 live group' }),
    ConversationShortIds: List(Id(), { minItems: 1, maxItems: MAX_CONVERSATIONS, description: 'conversations, all of ConversationType' }),
    MsgType: Int32({ description: 'message type' }),
    Content: Str(),
    MentionedUsers: Users(),
    VisibleUsers: Users(),
    InvisibleUsers: Users(),
    Ext: Opt(Nullable(StrMap())),
    ClientMsgId: Opt(Nullable(Str())),
    CreateTime: Opt(Nullable(Int64({ min: 0n, description: 'milliseconds' }))),
    Priority: Opt(Nullable(Int32({ min: 0, max: 2, description: '0 low, 1 normal, 2 high' }))),
  }),
  result: Obj({
    ConversationMessageId: Type.Record(Type.String(), Int64(), { description: 'conversation id -> MessageId' }),
    FailedConversationShortIds: List(Id()),
  }),
  handler({ store }, body) {
    if (body.ConversationType !== ConversationType.Group && body.ConversationType !== ConversationType.LiveGroup) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', `BatchSendGroupMessage sends into groups (2) and live groups (100), not ${body.ConversationType}`);
    }
    const ids = [...new Set(body.ConversationShortIds)];
    const found = new Map<bigint, Conversation>();
    for (const id of ids) {
      const c = store.conversation(body.AppId, id);
      if (!c || c.status !== 0) continue;
      if (c.type !== body.ConversationType) {
        throw invalid(`ConversationShortIds: conversation ${id} is of type ${c.type}, not ConversationType ${body.ConversationType} (one call sends into one type)`);
      }
      found.set(id, c);
    }
    const sent: Record<string, bigint> = {};
    const failed: bigint[] = [];
    for (const id of ids) {
      const c = found.get(id);
      // gone, not a member, or no index left below int64's maximum (unless ClientMsgId names a message already
      // there): that conversation fails on its own, checked before anything is sent, so the call never answers 400
      // after sending into the conversations before it
      const again = body.ClientMsgId ? c?.messagesByClientId.has(body.ClientMsgId) : false;
      if (!c || !c.members.has(body.Sender) || (!again && store.nextIndex(c) === undefined)) { failed.push(id); continue; }
      sent[String(id)] = sendInto(store, c, body.Sender, body);
    }
    return { ConversationMessageId: sent, FailedConversationShortIds: failed };
  },
});
