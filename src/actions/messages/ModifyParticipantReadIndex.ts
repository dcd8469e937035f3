// ModifyParticipantReadIndex: moves one member's read position up (reference §5.13; mock-contract §2, §3a).
// The vendor does not document a non-increasing value; the mock answers InvalidParameter and changes nothing.
// The new ReadIndex may lie beyond the newest message: messages sent later up to it then count as read.
import { Obj, Opt, Str, Id, Int64, AppId, Nullable } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { requireConversation, requireMember, requireUser } from '../common.js';

export default defineAction({
  name: 'ModifyParticipantReadIndex',
  qps: 100,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id('conversation id'),
    // must be > 0 unless ParticipantUserIdStr names the user
    ParticipantUserId: Nullable(Int64({ min: 0n, description: 'member user id' })),
    ParticipantUserIdStr: Opt(Nullable(Str())),
    ReadIndex: Int64({ min: 0n, description: 'new read position' }),
  }),
  result: Obj({}),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const user = requireUser('ParticipantUserId', body.ParticipantUserId, body.ParticipantUserIdStr);
    const member = requireMember(conv, user, 'ParticipantUserId');
    if (body.ReadIndex <= member.readIndex) {
      throw invalid(`ReadIndex: must be greater than the member's current ReadIndex ${member.readIndex}`);
    }
    store.setReadIndex(conv, user, body.ReadIndex);
    return {};
  },
});
