// UpdateFriend (reference §5.23): sets UserId's Alias for a friend and merges Ext keys into UserId's side (keys given
// overwrite or are added, others kept). An entry with neither Alias nor Ext, or for a user who is not a friend, fails.
import { Obj, Opt, List, Str, StrMap, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, inboxOf, NOT_FRIEND, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'UpdateFriend',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(), UserId: Id(), InboxType: Opt(Int32()),
    FriendInfos: List(Obj({ FriendUserId: Id(), Alias: Opt(Str()), Ext: Opt(StrMap()) }), { minItems: 1, maxItems: 10 }),
  }),
  result: Obj({ FailedInfos: Opt(FailedInfos()) }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    for (const info of body.FriendInfos) {
      const f = store.relations.friend(body.AppId, inboxType, body.UserId, info.FriendUserId);
      if ((info.Alias === undefined || info.Alias === null) && (info.Ext === undefined || info.Ext === null)) {
        FailedInfos.push(failed(info.FriendUserId, 'InvalidParameter', 'Alias or Ext is required'));
      } else if (!f) {
        FailedInfos.push(failed(info.FriendUserId, NOT_FRIEND, `user ${info.FriendUserId} is not a friend of ${body.UserId}`));
      } else {
        store.relations.putFriend({ ...f, alias: info.Alias ?? f.alias, ext: { ...f.ext, ...(info.Ext ?? {}) }, modifyTime: now });
      }
    }
    return { FailedInfos };
  },
});
