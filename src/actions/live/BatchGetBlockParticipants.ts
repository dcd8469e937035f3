// BatchGetBlockParticipants (reference §5.23): the muted (BlockAction 0) or banned (1) users whose block is in force by
// the mock clock, ascending by user id, a page at a time (Cursor = offset, first page 0; Limit 1..20; NextCursor -1 at
// the end). BlockTime is when the block ends (seconds, 0 = until removed); a banned user is no member, so its profile
// fields are empty.
import { Obj, Opt, Int32, Int64, Id, AppId, List, Str, StrMap, Bool } from '../../protocol/schema.js';
import { BlockAction } from '../../store/model.js';
import { activeBlocks } from '../../store/live.js';
import { defineAction } from '../action.js';
import { limitOf } from '../conversation-views.js';
import { liveProfile, pageOf, requireLiveGroup, userFields } from '../moderation.js';

export default defineAction({
  name: 'BatchGetBlockParticipants',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Cursor: Int64({ min: 0n, description: 'offset of the page; 0 for the first' }),
    Limit: Int64({ description: '1 to 20' }),
    BlockAction: Opt(Int32({ min: 0, max: 1, description: '0 muted (default), 1 banned' })),
  }),
  result: Obj({
    HasMore: Bool(),
    NextCursor: Int64(),
    Participants: List(Obj({
      AvatarUrl: Str(), BlockTime: Int64(), CreateTime: Int64(), Ext: StrMap(), Marks: List(Str()), NickName: Str(),
      ParticipantUserId: Int64(), ParticipantUserIdStr: Opt(Str()),
    })),
  }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchGetBlockParticipants');
    const limit = limitOf(body.Limit, 20);
    const { page, hasMore, next } = pageOf(activeBlocks(store, conv, body.BlockAction ?? BlockAction.Mute), body.Cursor, limit);
    return {
      HasMore: hasMore,
      NextCursor: next,
      Participants: page.map((b) => ({ ...userFields(b.userId), ...liveProfile(conv, b.userId), BlockTime: b.blockTime, CreateTime: b.createTime })),
    };
  },
});
