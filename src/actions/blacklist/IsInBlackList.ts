// IsInBlackList (reference §5.23): a map of every id asked (up to 10) to whether UserId has blocked it.
import { Obj, Opt, Bool, Id, Int32, AppId, Type } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { UserIdList, inboxOf } from '../people.js';

export default defineAction({
  name: 'IsInBlackList',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), UserId: Id(), BlackListUserIds: UserIdList(10), InboxType: Opt(Int32()) }),
  result: Obj({ IsInBlackListInfos: Type.Record(Type.String(), Bool(), { description: 'user id -> blocked' }) }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    const IsInBlackListInfos: Record<string, boolean> = {};
    for (const id of body.BlackListUserIds) IsInBlackListInfos[String(id)] = store.relations.black(body.AppId, inboxType, body.UserId, id) !== undefined;
    return { IsInBlackListInfos };
  },
});
