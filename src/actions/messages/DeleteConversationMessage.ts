// DeleteConversationMessage: deletes a message for the whole conversation (docs/6348/337140; reference §5.19).
// DeleteType 0 (default) hides it from everyone: it is left out of every read and later actions answer
// NotExistMessage. DeleteType 1 leaves it visible to its sender only (not in a live group).
import { Obj, Opt, Int32, Id, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { ConversationType } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireLiveMessage } from '../common.js';

export default defineAction({
  name: 'DeleteConversationMessage',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    MessageId: Id('message id'),
    DeleteType: Opt(Nullable(Int32({ min: 0, max: 1, description: '0 hidden from everyone, 1 visible to the sender only' }))),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const deleteType = body.DeleteType === 1 ? 1 : 0;
    if (deleteType === 1 && conv.type === ConversationType.LiveGroup) throw invalid('DeleteType: a live group supports only 0');
    const msg = requireLiveMessage(store, conv, body.MessageId);
    if (msg.deleteType !== deleteType) store.deleteForAll(conv, msg, deleteType);
    return {};
  },
});
