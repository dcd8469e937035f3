// GetConversationSetting (reference §5.23): one member's own settings for a conversation, with its ReadIndex unless
// NoReadIndex (then ReadIndex is 0). A user who is not a member answers NotInConversation.
import { Obj, Opt, Str, Bool, StrMap, Int64, Int32, Id, AppId, type Static } from '../../protocol/schema.js';
import { conversationIdOf } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireMember, requireUser } from '../common.js';
import { putUser } from '../conversation-views.js';

const ConversationSettingInfo = Obj({
  AppId: AppId(), ConversationShortId: Id(), ConversationId: Str(), ConversationType: Int32(), InboxType: Int32(),
  ParticipantUserId: Int64(), ParticipantUserIdStr: Opt(Str()), ReadIndex: Int64(),
  StickTopTime: Int64({ description: 'milliseconds; 0 = not on top' }),
  Ext: Opt(StrMap()), IsMute: Opt(Bool()), IsSetFavorite: Opt(Bool()), IsStickTop: Opt(Bool()), SetFavoriteTime: Opt(Int64()),
});

export default defineAction({
  name: 'GetConversationSetting',
  qps: 100,
  writes: false,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ParticipantUserId: Int64({ min: 0n, description: 'the member; 0 when ParticipantUserIdStr is used' }),
    ParticipantUserIdStr: Opt(Str()),
    NoReadIndex: Opt(Bool()),
  }),
  result: Obj({ ConversationSettingInfo }),
  handler({ store }, body) {
    const user = requireUser('ParticipantUserId', body.ParticipantUserId, body.ParticipantUserIdStr);
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const m = requireMember(conv, user);
    const s = m.settings;
    const out: Record<string, unknown> = {
      AppId: conv.appId, ConversationShortId: conv.shortId, ConversationId: conversationIdOf(conv),
      ConversationType: conv.type, InboxType: conv.inboxType,
    };
    putUser(out, 'ParticipantUserId', user, true);
    Object.assign(out, {
      ReadIndex: body.NoReadIndex ? 0n : m.readIndex, StickTopTime: s.stickTopTime, IsMute: s.isMute,
      IsStickTop: s.isStickTop, IsSetFavorite: s.isSetFavorite, SetFavoriteTime: s.setFavoriteTime,
    });
    if (Object.keys(s.ext).length) out.Ext = { ...s.ext };
    return { ConversationSettingInfo: out as Static<typeof ConversationSettingInfo> };
  },
});
