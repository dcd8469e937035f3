// Pure reads over a conversation's messages: who may see a message, and binary search by IndexInConversation.
//
// Visibility rules (mock-contract §3a; reference §6.3). The server reads (GetMessages, GetConversationMessages)
// name no viewer, so they leave out only messages deleted for everyone (DeleteConversationMessage DeleteType 0).
// Everything else is per member and decided here, for reads that do have a viewer:
// - a message deleted for everyone is seen by no one; DeleteType 1 leaves it to its sender only;
// - a member who deleted it for themselves (DeleteMessage) no longer sees it;
// - a Barrier hides every message with IndexInConversation <= the member's barrierIndex;
// - VisibleUsers (when not empty) is the list of members who see it, InvisibleUsers the list who do not;
//   the sender always sees its own message (unless one of the rules above hides it);
// - a user who is not (or no longer) a member sees nothing.
import type { Conversation, Message, UserId } from './model.js';

/** Deleted for everyone (DeleteConversationMessage DeleteType 0): gone from every read, and from mutations. */
export function isDeletedForAll(msg: Message): boolean {
  return msg.deleteType === 0;
}

export function visibleTo(conv: Conversation, msg: Message, user: UserId): boolean {
  const member = conv.members.get(user);
  if (!member) return false;
  if (isDeletedForAll(msg)) return false;
  if (msg.deleteType === 1 && user !== msg.sender) return false;
  if (msg.deletedFor?.includes(user)) return false;
  if (msg.index <= member.barrierIndex) return false;
  if (user === msg.sender) return true;
  if (msg.visibleUsers?.length && !msg.visibleUsers.includes(user)) return false;
  if (msg.invisibleUsers?.includes(user)) return false;
  return true;
}

/** Position in conv.messages of the first message with IndexInConversation >= index (messages.length if none). */
export function firstPositionFrom(conv: Conversation, index: bigint): number {
  const ms = conv.messages;
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Position of the last message with IndexInConversation <= index (-1 if none). */
export function lastPositionUpTo(conv: Conversation, index: bigint): number {
  return firstPositionFrom(conv, index + 1n) - 1;
}
