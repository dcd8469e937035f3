// BatchDeleteBlockParticipants (reference §5.23): ends mutes (BlockAction 0) or bans (1) now. Users without a block of
// that kind in force are Failed.
import { Obj, Opt, Int32, Id, AppId, List, Str } from '../../protocol/schema.js';
import { BlockAction, type UserId } from '../../store/model.js';
import { activeBlock, removeBlocks } from '../../store/live.js';
import { defineAction } from '../action.js';
import { UserIds, UserIdsStr, failedLists, requireLiveGroup, requireUsers } from '../moderation.js';

export default defineAction({
  name: 'BatchDeleteBlockParticipants',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ParticipantUserIds: UserIds(),
    ParticipantUserIdsStr: UserIdsStr(),
    BlockAction: Opt(Int32({ min: 0, max: 1, description: '0 unmute (default), 1 unban' })),
  }),
  result: Obj({ FailedParticipantUserIds: List(Id()), FailedParticipantUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchDeleteBlockParticipants');
    const users = requireUsers('ParticipantUserIds', body.ParticipantUserIds, body.ParticipantUserIdsStr);
    const action = body.BlockAction ?? BlockAction.Mute;
    const ending: UserId[] = [];
    const failed: UserId[] = [];
    for (const u of users) (activeBlock(store, conv, action, u) ? ending : failed).push(u);
    if (ending.length) removeBlocks(store, conv, action, ending);
    return failedLists('FailedParticipantUserIds', failed);
  },
});
