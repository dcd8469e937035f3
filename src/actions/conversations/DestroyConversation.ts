// DestroyConversation (docs/6348/337036): groups and live groups only, and only by their owner (403 AccessDenied
// otherwise, with no CodeN: a business refusal, not the gateway's credential refusal 100013; docs/errors.md).
// The conversation is then gone: later calls answer NotExistConversation.
import { Obj, Opt, Str, Int64, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { ConversationType } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireUser } from '../common.js';

export default defineAction({
  name: 'DestroyConversation',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    OwnerUserId: Int64({ min: 0n, description: 'the owner; 0 when OwnerUserIdStr is used' }),
    OwnerUserIdStr: Opt(Str()),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const owner = requireUser('OwnerUserId', body.OwnerUserId, body.OwnerUserIdStr);
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    if (conv.type === ConversationType.OneToOne) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', 'DestroyConversation supports group and live group conversations only');
    }
    if (conv.ownerUserId !== owner) {
      throw new ApiError('AccessDenied', `DestroyConversation on conversation ${conv.shortId} (${owner} is not its owner)`);
    }
    store.removeConversation(conv);
    return {};
  },
});
