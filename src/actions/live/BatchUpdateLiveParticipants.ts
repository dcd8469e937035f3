// BatchUpdateLiveParticipants (docs/6348/1162951; reference §5.23): at most 10 live-group members' AvatarUrl, NickName
// and Ext (each replaced when given; at least one of the three), and their Marks: added (MarkAction 1, default) or
// removed (2). Marks feed ScanConversationParticipantList's MarkType filter. Per-member failures go in FailedInfos:
// a non-member with the vendor's Code ParticipantNotInConversation, a member with none of the three fields or with
// more than 20 marks with InvalidParameter.
import { Obj, Opt, List, Str, StrMap, Int32, Int64, Id, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { userOf } from '../../store/fixtures.js';
import type { UserId } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireLiveGroup, userFields } from '../moderation.js';

/** Marks per member: the vendor documents none, the mock bounds it. */
export const MAX_MEMBER_MARKS = 20;

const MarkAction = { Add: 1, Delete: 2 } as const;

export default defineAction({
  name: 'BatchUpdateLiveParticipants',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ParticipantInfos: List(Obj({
      UserId: Int64({ min: 0n, description: 'the member; 0 when UserIdStr names it' }),
      UserIdStr: Opt(Nullable(Str())),
      AvatarUrl: Opt(Str()),
      Ext: Opt(StrMap()),
      Marks: Opt(Nullable(List(Str(), { maxItems: MAX_MEMBER_MARKS }))),
      NickName: Opt(Str()),
    }), { minItems: 1, maxItems: 10 }),
    MarkAction: Opt(Int32({ min: 1, max: 2, description: '1 add marks (default), 2 remove them' })),
  }),
  result: Obj({
    FailedInfos: Opt(List(Obj({ Code: Str(), Message: Str(), UserId: Int64(), UserIdStr: Opt(Str()) }))),
  }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchUpdateLiveParticipants');
    const users: UserId[] = body.ParticipantInfos.map((p, i) => {
      const u = userOf(p.UserId, p.UserIdStr);
      if (u === undefined) throw invalid(`ParticipantInfos[${i}].UserId: must be a positive int64 integer, or UserIdStr must be given`);
      return u;
    });
    const failed: { Code: string; Message: string; UserId: bigint; UserIdStr?: string }[] = [];
    const fail = (u: UserId, code: string, message: string) => {
      const { ParticipantUserId, ParticipantUserIdStr } = userFields(u);
      failed.push({ Code: code, Message: message, UserId: ParticipantUserId, ...(ParticipantUserIdStr ? { UserIdStr: ParticipantUserIdStr } : {}) });
    };
    let changed = false;
    body.ParticipantInfos.forEach((p, i) => {
      const u = users[i];
      const m = conv.members.get(u);
      if (!m) return fail(u, 'ParticipantNotInConversation', `user ${u} is not a member of conversation ${conv.shortId}`);
      if (p.AvatarUrl === undefined && p.NickName === undefined && p.Ext === undefined) {
        return fail(u, 'InvalidParameter', 'at least one of AvatarUrl, NickName and Ext is required');
      }
      const asked = p.Marks ?? [];
      const marks = body.MarkAction === MarkAction.Delete
        ? (m.marks ?? []).filter((x) => !asked.includes(x))
        : [...new Set([...(m.marks ?? []), ...asked])];
      if (marks.length > MAX_MEMBER_MARKS) return fail(u, 'InvalidParameter', `a member has at most ${MAX_MEMBER_MARKS} marks`);
      if (p.AvatarUrl !== undefined) m.avatarUrl = p.AvatarUrl;
      if (p.NickName !== undefined) m.nickName = p.NickName;
      if (p.Ext !== undefined) m.ext = { ...p.Ext };
      m.marks = marks;
      changed = true;
    });
    if (changed) store.touched(conv);
    return { FailedInfos: failed };
  },
});
