// BatchAddBlockParticipants (docs/6348/788462; reference §5.23): mutes (BlockAction 0) or bans (1) users in a live group
// for the seconds given (0 = until removed), ended by the mock clock (mock-contract §10). A ban removes the member and
// keeps BatchAddConversationParticipant from adding them until it ends; a user need not be a member to be banned.
// Failed: the owner (cannot be blocked) and, for a mute, users who are not members. Server sends ignore mutes.
import { Obj, Opt, Int32, Int64, Id, AppId, List, Str, Type } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { BlockAction, type Block, type UserId } from '../../store/model.js';
import { putBlocks, liveListRoom } from '../../store/live.js';
import { defineAction } from '../action.js';
import { MAX_USERS, failedLists, requireLiveGroup } from '../moderation.js';

const I64_MAX = 2n ** 63n - 1n;
const Seconds = () => Type.Record(Type.String(), Int64({ min: 0n, description: 'seconds; 0 = until removed' }));

/** The users and durations of both maps; numeric keys must be user ids. */
function blocksAsked(nums: Record<string, unknown>, strs: Record<string, unknown> | null | undefined): Map<UserId, bigint> {
  const out = new Map<UserId, bigint>();
  const count = Object.keys(nums).length + Object.keys(strs ?? {}).length;
  if (count < 1 || count > MAX_USERS) throw invalid(`ParticipantBlockInfos: must name 1 to ${MAX_USERS} users (with ParticipantBlockInfosStr)`);
  for (const [key, v] of Object.entries(nums)) {
    if (!/^[1-9][0-9]{0,18}$/.test(key) || BigInt(key) > I64_MAX) throw invalid(`ParticipantBlockInfos: key "${key}" must be a positive int64 user id`);
    out.set(BigInt(key), BigInt(v as number | bigint));
  }
  for (const [key, v] of Object.entries(strs ?? {})) {
    if (key === '') throw invalid('ParticipantBlockInfosStr: a key must not be empty');
    out.set(key, BigInt(v as number | bigint));
  }
  return out;
}

export default defineAction({
  name: 'BatchAddBlockParticipants',
  qps: 50,
  writes: true,
  body: Obj({
    AppId: AppId(),
    ConversationShortId: Id(),
    ParticipantBlockInfos: Seconds(),
    ParticipantBlockInfosStr: Opt(Seconds()),
    BlockAction: Opt(Int32({ min: 0, max: 1, description: '0 mute (default), 1 ban' })),
  }),
  result: Obj({ FailedParticipantUserIds: List(Id()), FailedParticipantUserIdsStr: Opt(List(Str())) }),
  handler({ store }, body) {
    const conv = requireLiveGroup(store, body.AppId, body.ConversationShortId, 'BatchAddBlockParticipants');
    const action = body.BlockAction ?? BlockAction.Mute;
    const asked = blocksAsked(body.ParticipantBlockInfos, body.ParticipantBlockInfosStr);
    const now = store.nowSeconds();
    const blocks: Block[] = [];
    const failed: UserId[] = [];
    const admit = liveListRoom(conv.live?.blocks[action]);
    for (const [userId, seconds] of asked) {
      if (seconds > I64_MAX - now) throw invalid(`ParticipantBlockInfos: ${seconds} seconds for user ${userId} ends past int64`);
      const member = conv.members.has(userId);
      if (userId === conv.ownerUserId || (action === BlockAction.Mute && !member) || !admit(userId)) failed.push(userId);
      else blocks.push({ userId, blockTime: seconds === 0n ? 0n : now + seconds, createTime: now });
    }
    if (blocks.length) putBlocks(store, conv, action, blocks);
    return failedLists('FailedParticipantUserIds', failed);
  },
});
