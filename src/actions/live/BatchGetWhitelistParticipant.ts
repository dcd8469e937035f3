// BatchGetWhitelistParticipant (reference §5.23): the live group's whitelist ascending by user id, a page at a time
// (Cursor = offset, first page 0; Limit 1..20; NextCursor -1 at the end). Operator is 0 for a string operator.
import { Obj, Opt, Int64, Id, AppId, List, Str, StrMap, Bool } from '../../protocol/schema.js';
import { isStrUser } from '../../store/model.js';
import { whitelistOf } from '../../store/live.js';
import { defineAction } from '../action.js';
import { limitOf } from '../conversation-views.js';
import { liveProfile, pageOf, requireLiveGroup, userFields } from '../moderation.js';

export default defineAction({
  name: 'BatchGetWhitelistParticipant',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Cursor: Int64({ min: 0n, description: 'offset of the page; 0 for the first' }),
    Limit: Int64({ description: '1 to 20' }),
  }),
  result: Obj({
    HasMore: Bool(),
    NextCursor: Int64(),
    Participants: List(Obj({
      AvatarUrl: Str(), CreateTime: Int64(), Ext: StrMap(), NickName: Str(), Operator: Int64(), ParticipantUserId: Int64(),
      Marks: Opt(List(Str())),
    })),
  }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchGetWhitelistParticipant');
    const limit = limitOf(body.Limit, 20);
    const { page, hasMore, next } = pageOf(whitelistOf(conv), body.Cursor, limit);
    return {
      HasMore: hasMore,
      NextCursor: next,
      Participants: page.map((w) => ({
        ParticipantUserId: userFields(w.userId).ParticipantUserId, ...liveProfile(conv, w.userId),
        Operator: isStrUser(w.operator) ? 0n : w.operator, CreateTime: w.createTime,
      })),
    };
  },
});
