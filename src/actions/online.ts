// Who is online, for live groups' online listing (ScanConversationParticipantList with ScanOnlineParticipant).
// mock-contract §9: nobody is online until a test says so (PUT /_mock/presence). That presence is developer i14's
// store-level state, not merged yet: until it is, this answers false for everyone. It is the one place to connect it.
import type { Store } from '../store/store.js';
import type { UserId } from '../store/model.js';

export function isOnline(_store: Store, _appId: number, _user: UserId): boolean {
  return false;
}
