// BatchAddManager (docs/6348/1051343; reference §5.23): live-group members become managers (Role 2), shown wherever
// members are listed. Users who are not members, and the owner (Role 1 stays), are Failed. The Operator is not checked.
import { Obj, Opt, Int64, Id, AppId, List, Str, Nullable } from '../../protocol/schema.js';
import { Role, type UserId } from '../../store/model.js';
import { defineAction } from '../action.js';
import { UserIds, UserIdsStr, failedLists, requireLiveGroup, requireUsers } from '../moderation.js';

export default defineAction({
  name: 'BatchAddManager',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ManagerUserIds: UserIds(),
    ManagerUserIdsStr: UserIdsStr(),
    Operator: Int64({ min: 0n, description: 'who grants it (not checked)' }),
    OperatorStr: Opt(Nullable(Str())),
  }),
  result: Obj({ FailedManagerUserIds: List(Id()), FailedManagerUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchAddManager');
    const users = requireUsers('ManagerUserIds', body.ManagerUserIds, body.ManagerUserIdsStr);
    const failed: UserId[] = [];
    let changed = false;
    for (const u of users) {
      const m = conv.members.get(u);
      if (!m || m.role === Role.Owner) { failed.push(u); continue; }
      if (m.role !== Role.Admin) { m.role = Role.Admin; changed = true; }
    }
    if (changed) store.touched(conv);
    return failedLists('FailedManagerUserIds', failed);
  },
});
