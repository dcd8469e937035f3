// ModifyConversation (docs/6348/337115): omitted fields stay as they are; Ext is merged like ModifyMessage's (given
// keys overwritten or added, others kept); a new owner must already be a member. ModifyTime moves to now.
import { Obj, Opt, Str, StrMap, Int64, Id, AppId } from '../../protocol/schema.js';
import { userOf } from '../../store/fixtures.js';
import { defineAction } from '../action.js';
import { requireConversation, requireMember } from '../common.js';

export default defineAction({
  name: 'ModifyConversation',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationCoreInfo: Obj({
      ConversationShortId: Id(),
      AvatarUrl: Opt(Str()), Description: Opt(Str()), Ext: Opt(StrMap()), Name: Opt(Str()), Notice: Opt(Str()),
      OwnerUserId: Opt(Int64({ min: 0n })), OwnerUserIdStr: Opt(Str()),
    }),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const info = body.ConversationCoreInfo;
    const conv = requireConversation(store, body.AppId, info.ConversationShortId);
    const owner = userOf(info.OwnerUserId, info.OwnerUserIdStr);
    if (owner !== undefined) requireMember(conv, owner);
    store.modifyConversation(conv, {
      name: info.Name, avatarUrl: info.AvatarUrl, description: info.Description, notice: info.Notice,
      ext: info.Ext && { ...info.Ext }, owner,
    });
    return {};
  },
});
