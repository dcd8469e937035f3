// IsUserInConversation (docs/6348/336996): whether a user is a member.
import { Obj, Bool, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';

export default defineAction({
  name: 'IsUserInConversation',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), ConversationShortId: Id(), ParticipantUserId: Id() }),
  result: Obj({ IsUserInConversation: Bool() }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    return { IsUserInConversation: conv.members.has(body.ParticipantUserId) };
  },
});
