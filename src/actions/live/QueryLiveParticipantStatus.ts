// QueryLiveParticipantStatus (reference §5.23): whether each user is in the live group now, and since when (CreateTime,
// seconds; 0 for a non-member). The first 200 distinct users are answered, in the order asked; more are ignored, as
// documented.
import { Obj, Opt, List, Str, Bool, Int64, Int32, Id, AppId, Nullable } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { usersOf } from '../messaging.js';
import { invalid } from '../../protocol/errors.js';
import { requireLiveGroup, userFields } from '../moderation.js';

const ANSWERED = 200;
/** A request may name more (they are ignored); the body's size is still bounded. */
const MAX_ASKED = 10000;

export default defineAction({
  name: 'QueryLiveParticipantStatus',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ParticipantUserIds: Nullable(List(Id(), { maxItems: MAX_ASKED })),
    ParticipantUserIdsStr: Opt(Nullable(List(Str(), { maxItems: MAX_ASKED }))),
  }),
  result: Obj({
    Status: List(Obj({
      AppId: Int32(), ConversationShortId: Id(), CreateTime: Int64(), IsInConversation: Bool(),
      ParticipantUserId: Int64(), ParticipantUserIdStr: Opt(Str()),
    })),
  }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'QueryLiveParticipantStatus');
    const users = usersOf(body.ParticipantUserIds, body.ParticipantUserIdsStr);
    if (!users) throw invalid('ParticipantUserIds: at least one user is required (ParticipantUserIds or ParticipantUserIdsStr)');
    return {
      Status: users.slice(0, ANSWERED).map((u) => {
        const m = conv.members.get(u);
        return {
          AppId: conv.appId, ConversationShortId: conv.shortId, ...userFields(u),
          IsInConversation: m !== undefined, CreateTime: m?.createTime ?? 0n,
        };
      }),
    };
  },
});
