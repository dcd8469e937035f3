// BatchUpdateUser (reference §5.23): overwrites whole profiles (NickName, Portrait, Ext, Tags) of up to 10 registered
// users; IsRobot and CreateTime are kept. An unregistered user fails with UserNotFound, a broken rule with
// InvalidParameter; the others are updated.
import { Obj, List, Str, StrMap, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, profileProblem, setTags, MAX_TAGS, USER_NOT_FOUND, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'BatchUpdateUser',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    Users: List(Obj({
      UserId: Id('a registered user'), NickName: Str(), Portrait: Str(), Ext: StrMap(), Tags: List(Str(), { maxItems: MAX_TAGS }),
    }), { minItems: 1, maxItems: 10 }),
  }),
  result: Obj({ FailedInfos: FailedInfos() }),
  handler({ store }, body) {
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    for (const u of body.Users) {
      const old = store.users.get(body.AppId, u.UserId);
      if (!old) { FailedInfos.push(failed(u.UserId, USER_NOT_FOUND, `user ${u.UserId} is not registered`)); continue; }
      const problem = profileProblem(u);
      if (problem) { FailedInfos.push(failed(u.UserId, 'InvalidParameter', problem)); continue; }
      store.users.put({ ...old, nickName: u.NickName, portrait: u.Portrait, ext: { ...u.Ext }, tags: setTags([], u.Tags), modifyTime: now });
    }
    return { FailedInfos };
  },
});
