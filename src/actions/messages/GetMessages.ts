// GetMessages: messages of one conversation by id (docs/6348/337136; reference §5.17).
// One item per distinct id, in the order asked; ids that are not messages of the conversation, and messages deleted
// for everyone, are left out (lookups never fail on a missing id). The request names no viewer, so per-member
// visibility (DeleteType 1, DeleteMessage, Visible/InvisibleUsers, Barrier) does not filter here.
import { Obj, List, Id, AppId } from '../../protocol/schema.js';
import { isDeletedForAll } from '../../store/messages.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { MessageItem, messageItem } from '../messaging.js';

export default defineAction({
  name: 'GetMessages',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    MessageIds: List(Id(), { minItems: 1, maxItems: 100, description: 'message ids' }),
  }),
  result: Obj({ Messages: List(MessageItem) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const seen = new Set<bigint>();
    const Messages = [];
    for (const id of body.MessageIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const m = store.message(conv, id);
      if (m && !isDeletedForAll(m)) Messages.push(messageItem(store, conv, m));
    }
    return { Messages };
  },
});
