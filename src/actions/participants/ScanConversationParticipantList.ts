// ScanConversationParticipantList (docs/6348/336993): members a page at a time, by join time (Reverse: newest first).
// Cursor is the offset into that order (first page 0); NextCursor the next page's offset, negative when there is no
// more. Limit 1..20, or 1..50 with OnlyUserIds. A live group lists its owner and admins (managers, Role 2); with
// ScanOnlineParticipant it lists its online members newest first, online by isOnline (mock-contract §9's presence;
// other types list nothing then). MarkType keeps the members of the list that carry that mark (BatchUpdateLiveParticipants).
import { Obj, Opt, List, Str, Bool, Int64, Int32, Id, AppId } from '../../protocol/schema.js';
import { ConversationType, Role, type Member } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { ScanParticipant, limitOf, participant, participantId } from '../conversation-views.js';

export default defineAction({
  name: 'ScanConversationParticipantList',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Cursor: Int64({ min: 0n, description: 'offset of the page; 0 for the first' }),
    Limit: Int64({ description: '1 to 20, or to 50 with OnlyUserIds' }),
    MarkType: Opt(Str()),
    OnlyUserIds: Opt(Bool()),
    Reverse: Opt(Bool()),
    ScanOnlineParticipant: Opt(Bool()),
  }),
  result: Obj({ HasMore: Bool(), NextCursor: Int32(), Participants: List(ScanParticipant) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const online = body.ScanOnlineParticipant === true;
    const onlyIds = body.OnlyUserIds === true && !online;
    const limit = onlyIds ? limitOf(body.Limit, 50, ' with OnlyUserIds') : limitOf(body.Limit, 20);
    const live = conv.type === ConversationType.LiveGroup;
    let list: Member[] = [...conv.members.values()];
    if (online && !live) list = [];
    else if (online) list = list.filter((m) => store.isOnline(conv.appId, m.userId));
    else if (live) list = list.filter((m) => m.role === Role.Owner || m.role === Role.Admin);
    const mark = body.MarkType;
    if (mark) list = list.filter((m) => m.marks?.includes(mark));
    if (online || body.Reverse === true) list.reverse();
    const start = body.Cursor > BigInt(list.length) ? list.length : Number(body.Cursor);
    const page = list.slice(start, start + limit);
    const next = start + page.length;
    const hasMore = next < list.length;
    return {
      HasMore: hasMore,
      NextCursor: hasMore ? next : -1,
      Participants: page.map((m) => (onlyIds ? participantId(conv, m) : participant(conv, m, true))),
    };
  },
});
