// Lookups that many actions share, each failing with the vendor's code.
import { ApiError, invalid } from '../protocol/errors.js';
import type { Store } from '../store/store.js';
import type { Conversation, Member, Message, UserId } from '../store/model.js';
import { userOf } from '../store/fixtures.js';
import { isDeletedForAll } from '../store/messages.js';

export function requireConversation(store: Store, appId: number, shortId: bigint): Conversation {
  const c = store.conversation(appId, shortId);
  if (!c || c.status !== 0) throw new ApiError('InvalidParameter.NotExistConversation', `${shortId} in AppId ${appId}`);
  return c;
}

/** A message of c that still exists: one deleted for everyone is gone for every action. */
export function requireLiveMessage(store: Store, c: Conversation, messageId: bigint): Message {
  const m = store.message(c, messageId);
  if (!m || isDeletedForAll(m)) throw new ApiError('InvalidParameter.NotExistMessage', `${messageId} in conversation ${c.shortId}`);
  return m;
}

/** The user a (number, …Str) pair names; Go clients send 0 or null for the number when they use the Str twin. */
export function requireUser(field: string, num: bigint | null | undefined, str: string | null | undefined): UserId {
  const u = userOf(num, str);
  if (u === undefined) throw invalid(`${field}: must be a positive int64 integer, or ${field}Str must be given`);
  return u;
}

/** Strict apps and credentials bound to AppIds (mock-contract §5), after validation and before any state change. */
export function checkApp(store: Store, appId: number, accessKeyId: string): void {
  const refusal = store.applications.refusal(appId, accessKeyId);
  if (refusal === 'NotExistAppId') throw new ApiError('InvalidParameter.NotExistAppId', `${appId} (strict apps: ${store.applications.listed().join(', ')})`);
  if (refusal === 'NoPermissionForApp') throw new ApiError('AccessDenied.NoPermissionForApp', `the access key ${accessKeyId} may not operate AppId ${appId}`);
}

/** A change the data file could not keep is not accepted: 503 ServiceUnavailableTemp, nothing changed. */
export function refuseWhileUnwritable(store: Store): void {
  const failure = store.persistenceFailure();
  if (failure === undefined) return;
  const err = new ApiError('ServiceUnavailableTemp');
  err.message = `${err.message} Changes are refused until the data file can be written again (reads go on): ${failure}`;
  throw err;
}

export function requireMember(c: Conversation, user: UserId, field?: string): Member {
  const m = c.members.get(user);
  if (!m) throw new ApiError('InvalidParameter.NotInConversation', `${field ? `${field}: ` : ''}user ${user} is not a member of conversation ${c.shortId}`);
  return m;
}
