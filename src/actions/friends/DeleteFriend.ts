// DeleteFriend (reference §5.23): ends up to 10 friendships, both sides; not friends is a no-op.
import { Obj, Opt, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, UserIdList, inboxOf } from '../people.js';

export default defineAction({
  name: 'DeleteFriend',
  qps: 100,
  writes: true,
  body: Obj({ AppId: AppId(), UserId: Id(), DeleteUserIds: UserIdList(10), InboxType: Opt(Int32()) }),
  result: Obj({ FailedInfos: Opt(FailedInfos()) }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    for (const other of new Set(body.DeleteUserIds)) {
      const mine = store.relations.friend(body.AppId, inboxType, body.UserId, other);
      const theirs = store.relations.friend(body.AppId, inboxType, other, body.UserId);
      if (mine) store.relations.removeFriend(mine);
      if (theirs) store.relations.removeFriend(theirs);
    }
    return { FailedInfos: [] };
  },
});
