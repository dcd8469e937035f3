// BatchDeleteConversationParticipant (docs/6348/336994): groups and live groups only. Users who are not members, and
// the owner (who cannot leave without handing ownership over), are reported in FailedUserIds. The Operator is not checked.
import { Obj, List, Int64, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { ConversationType } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';

export default defineAction({
  name: 'BatchDeleteConversationParticipant',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who removes them (not checked)' }),
    ParticipantUserIds: List(Id(), { minItems: 1 }),
  }),
  result: Obj({ FailedUserIds: List(Id()) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    if (conv.type === ConversationType.OneToOne) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', 'BatchDeleteConversationParticipant does not support one-to-one conversations');
    }
    const leaving = new Set<bigint>();
    const failed: bigint[] = [];
    for (const user of body.ParticipantUserIds) {
      if (leaving.has(user)) continue;
      if (!conv.members.has(user) || user === conv.ownerUserId) failed.push(user);
      else leaving.add(user);
    }
    if (leaving.size) store.removeMembers(conv, [...leaving]);
    return { FailedUserIds: failed };
  },
});
