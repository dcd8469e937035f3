// RemoveBlackList (reference §5.23): unblocks up to 10 users; one not blocked is a no-op. Result is empty.
import { Obj, Opt, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { UserIdList, inboxOf } from '../people.js';

export default defineAction({
  name: 'RemoveBlackList',
  qps: 100,
  writes: true,
  body: Obj({ AppId: AppId(), UserId: Id(), BlackListUserIds: UserIdList(10), InboxType: Opt(Int32()) }),
  result: Obj({}),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    for (const other of new Set(body.BlackListUserIds)) {
      const b = store.relations.black(body.AppId, inboxType, body.UserId, other);
      if (b) store.relations.removeBlack(b);
    }
    return {};
  },
});
