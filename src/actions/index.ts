// The one dispatch table: every emulated wire Action, one file each.
import type { ActionDef } from './action.js';
import GetMessagesReadReceipt from './GetMessagesReadReceipt.js';
import ModifyParticipantReadIndex from './ModifyParticipantReadIndex.js';
import GetParticipantReadIndex from './GetParticipantReadIndex.js';
import SendMessage from './SendMessage.js';
import GetMessages from './GetMessages.js';
import GetConversationMessages from './GetConversationMessages.js';
import DeleteConversationMessage from './DeleteConversationMessage.js';
import DeleteMessage from './DeleteMessage.js';
import RecallMessage from './RecallMessage.js';
import ModifyMessage from './ModifyMessage.js';

export const ACTIONS: readonly ActionDef<any, any>[] = [
  GetMessagesReadReceipt,
  // messages and read positions
  ModifyParticipantReadIndex, GetParticipantReadIndex, SendMessage, GetMessages, GetConversationMessages,
  DeleteConversationMessage, DeleteMessage, RecallMessage, ModifyMessage,
];

export { VENDOR_QPS } from './catalog.js';
