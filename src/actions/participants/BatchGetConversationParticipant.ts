// BatchGetConversationParticipant (docs/6348/336992): members by user id, in the order asked; users who are not
// members are left out.
import { Obj, List, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { Participant, participant } from '../conversation-views.js';

export default defineAction({
  name: 'BatchGetConversationParticipant',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), ConversationShortId: Id(), ParticipantUserIds: List(Id(), { minItems: 1 }) }),
  result: Obj({ Participants: List(Participant) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const seen = new Set<bigint>();
    const out = [];
    for (const user of body.ParticipantUserIds) {
      if (seen.has(user)) continue;
      seen.add(user);
      const m = conv.members.get(user);
      if (m) out.push(participant(conv, m));
    }
    return { Participants: out };
  },
});
