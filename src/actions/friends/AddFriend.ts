// AddFriend (docs/6348/1125662): makes UserId and each of up to 10 users friends, both sides at once (no request and
// accept step). Already friends is a success that changes nothing; yourself fails. Ext is UserId's side of each
// friendship; the other side starts with an empty Alias and Ext. Registration is not required.
import { Obj, Opt, StrMap, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, UserIdList, inboxOf, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'AddFriend',
  qps: 50,
  writes: true,
  body: Obj({ AppId: AppId(), UserId: Id(), FriendUserIds: UserIdList(10), Ext: Opt(StrMap()), InboxType: Opt(Int32()) }),
  result: Obj({ FailedInfos: Opt(FailedInfos()) }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    for (const friend of new Set(body.FriendUserIds)) {
      if (friend === body.UserId) { FailedInfos.push(failed(friend, 'InvalidParameter', 'a user cannot add itself as a friend')); continue; }
      if (store.relations.friend(body.AppId, inboxType, body.UserId, friend)) continue;
      const side = { appId: body.AppId, inboxType, applyTime: now, createTime: now, modifyTime: now, alias: '' };
      store.relations.putFriend({ ...side, userId: body.UserId, friendUserId: friend, ext: { ...(body.Ext ?? {}) } });
      if (!store.relations.friend(body.AppId, inboxType, friend, body.UserId)) {
        store.relations.putFriend({ ...side, userId: friend, friendUserId: body.UserId, ext: {} });
      }
    }
    return { FailedInfos };
  },
});
