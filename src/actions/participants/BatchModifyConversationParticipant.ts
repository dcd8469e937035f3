// BatchModifyConversationParticipant (reference §5.23): groups and live groups. Sets, for each member, the fields given:
// Role (0 member, 2 admin; the owner keeps 1), NickName, Level, Ext (replaced), BlockTime (mute-until, seconds).
// Users who are not members, a Role other than 0 or 2 for a member, and any Role but 1 for the owner are Failed.
// The Operator is not checked.
import { Obj, Opt, List, Str, StrMap, Int64, Int32, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { ConversationType, Role, type Member } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { MAX_USERS } from '../moderation.js';

/** The member's role after the patch, or undefined when the patch asks for one it cannot have. */
function roleAfter(m: Member, isOwner: boolean, role: bigint | undefined): number | undefined {
  if (role === undefined) return m.role;
  if (isOwner) return role === 1n ? Role.Owner : undefined;
  return role === 0n ? Role.Member : role === 2n ? Role.Admin : undefined;
}

export default defineAction({
  name: 'BatchModifyConversationParticipant',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who changes them (not checked)' }),
    ParticipantInfos: List(Obj({
      ParticipantUserId: Id('the member; must be > 0'),
      BlockTime: Opt(Int64({ min: 0n, description: 'mute-until, seconds; 0 = not muted' })),
      Ext: Opt(StrMap()),
      Level: Opt(Int32()),
      NickName: Opt(Str()),
      Role: Opt(Int64({ description: '0 member, 2 admin; 1 for the owner only' })),
    }), { minItems: 1, maxItems: MAX_USERS }),
  }),
  result: Obj({ FailedUserIds: List(Id()) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    if (conv.type === ConversationType.OneToOne) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', 'BatchModifyConversationParticipant does not support one-to-one conversations');
    }
    const failed: bigint[] = [];
    const changes: [Member, number, (typeof body.ParticipantInfos)[number]][] = [];
    for (const p of body.ParticipantInfos) {
      const user = p.ParticipantUserId;
      const m = conv.members.get(user);
      const role = m && roleAfter(m, user === conv.ownerUserId, p.Role);
      if (!m || role === undefined) failed.push(user);
      else changes.push([m, role, p]);
    }
    for (const [m, role, p] of changes) {
      m.role = role;
      if (p.NickName !== undefined) m.nickName = p.NickName;
      if (p.Level !== undefined) m.level = p.Level;
      if (p.Ext !== undefined) m.ext = { ...p.Ext };
      if (p.BlockTime !== undefined) m.blockTime = p.BlockTime;
    }
    if (changes.length) store.touched(conv);
    return { FailedUserIds: failed };
  },
});
