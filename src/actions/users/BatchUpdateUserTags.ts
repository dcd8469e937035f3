// BatchUpdateUserTags (reference §5.23): tags are "key:value"; Op 0 sets the value of each key given, Op 1 removes
// the keys given (a tag's value is ignored). Up to 10 users (the emulator's bound; none is documented); an unregistered
// user fails with UserNotFound.
import { Obj, List, Str, Int32, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { FailedInfos, failed, UserIdList, setTags, tagKey, MAX_TAGS, USER_NOT_FOUND, type FailedInfoItem } from '../people.js';

export default defineAction({
  name: 'BatchUpdateUserTags',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    UserIds: UserIdList(10),
    Tags: List(Str(), { minItems: 1, maxItems: MAX_TAGS }),
    Op: Int32({ min: 0, max: 1, description: '0 set (default), 1 remove' }),
  }),
  result: Obj({ FailedInfos: FailedInfos() }),
  handler({ store }, body) {
    const FailedInfos: FailedInfoItem[] = [];
    const now = store.nowMs();
    const removing = new Set(body.Tags.map(tagKey));
    for (const id of new Set(body.UserIds)) {
      const u = store.users.get(body.AppId, id);
      if (!u) { FailedInfos.push(failed(id, USER_NOT_FOUND, `user ${id} is not registered`)); continue; }
      const tags = body.Op === 1 ? u.tags.filter((t) => !removing.has(tagKey(t))) : setTags(u.tags, body.Tags);
      if (tags.length > MAX_TAGS) { FailedInfos.push(failed(id, 'InvalidParameter', `Tags: a user holds at most ${MAX_TAGS} tags`)); continue; }
      store.users.put({ ...u, tags, modifyTime: now });
    }
    return { FailedInfos };
  },
});

