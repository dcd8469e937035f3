// GetConversationMarks (reference §5.23): a live group's mark types, in the order they were added.
import { Obj, List, Str, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { requireLiveGroup } from '../moderation.js';

export default defineAction({
  name: 'GetConversationMarks',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), ConversationShortId: Id() }),
  result: Obj({ MarkTypes: List(Str()) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'GetConversationMarks');
    return { MarkTypes: [...(conv.live?.markTypes ?? [])] };
  },
});
