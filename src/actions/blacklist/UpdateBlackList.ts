// UpdateBlackList (reference §5.23): merges BlackListUserExt keys into blocked users' entries (keys given overwrite
// or are added, others kept), up to 10; a user who is not blocked fails with NotInBlackList (the emulator's code).
import { Obj, Opt, Id, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { BlackListInfos, FailedInfos, failed, inboxOf, NOT_IN_BLACKLIST, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'UpdateBlackList',
  qps: 100,
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
      const b = store.relations.black(body.AppId, inboxType, body.UserId, info.BlackListUserId);
      if (!b) { FailedInfos.push(failed(info.BlackListUserId, NOT_IN_BLACKLIST, `user ${info.BlackListUserId} is not in ${body.UserId}'s blacklist`)); continue; }
      store.relations.putBlack({ ...b, ext: { ...b.ext, ...(info.BlackListUserExt ?? {}) }, modifyTime: now });
    }
    return { FailedInfos };
  },
});
