// MarkConversation (docs/6348/1187904; reference §5.23): adds (MarkAction 1, default) or removes (2) mark types on a
// live group; a live group holds at most 20 (more is refused, nothing changed). Operator is not checked.
import { Obj, Opt, List, Str, Int32, Int64, Id, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { setMarkTypes } from '../../store/live.js';
import { defineAction } from '../action.js';
import { requireLiveGroup } from '../moderation.js';

export const MAX_CONVERSATION_MARKS = 20;

export default defineAction({
  name: 'MarkConversation',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    MarkTypes: List(Str(), { minItems: 1, maxItems: MAX_CONVERSATION_MARKS }),
    MarkAction: Opt(Int32({ min: 1, max: 2, description: '1 add (default), 2 remove' })),
    Operator: Opt(Int64({ min: 0n, description: 'not checked' })),
    OperatorStr: Opt(Nullable(Str())),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'MarkConversation');
    if (body.MarkTypes.some((m) => m === '')) throw invalid('MarkTypes: a mark must not be empty');
    const current = conv.live?.markTypes ?? [];
    const next = body.MarkAction === 2
      ? current.filter((m) => !body.MarkTypes.includes(m))
      : [...new Set([...current, ...body.MarkTypes])];
    if (next.length > MAX_CONVERSATION_MARKS) {
      throw invalid(`MarkTypes: a conversation has at most ${MAX_CONVERSATION_MARKS} marks (it has ${current.length})`);
    }
    setMarkTypes(store, conv, next);
    return {};
  },
});
