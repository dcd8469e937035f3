// GetConversationMessages: a page of a conversation's history by IndexInConversation (docs/6348/337138; reference §5.18, §6.7).
// Cursor is the IndexInConversation of the first message to return; 0 means "from the oldest" going forward
// (Reverse 0) and "from the newest" going backward (Reverse 1). Limit 1..20. Reverse other than 0/1 is read as 0;
// a live group is always paged backward (the model: a live group must use Reverse 1, the service adjusting it, so
// any other value reads as 1). Limit above 20 is refused: the doc caps it at 20 without saying what the service does
// with more (the emulator's choice). Messages deleted for everyone are skipped (no viewer, see GetMessages).
// NewCursor is the index of the next message to ask for: with HasMore, the next message's index; at the end going
// forward, the previous index + 1 (poll from there: every later message has an index at least that; int64's maximum
// when the last message holds it); at the end going backward, 0.
import { Obj, Opt, List, Bool, Int32, Int64, Id, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { ConversationType, INT64_MAX, type Conversation, type Message } from '../../store/model.js';
import { firstPositionFrom, isDeletedForAll, lastPositionUpTo } from '../../store/messages.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { MessageItem, messageItem } from '../messaging.js';

const MAX_LIMIT = 20n;

export default defineAction({
  name: 'GetConversationMessages',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    Cursor: Int64({ min: 0n, description: 'IndexInConversation of the first message to return; 0 = oldest (forward) or newest (backward)' }),
    Limit: Int64({ min: 1n, description: 'at most 20' }),
    Reverse: Opt(Nullable(Int32({ description: '0 forward, 1 backward; other values read as 0' }))),
  }),
  result: Obj({ Messages: List(MessageItem), HasMore: Bool(), NewCursor: Int64() }),
  handler({ store }, body) {
    if (body.Limit > MAX_LIMIT) throw invalid(`Limit: must be at most ${MAX_LIMIT}`);
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const backward = body.Reverse === 1 || conv.type === ConversationType.LiveGroup;
    const { page, next } = pageOf(conv, body.Cursor, Number(body.Limit), backward);
    return {
      Messages: page.map((m) => messageItem(store, conv, m)),
      HasMore: next !== undefined,
      NewCursor: next?.index ?? (backward ? 0n : conv.lastIndex < INT64_MAX ? conv.lastIndex + 1n : INT64_MAX),
    };
  },
});

/** Up to limit live messages from the cursor in one direction, and the next live message after them. */
function pageOf(conv: Conversation, cursor: bigint, limit: number, backward: boolean): { page: Message[]; next?: Message } {
  const ms = conv.messages;
  const step = backward ? -1 : 1;
  let i = backward ? (cursor === 0n ? ms.length - 1 : lastPositionUpTo(conv, cursor)) : firstPositionFrom(conv, cursor);
  const page: Message[] = [];
  for (; i >= 0 && i < ms.length; i += step) {
    if (isDeletedForAll(ms[i])) continue;
    if (page.length === limit) return { page, next: ms[i] };
    page.push(ms[i]);
  }
  return { page };
}
