// ModifyConversationSetting (reference §5.23): one member's own settings. Omitted fields stay as they are (the Go
// model sends them as pointers). IsStickTop / IsSetFavorite switch top / favourite on or off; turning one on without
// its time uses now (ms); a time given alone sets it (0 = off). Ext is merged like ModifyMessage's.
import { Obj, Opt, Bool, StrMap, Int64, Id, AppId } from '../../protocol/schema.js';
import type { Settings } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation, requireMember } from '../common.js';

export default defineAction({
  name: 'ModifyConversationSetting',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationSettingInfo: Obj({
      ConversationShortId: Id(),
      ParticipantUserId: Id(),
      Ext: Opt(StrMap()),
      IsMute: Opt(Bool()),
      IsSetFavorite: Opt(Bool()),
      IsStickTop: Opt(Bool()),
      SetFavoriteTime: Opt(Int64({ min: 0n, description: 'milliseconds' })),
      StickTopTime: Opt(Int64({ min: 0n, description: 'milliseconds' })),
    }),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const info = body.ConversationSettingInfo;
    const conv = requireConversation(store, body.AppId, info.ConversationShortId);
    const m = requireMember(conv, info.ParticipantUserId);
    const s: Settings = { ...m.settings, ext: { ...m.settings.ext, ...(info.Ext ?? {}) } };
    if (info.IsMute !== undefined) s.isMute = info.IsMute;
    const now = store.nowMs();
    [s.isStickTop, s.stickTopTime] = toggle(s.isStickTop, s.stickTopTime, info.IsStickTop, info.StickTopTime, now);
    [s.isSetFavorite, s.setFavoriteTime] = toggle(s.isSetFavorite, s.setFavoriteTime, info.IsSetFavorite, info.SetFavoriteTime, now);
    store.setSettings(conv, m.userId, s);
    return {};
  },
});

/** The (on, time) pair after a request that may give a switch, a time, both or neither. */
function toggle(on: boolean, time: bigint, want: boolean | undefined, at: bigint | undefined, now: bigint): [boolean, bigint] {
  if (want === false) return [false, 0n];
  if (want === true) return at === 0n ? [false, 0n] : [true, at ?? now];
  if (at !== undefined) return [at > 0n, at];
  return [on, time];
}
