// RecallMessage: recalls a message (docs/6348/337141; reference §5.21): it stays, with Status 3 (recalled).
// The recalling user must be a member. RecallRole (0 member, 1 owner, 2 admin) is validated but not checked against
// the member's role or the sender, and there is no recall time limit: the server API acts with the app's authority.
import { Obj, Opt, Int32, Id, AppId, Nullable } from '../../protocol/schema.js';
import { MessageStatus } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireLiveMessage, requireMember } from '../common.js';

export default defineAction({
  name: 'RecallMessage',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    MessageId: Id('message id'),
    ParticipantUserId: Id('recalling member'),
    RecallRole: Opt(Nullable(Int32({ min: 0, max: 2, description: '0 member, 1 owner, 2 admin' }))),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    requireMember(conv, body.ParticipantUserId, 'ParticipantUserId');
    const msg = requireLiveMessage(store, conv, body.MessageId);
    if (msg.status !== MessageStatus.Recalled) store.recallMessage(conv, msg);
    return {};
  },
});
