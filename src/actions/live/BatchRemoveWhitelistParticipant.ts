// BatchRemoveWhitelistParticipant (docs/6348/1051346; reference §5.23): takes users off the live group's whitelist;
// users not on it are Failed. The Operator is not checked.
import { Obj, Opt, Int64, Id, AppId, List, Str, Nullable } from '../../protocol/schema.js';
import type { UserId } from '../../store/model.js';
import { removeWhitelist } from '../../store/live.js';
import { defineAction } from '../action.js';
import { UserIds, UserIdsStr, failedLists, requireLiveGroup, requireUsers } from '../moderation.js';

export default defineAction({
  name: 'BatchRemoveWhitelistParticipant',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who removes them (not checked)' }),
    OperatorStr: Opt(Nullable(Str())),
    ParticipantUserIds: UserIds(),
    ParticipantUserIdsStr: UserIdsStr(),
  }),
  result: Obj({ FailedUserIds: List(Id()), FailedUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchRemoveWhitelistParticipant');
    const users = requireUsers('ParticipantUserIds', body.ParticipantUserIds, body.ParticipantUserIdsStr);
    const listed = conv.live?.whitelist;
    const removing: UserId[] = [];
    const failed: UserId[] = [];
    for (const u of users) (listed?.has(u) ? removing : failed).push(u);
    if (removing.length) removeWhitelist(store, conv, removing);
    return failedLists('FailedUserIds', failed);
  },
});
