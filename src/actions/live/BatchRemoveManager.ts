// BatchRemoveManager (reference §5.23): live-group managers go back to Role 0. Users who are not managers (non-members,
// the owner, plain members) are Failed. The Operator is not checked.
import { Obj, Opt, Int64, Id, AppId, List, Str, Nullable } from '../../protocol/schema.js';
import { Role, type UserId } from '../../store/model.js';
import { defineAction } from '../action.js';
import { UserIds, UserIdsStr, failedLists, requireLiveGroup, requireUsers } from '../moderation.js';

export default defineAction({
  name: 'BatchRemoveManager',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who revokes it (not checked)' }),
    OperatorStr: Opt(Nullable(Str())),
    RemoveManagerUserIds: UserIds(),
    RemoveManagerUserIdsStr: UserIdsStr(),
  }),
  result: Obj({ FailedManagerUserIds: List(Id()), FailedManagerUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchRemoveManager');
    const users = requireUsers('RemoveManagerUserIds', body.RemoveManagerUserIds, body.RemoveManagerUserIdsStr);
    const failed: UserId[] = [];
    let changed = false;
    for (const u of users) {
      const m = conv.members.get(u);
      if (!m || m.role !== Role.Admin) { failed.push(u); continue; }
      m.role = Role.Member;
      changed = true;
    }
    if (changed) store.touched(conv);
    return failedLists('FailedManagerUserIds', failed);
  },
});
