// DeleteMessage: deletes a message for one member only (docs/6348/337139; reference §5.20, §6.3 [INF]).
// The member no longer sees it (see visibleTo); the server reads, which name no viewer, still list it.
// The vendor has no ParticipantUserIdStr here, so only numeric users can be named.
import { Obj, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { requireConversation, requireLiveMessage, requireMember } from '../common.js';

export default defineAction({
  name: 'DeleteMessage',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    ParticipantUserId: Id('member user id'),
    MessageId: Id('message id'),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    requireMember(conv, body.ParticipantUserId, 'ParticipantUserId');
    const msg = requireLiveMessage(store, conv, body.MessageId);
    store.deleteFor(conv, msg, body.ParticipantUserId);
    return {};
  },
});
