// AddBlackList (docs/6348/1152119): UserId blocks up to 10 users (one-way). A user already blocked is kept as it is;
// yourself fails. Blocking does not end a friendship, and the server API's own sends ignore blacklists.
import { Obj, Opt, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { BlackListInfos, FailedInfos, failed, inboxOf, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'AddBlackList',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(), UserId: Id(), InboxType: Opt(Int32()),
    BlackListInfos: BlackListInfos(),
  }),
  result: Obj({ FailedInfos: FailedInfos() }),
  handler({ store }, body) {
    const inboxType = inboxOf(body.InboxType);
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    for (const info of body.BlackListInfos) {
      const other = info.BlackListUserId;
      if (other === body.UserId) { FailedInfos.push(failed(other, 'InvalidParameter', 'a user cannot block itself')); continue; }
      if (store.relations.black(body.AppId, inboxType, body.UserId, other)) continue;
      store.relations.putBlack({
        appId: body.AppId, inboxType, userId: body.UserId, blackListUserId: other, ext: { ...(info.BlackListUserExt ?? {}) },
        createTime: now, modifyTime: now,
      });
    }
    return { FailedInfos };
  },
});
