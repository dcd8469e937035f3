// GetConversationUserCount (docs/6348/336997): the number of members.
import { Obj, Int64, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';

export default defineAction({
  name: 'GetConversationUserCount',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), ConversationShortId: Id() }),
  result: Obj({ Count: Int64() }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    return { Count: BigInt(conv.members.size) };
  },
});
