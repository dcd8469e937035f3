// UserBroadcast (docs/6348/1125997): a message to every registered user (Tags empty) or to those with any (TagOp 0) or
// all (TagOp 1) of the Tags. A tag "key:value" matches that tag exactly, a bare "key" any value of it. 50 calls a
// second (the rate limiter) and 20 calls per AppId per day, the day by the mock clock in UTC+8: the 21st answers 429
// FlowLimitExceeded. Nothing is delivered (there are no clients): each call is recorded with the users it reached at
// that moment (GET /_mock/broadcasts). Unregistered users, the sender's membership and blacklists play no part.
import { Obj, Opt, List, Str, StrMap, Int64, Int32, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { tagKey, MAX_TAGS } from '../people.js';
import { BROADCASTS_PER_DAY, MAX_REACHED_KEPT } from '../../store/broadcasts.js';
import type { User } from '../../store/extras.js';

export default defineAction({
  name: 'UserBroadcast',
  qps: 50,
  writes: false,
  body: Obj({
    AppId: AppId(), Sender: Id(), MsgType: Int32(), Content: Str(),
    MsgTTL: Int64({ min: 1n, description: 'seconds, 1 to 604800' }),
    Ext: Opt(StrMap()), InboxType: Opt(Int32()), Tags: Opt(List(Str(), { maxItems: MAX_TAGS })),
    TagOp: Opt(Int32({ min: 0, max: 1, description: '0 any tag (default), 1 all tags' })),
  }),
  result: Obj({}),
  handler({ store }, body) {
    if (body.MsgTTL > 604800n) throw new ApiError('InvalidParameter', 'MsgTTL: must be from 1 to 604800 seconds');
    const now = store.clock.now();
    if (!store.broadcasts.takeDaily(body.AppId, now)) {
      throw new ApiError('FlowLimitExceeded', `UserBroadcast allows ${BROADCASTS_PER_DAY} calls per AppId per day (UTC+8)`);
    }
    const tags = body.Tags ?? [];
    const all = body.TagOp === 1;
    const matches = (u: User) => {
      if (tags.length === 0) return true;
      const has = (t: string) => (t.includes(':') ? u.tags.includes(t) : u.tags.some((x) => tagKey(x) === t));
      return all ? tags.every(has) : tags.some(has);
    };
    const reached: bigint[] = [];
    let reachedCount = 0;
    for (const u of store.users.all(body.AppId)) {
      if (!matches(u)) continue;
      reachedCount++;
      if (reached.length < MAX_REACHED_KEPT) reached.push(u.userId);
    }
    store.broadcasts.add({
      appId: body.AppId, time: now, sender: body.Sender, msgType: body.MsgType, content: body.Content, msgTTL: body.MsgTTL,
      ext: { ...(body.Ext ?? {}) }, inboxType: body.InboxType ?? 0, tags: [...tags], tagOp: body.TagOp ?? 0, reached, reachedCount,
    });
    return {};
  },
});
