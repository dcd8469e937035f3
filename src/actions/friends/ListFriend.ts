// ListFriend (reference §5.23, §6.7): UserId's friends, oldest added first. Cursor is an offset (0 = first), Limit up
// to 20 (0 or absent = 20), NextCursor -1 at the end; TotalCount is counted only with NeedTotal (0 otherwise).
import { Obj, Opt, List, Bool, Id, Int64, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { inboxOf, pageLimit } from '../people.js';
import { FriendInfo, friendInfoOf } from './views.js';

export default defineAction({
  name: 'ListFriend',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(), UserId: Id(), Cursor: Opt(Int64({ min: 0n })), Limit: Opt(Int64({ min: 0n, description: '1 to 20; 0 = 20' })),
    NeedTotal: Opt(Bool()), InboxType: Opt(Int32()),
  }),
  result: Obj({ FriendInfos: List(FriendInfo), HasMore: Bool(), NextCursor: Int64(), TotalCount: Int64({ min: 0n }) }),
  handler({ store }, body) {
    const limit = pageLimit(body.Limit);
    const p = store.relations.friendsPage(body.AppId, inboxOf(body.InboxType), body.UserId, body.Cursor ?? 0n, limit);
    return { FriendInfos: p.items.map(friendInfoOf), HasMore: p.hasMore, NextCursor: p.nextCursor, TotalCount: body.NeedTotal ? BigInt(p.total) : 0n };
  },
});
