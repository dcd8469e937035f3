// BatchGetConversations (docs/6348/337118): conversations by id, in the order asked; unknown and dissolved ids are
// left out. SkipMemberCount defaults to true, and then MemberCount is omitted.
import { Obj, Opt, List, Bool, Id, AppId } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { ConversationInfo, conversationInfo } from '../conversation-views.js';

export default defineAction({
  name: 'BatchGetConversations',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: List(Id(), { minItems: 1, description: 'conversation ids (an array despite the name)' }),
    SkipMemberCount: Opt(Bool()),
  }),
  result: Obj({ ConversationCoreInfos: List(ConversationInfo) }),
  handler({ store }, body) {
    const memberCount = body.SkipMemberCount === false;
    const seen = new Set<bigint>();
    const infos = [];
    for (const id of body.ConversationShortId) {
      if (seen.has(id)) continue;
      seen.add(id);
      const c = store.conversation(body.AppId, id);
      if (c && c.status === 0) infos.push(conversationInfo(c, { memberCount }));
    }
    return { ConversationCoreInfos: infos };
  },
});
