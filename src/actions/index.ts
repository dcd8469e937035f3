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
// conversations and members
import CreateConversation from './CreateConversation.js';
import BatchGetConversations from './BatchGetConversations.js';
import ModifyConversation from './ModifyConversation.js';
import DestroyConversation from './DestroyConversation.js';
import GetUserConversations from './GetUserConversations.js';
import GetConversationSetting from './GetConversationSetting.js';
import ModifyConversationSetting from './ModifyConversationSetting.js';
import BatchAddConversationParticipant from './BatchAddConversationParticipant.js';
import BatchDeleteConversationParticipant from './BatchDeleteConversationParticipant.js';
import BatchGetConversationParticipant from './BatchGetConversationParticipant.js';
import ScanConversationParticipantList from './ScanConversationParticipantList.js';
import IsUserInConversation from './IsUserInConversation.js';
import GetConversationUserCount from './GetConversationUserCount.js';
import BatchSendMessage from './BatchSendMessage.js';

export const ACTIONS: readonly ActionDef<any, any>[] = [
  GetMessagesReadReceipt,
  // conversations and members
  CreateConversation, BatchGetConversations, ModifyConversation, DestroyConversation, GetUserConversations,
  GetConversationSetting, ModifyConversationSetting, BatchAddConversationParticipant, BatchDeleteConversationParticipant,
  BatchGetConversationParticipant, ScanConversationParticipantList, IsUserInConversation, GetConversationUserCount,
  BatchSendMessage,
  // messages and read positions
  ModifyParticipantReadIndex, GetParticipantReadIndex, SendMessage, GetMessages, GetConversationMessages,
  DeleteConversationMessage, DeleteMessage, RecallMessage, ModifyMessage,
];

export { VENDOR_QPS } from './catalog.js';
