// Lookups that many actions share, each failing with the vendor's code.
import { ApiError } from '../protocol/errors.js';
import type { Store } from '../store/store.js';
import type { Conversation, Message } from '../store/model.js';

export function requireConversation(store: Store, appId: number, shortId: bigint): Conversation {
  const c = store.conversation(appId, shortId);
  if (!c || c.status !== 0) throw new ApiError('InvalidParameter.NotExistConversation', `${shortId} in AppId ${appId}`);
  return c;
}

export function requireMessage(store: Store, c: Conversation, messageId: bigint): Message {
  const m = store.message(c, messageId);
  if (!m) throw new ApiError('InvalidParameter.NotExistMessage', `${messageId} in conversation ${c.shortId}`);
  return m;
}
