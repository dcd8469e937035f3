// GetParticipantReadIndex: the members' read positions (reference §5.14; mock-contract §3a). Only members whose
// ReadIndex is above 0 are listed: in the vendor model a member absent from the list is at 0.
// Members are listed ascending: numeric ids by value, then string ids (ParticipantUserId 0 + ParticipantUserIdStr).
import { Obj, Opt, List, Str, Id, Int64, AppId } from '../../protocol/schema.js';
import { isStrUser } from '../../store/model.js';
import { defineAction } from '../action.js';
import { requireConversation } from '../common.js';

const ReadIndexItem = Obj({
  ParticipantUserId: Int64({ min: 0n }), ParticipantUserIdStr: Opt(Str()), ReadIndex: Int64({ min: 0n }),
});

export default defineAction({
  name: 'GetParticipantReadIndex',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), ConversationShortId: Id('conversation id') }),
  result: Obj({ ReadIndexes: List(ReadIndexItem) }),
  handler({ store }, body) {
    const conv = requireConversation(store, body.AppId, body.ConversationShortId);
    const ReadIndexes = store.sortedMembers(conv).filter((m) => m.readIndex > 0n).map(({ userId: u, readIndex }) => (isStrUser(u)
      ? { ParticipantUserId: 0n, ParticipantUserIdStr: u, ReadIndex: readIndex }
      : { ParticipantUserId: u, ReadIndex: readIndex }));
    return { ReadIndexes };
  },
});
