// BatchAddConversationParticipant (docs/6348/336991): groups and live groups only. Adding an existing member
// overwrites its data (it keeps its join time and settings). Users beyond the member cap (200, live group 10000) are
// reported in FailedUserIds, not as a failed call. Role: 0 member, 2 admin; 1 only for the owner; anything else is 0.
// ReadIndex seeds the read position; Barrier hides the messages sent before the join from new members.
// The Operator is recorded, not checked (as documented). A user banned from a live group (BatchAddBlockParticipants
// BlockAction 1) is reported in FailedUserIds until the ban ends (mock-contract §10).
import { Obj, Opt, List, Str, Bool, StrMap, Int64, Int32, Id, AppId } from '../../protocol/schema.js';
import { ApiError } from '../../protocol/errors.js';
import { ConversationType, Role, type Member } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';
import { memberCap, newMember } from '../conversation-views.js';
import { isBanned } from '../../store/live.js';

export default defineAction({
  name: 'BatchAddConversationParticipant',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    Operator: Int64({ min: 0n, description: 'who adds them (not checked)' }),
    ParticipantInfos: List(Obj({
      ParticipantUserId: Id('the member; must be > 0'),
      Ext: Opt(StrMap()),
      Level: Opt(Int32()),
      NickName: Opt(Str()),
      ReadIndex: Opt(Int64({ min: 0n })),
      Role: Opt(Int64({ description: '0 member, 1 owner, 2 admin; anything else is 0' })),
    }), { minItems: 1 }),
    Barrier: Opt(Bool()),
  }),
  result: Obj({ FailedUserIds: List(Id()) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    if (conv.type === ConversationType.OneToOne) {
      throw new ApiError('InvalidParameter.UnsupportedConversationType', 'BatchAddConversationParticipant does not support one-to-one conversations');
    }
    const now = store.nowSeconds();
    const cap = memberCap(conv);
    const joining = new Map<bigint, Member>();
    const failed: bigint[] = [];
    for (const p of body.ParticipantInfos) {
      const user = p.ParticipantUserId;
      const old = conv.members.get(user);
      if ((!old && !joining.has(user) && conv.members.size + joining.size >= cap) || isBanned(store, conv, user)) {
        failed.push(user);
        continue;
      }
      const isOwner = user === conv.ownerUserId;
      const role = isOwner ? Role.Owner : p.Role === 2n ? Role.Admin : Role.Member;
      const base = old ?? newMember(user, now, { barrierIndex: body.Barrier ? conv.lastIndex : 0n });
      joining.set(user, {
        ...base, role, operator: body.Operator, nickName: p.NickName ?? '', level: p.Level ?? 0, ext: { ...(p.Ext ?? {}) },
        // a read position only moves up (mock-contract §3a): re-adding a member keeps the larger one
        readIndex: p.ReadIndex !== undefined && p.ReadIndex !== null && p.ReadIndex > base.readIndex ? p.ReadIndex : base.readIndex,
      });
    }
    if (joining.size) store.putMembers(conv, [...joining.values()]);
    return { FailedUserIds: failed };
  },
});
