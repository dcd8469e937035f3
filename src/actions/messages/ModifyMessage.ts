// ModifyMessage: edits a message (docs/6348/337137; reference §5.22). Content is replaced when given (an empty string,
// which Go clients cannot send, counts as not given); Ext is merged: keys given overwrite or are appended, the others
// are kept. Messages never expire in the mock, so every existing message can be modified but a recalled one (Status 3):
// that is refused with InvalidParameter (the vendor documents no code for it: the emulator's choice).
import { Obj, Opt, Str, StrMap, Id, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { MessageStatus } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireLiveMessage } from '../common.js';

export default defineAction({
  name: 'ModifyMessage',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    MessageId: Id('message id'),
    Content: Opt(Nullable(Str())),
    Ext: Opt(Nullable(StrMap())),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const msg = requireLiveMessage(store, conv, body.MessageId);
    if (msg.status === MessageStatus.Recalled) throw invalid(`MessageId: message ${msg.messageId} was recalled and cannot be modified`);
    const content = body.Content || undefined;
    const ext = body.Ext && Object.keys(body.Ext).length ? body.Ext : undefined;
    if (content !== undefined || ext) store.editMessage(conv, msg, { content, ext });
    return {};
  },
});
