// GetUserConversations (docs/6348/337049): a user's conversations in one InboxType, a page at a time.
// DataType 0: by recent activity (last message or modification), newest first; 1: by CreateTime ascending;
// 2: live groups the user created, CreateTime descending. Cursor is the offset into that order (first page 0),
// NextCursor the offset of the next page; HasMore=false on the last page. Mock: the order is computed per call from
// the user's index, so a conversation that becomes active between pages can move.
// ParticipantUserIdStr is marked required in the Go model but is omitempty there: it is optional here.
import { Obj, Opt, List, Str, Bool, Int64, Int32, AppId } from '../../protocol/schema.js';
import { ConversationType, type Conversation } from '../../store/model.js';
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
    const dataType = body.DataType ?? 0;
    const inboxType = body.InboxType ?? 0;
    const list: Conversation[] = [];
    for (const c of store.conversationsOf(body.AppId, user)) {
      if (c.status !== 0 || c.inboxType !== inboxType) continue;
      if (dataType === 2 && (c.type !== ConversationType.LiveGroup || c.creatorUserId !== user)) continue;
      list.push(c);
    }
    list.sort(ORDER[dataType]);
    const start = body.Cursor > BigInt(list.length) ? list.length : Number(body.Cursor);
    const page = list.slice(start, start + limit);
    const next = start + page.length;
    return {
      ConversationInfos: page.map((c) => conversationInfo(c, { memberCount: body.SkipMemberCount !== true })),
      HasMore: next < list.length,
      NextCursor: BigInt(next),
    };
  },
});

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
/** Seconds of the latest message or modification. */
const activity = (c: Conversation) => {
  const last = c.messages.length ? c.messages[c.messages.length - 1].createTime / 1000n : 0n;
  return last > c.modifyTime ? last : c.modifyTime;
};
const ORDER: Record<number, (a: Conversation, b: Conversation) => number> = {
  0: (a, b) => cmp(activity(b), activity(a)) || cmp(b.shortId, a.shortId),
  1: (a, b) => cmp(a.createTime, b.createTime) || cmp(a.shortId, b.shortId),
  2: (a, b) => cmp(b.createTime, a.createTime) || cmp(b.shortId, a.shortId),
};
