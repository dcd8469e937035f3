// IsFriend (reference §5.23): for each of up to 10 users, in the order asked (each once), whether UserId has them as a friend.
import { Obj, Opt, List, Bool, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { UserIdList, inboxOf } from '../people.js';

export default defineAction({
  name: 'IsFriend',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), UserId: Id(), FriendUserIds: UserIdList(10), InboxType: Opt(Int32()) }),
  result: Obj({ Infos: List(Obj({ FriendUserId: Id(), IsFriend: Bool() })) }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    const Infos = [...new Set(body.FriendUserIds)].map((id) => ({
      FriendUserId: id, IsFriend: store.relations.friend(body.AppId, inboxType, body.UserId, id) !== undefined,
    }));
    return { Infos };
  },
});
