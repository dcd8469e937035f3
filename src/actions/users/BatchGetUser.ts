// BatchGetUser (reference §5.23): up to 50 profiles, registered users in the order asked (each once), the rest in
// NotFoundUsers.
import { Obj, Opt, List, Str, Bool, StrMap, Id, Int64, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { UserIdList } from '../people.js';

const UserInfo = Obj({
  AppId: AppId(), UserId: Id(), NickName: Str(), Portrait: Str(), Ext: StrMap(), Tags: Opt(List(Str())), IsRobot: Opt(Bool()),
  CreateTime: Int64({ min: 0n, description: 'ms' }), ModifyTime: Int64({ min: 0n, description: 'ms' }),
});

export default defineAction({
  name: 'BatchGetUser',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), UserIds: UserIdList(50) }),
  result: Obj({ Users: List(UserInfo), NotFoundUsers: List(Id()) }),
  handler({ store }, body) {
    const Users = [];
    const NotFoundUsers: bigint[] = [];
    for (const id of new Set(body.UserIds)) {
      const u = store.users.get(body.AppId, id);
      if (!u) { NotFoundUsers.push(id); continue; }
      Users.push({
        AppId: u.appId, UserId: u.userId, NickName: u.nickName, Portrait: u.portrait, Ext: { ...u.ext }, Tags: [...u.tags],
        IsRobot: u.isRobot, CreateTime: u.createTime, ModifyTime: u.modifyTime,
      });
    }
    return { Users, NotFoundUsers };
  },
});
