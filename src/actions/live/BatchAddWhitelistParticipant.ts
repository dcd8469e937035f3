// BatchAddWhitelistParticipant (docs/6348/1051345; reference §5.23): who may still speak while the whole live group is
// muted. Users who are not members are Failed; one already listed stays as it was. The Operator is recorded.
import { Obj, Opt, Int64, Id, AppId, List, Str, Nullable } from '../../protocol/schema.js';
import type { UserId, WhitelistEntry } from '../../store/model.js';
import { putWhitelist, liveListRoom } from '../../store/live.js';
import { userOf } from '../../store/fixtures.js';
import { defineAction } from '../action.js';
import { UserIds, UserIdsStr, failedLists, requireLiveGroup, requireUsers } from '../moderation.js';

export default defineAction({
  name: 'BatchAddWhitelistParticipant',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who adds them (recorded, not checked)' }),
    OperatorStr: Opt(Nullable(Str())),
    ParticipantUserIds: UserIds(),
    ParticipantUserIdsStr: UserIdsStr(),
  }),
  result: Obj({ FailedUserIds: List(Id()), FailedUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchAddWhitelistParticipant');
    const users = requireUsers('ParticipantUserIds', body.ParticipantUserIds, body.ParticipantUserIdsStr);
    const operator = userOf(body.Operator, body.OperatorStr) ?? 0n;
    const now = store.nowSeconds();
    const adding: WhitelistEntry[] = [];
    const failed: UserId[] = [];
    const admit = liveListRoom(conv.live?.whitelist);
    for (const u of users) {
      if (conv.members.has(u) && admit(u)) adding.push({ userId: u, operator, createTime: now });
      else failed.push(u);
    }
    if (adding.length) putWhitelist(store, conv, adding);
    return failedLists('FailedUserIds', failed);
  },
});
