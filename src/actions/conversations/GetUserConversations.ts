// GetUserConversations (docs/6348/337049): a user's conversations in one InboxType, a page at a time.
// DataType 0: by recent activity (last message or modification), newest first; 1: by CreateTime ascending;
// 2: live groups the user created, CreateTime descending. Cursor is the offset into that order (first page 0),
// NextCursor the offset of the next page; HasMore=false on the last page. Mock: the store keeps each user's
// conversations in these orders (store/user-conversations.ts); a conversation that becomes active between pages moves.
// ParticipantUserIdStr is marked required in the Go model but is omitempty there: it is optional here.
import { Obj, Opt, List, Str, Bool, Int64, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { ConversationInfo, conversationInfo, limitOf } from '../conversation-views.js';
import { requireUser } from '../common.js';

export default defineAction({
  name: 'GetUserConversations',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    Cursor: Int64({ min: 0n, description: 'offset of the page; 0 for the first' }),
    Limit: Int64({ description: '1 to 20' }),
    ParticipantUserId: Int64({ min: 0n, description: 'the user; 0 when ParticipantUserIdStr is used' }),
    ParticipantUserIdStr: Opt(Str()),
    DataType: Opt(Int32({ min: 0, max: 2, description: '0 recent activity, 1 create time, 2 live groups created by the user' })),
    InboxType: Opt(Int32({ min: 0 })),
    SkipMemberCount: Opt(Bool()),
  }),
  result: Obj({ ConversationInfos: List(ConversationInfo), HasMore: Bool(), NextCursor: Int64() }),
  handler({ store }, body) {
    const user = requireUser('ParticipantUserId', body.ParticipantUserId, body.ParticipantUserIdStr);
    const limit = limitOf(body.Limit, 20);
    // the store keeps each user's conversations in these orders as they change: a page costs O(log n + Limit)
    const cursor = body.Cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(body.Cursor);
    const { page, total } = store.userConversationsPage(body.AppId, user, body.InboxType ?? 0, body.DataType ?? 0, cursor, limit);
    const start = Math.min(cursor, total);
    const next = start + page.length;
    return {
      ConversationInfos: page.map((c) => conversationInfo(c, { memberCount: body.SkipMemberCount !== true })),
      HasMore: next < total,
      NextCursor: BigInt(next),
    };
  },
});
