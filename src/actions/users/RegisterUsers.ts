// RegisterUsers (docs/6348/1125993): creates or overwrites up to 20 profiles. A profile that breaks a rule goes to
// FailedInfos (Code InvalidParameter) and the others are registered. Registering again keeps CreateTime.
import { Obj, Opt, List, Str, Bool, StrMap, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, profileProblem, setTags, MAX_TAGS, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'RegisterUsers',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    Users: List(Obj({
      UserId: Id('the user'), NickName: Opt(Str()), Portrait: Opt(Str()), Ext: Opt(StrMap()),
      Tags: Opt(List(Str(), { maxItems: MAX_TAGS })), IsRobot: Opt(Bool()),
    }), { minItems: 1, maxItems: 20 }),
  }),
  result: Obj({ FailedInfos: FailedInfos() }),
  handler({ store }, body) {
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    for (const u of body.Users) {
      const problem = profileProblem(u);
      if (problem) { FailedInfos.push(failed(u.UserId, 'InvalidParameter', problem)); continue; }
      const old = store.users.get(body.AppId, u.UserId);
      store.users.put({
        appId: body.AppId, userId: u.UserId, nickName: u.NickName ?? '', portrait: u.Portrait ?? '', ext: { ...(u.Ext ?? {}) },
        tags: setTags([], u.Tags ?? []), isRobot: u.IsRobot ?? false, createTime: old?.createTime ?? now, modifyTime: now,
      });
    }
    return { FailedInfos };
  },
});
