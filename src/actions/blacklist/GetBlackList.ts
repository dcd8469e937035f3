// GetBlackList (reference §5.23, §6.7): whom UserId has blocked, newest added first. Cursor is an offset (0 = the
// newest), Limit 1 to 20 (0 = 20), NextCursor -1 at the end, TotalCount only with NeedTotal (0 otherwise).
// FriendUserInfo is UserId's friend entry when the blocked user is also a friend.
import { Obj, Opt, List, Bool, StrMap, Id, Int64, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { inboxOf, pageLimit } from '../people.js';
import { FriendUserInfo, friendInfoOf } from '../friends/views.js';

const BlackListInfo = Obj({
  BlackListUserId: Id(), BlackListUserExt: Opt(StrMap()), CreateTime: Int64({ min: 0n }), ModifyTime: Int64({ min: 0n }),
  FriendUserInfo: Opt(FriendUserInfo),
});

export default defineAction({
  name: 'GetBlackList',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(), UserId: Id(), Cursor: Int64({ min: 0n }), Limit: Int64({ min: 0n, description: '1 to 20; 0 = 20' }),
    NeedTotal: Opt(Bool()), InboxType: Opt(Int32()),
  }),
  result: Obj({ BlackListInfos: List(BlackListInfo), HasMore: Bool(), NextCursor: Int64(), TotalCount: Int64({ min: 0n }) }),
  handler({ store }, body) {
    const limit = pageLimit(body.Limit);
    const inboxType = inboxOf(body.InboxType);
    const p = store.relations.blacksPage(body.AppId, inboxType, body.UserId, body.Cursor, limit);
    const BlackListInfos = p.items.map((b) => {
      const friend = store.relations.friend(body.AppId, inboxType, body.UserId, b.blackListUserId);
      return {
        BlackListUserId: b.blackListUserId, BlackListUserExt: { ...b.ext }, CreateTime: b.createTime, ModifyTime: b.modifyTime,
        ...(friend ? { FriendUserInfo: friendInfoOf(friend) } : {}),
      };
    });
    return { BlackListInfos, HasMore: p.hasMore, NextCursor: p.nextCursor, TotalCount: body.NeedTotal ? BigInt(p.total) : 0n };
  },
});
