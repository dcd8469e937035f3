// UnRegisterUsers (reference §5.23): removes up to 10 profiles. Conversations, memberships, friendships and
// blacklists are untouched (mock-contract §9). A user that is not registered is reported as UserNotFound.
import { Obj, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, UserIdList, USER_NOT_FOUND, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'UnRegisterUsers',
  qps: 100,
  writes: true,
  body: Obj({ AppId: AppId(), UserIds: UserIdList(10) }),
  result: Obj({ FailedInfos: FailedInfos() }),
  handler({ store }, body) {
    const FailedInfos: FailedInfoItem[] = [];
    for (const id of new Set(body.UserIds)) {
      if (!store.users.remove(body.AppId, id)) FailedInfos.push(failed(id, USER_NOT_FOUND, `user ${id} is not registered`));
    }
    return { FailedInfos };
  },
});
