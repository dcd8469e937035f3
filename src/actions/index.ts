// The one dispatch table: every emulated wire Action, one file each, in folders after the vendor's doc sections
// (conversations, participants, messages and read state, users, friends, blacklist, app).
import type { ActionDef } from './action.js';
import GetMessagesReadReceipt from './messages/GetMessagesReadReceipt.js';
import ModifyParticipantReadIndex from './messages/ModifyParticipantReadIndex.js';
import GetParticipantReadIndex from './messages/GetParticipantReadIndex.js';
import SendMessage from './messages/SendMessage.js';
import GetMessages from './messages/GetMessages.js';
import GetConversationMessages from './messages/GetConversationMessages.js';
import DeleteConversationMessage from './messages/DeleteConversationMessage.js';
import DeleteMessage from './messages/DeleteMessage.js';
import RecallMessage from './messages/RecallMessage.js';
import ModifyMessage from './messages/ModifyMessage.js';
// conversations and members
import CreateConversation from './conversations/CreateConversation.js';
import BatchGetConversations from './conversations/BatchGetConversations.js';
import ModifyConversation from './conversations/ModifyConversation.js';
import DestroyConversation from './conversations/DestroyConversation.js';
import GetUserConversations from './conversations/GetUserConversations.js';
import GetConversationSetting from './conversations/GetConversationSetting.js';
import ModifyConversationSetting from './conversations/ModifyConversationSetting.js';
import BatchAddConversationParticipant from './participants/BatchAddConversationParticipant.js';
import BatchDeleteConversationParticipant from './participants/BatchDeleteConversationParticipant.js';
import BatchGetConversationParticipant from './participants/BatchGetConversationParticipant.js';
import ScanConversationParticipantList from './participants/ScanConversationParticipantList.js';
import IsUserInConversation from './participants/IsUserInConversation.js';
import GetConversationUserCount from './participants/GetConversationUserCount.js';
import BatchSendMessage from './messages/BatchSendMessage.js';
// users, friends, blacklists, app
import RegisterUsers from './users/RegisterUsers.js';
import UnRegisterUsers from './users/UnRegisterUsers.js';
import BatchUpdateUser from './users/BatchUpdateUser.js';
import BatchGetUser from './users/BatchGetUser.js';
import BatchUpdateUserTags from './users/BatchUpdateUserTags.js';
import GetAppToken from './app/GetAppToken.js';
import UserBroadcast from './app/UserBroadcast.js';
import QueryOnlineStatus from './users/QueryOnlineStatus.js';
import AddFriend from './friends/AddFriend.js';
import DeleteFriend from './friends/DeleteFriend.js';
import UpdateFriend from './friends/UpdateFriend.js';
import ListFriend from './friends/ListFriend.js';
import IsFriend from './friends/IsFriend.js';
import AddBlackList from './blacklist/AddBlackList.js';
import RemoveBlackList from './blacklist/RemoveBlackList.js';
import UpdateBlackList from './blacklist/UpdateBlackList.js';
import GetBlackList from './blacklist/GetBlackList.js';
import IsInBlackList from './blacklist/IsInBlackList.js';
// live groups (mock-contract §10)
import BatchAddBlockParticipants from './live/BatchAddBlockParticipants.js';
import BatchDeleteBlockParticipants from './live/BatchDeleteBlockParticipants.js';
import BatchGetBlockParticipants from './live/BatchGetBlockParticipants.js';
import BatchAddWhitelistParticipant from './live/BatchAddWhitelistParticipant.js';
import BatchRemoveWhitelistParticipant from './live/BatchRemoveWhitelistParticipant.js';
import BatchGetWhitelistParticipant from './live/BatchGetWhitelistParticipant.js';
import BatchAddManager from './live/BatchAddManager.js';
import BatchRemoveManager from './live/BatchRemoveManager.js';
import BatchUpdateLiveParticipants from './live/BatchUpdateLiveParticipants.js';
import QueryLiveParticipantStatus from './live/QueryLiveParticipantStatus.js';
import BatchModifyConversationParticipant from './participants/BatchModifyConversationParticipant.js';
import MarkConversation from './conversations/MarkConversation.js';
import GetConversationMarks from './conversations/GetConversationMarks.js';
import BatchSendGroupMessage from './messages/BatchSendGroupMessage.js';

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
  // users, friends, blacklists, app
  RegisterUsers, UnRegisterUsers, BatchUpdateUser, BatchGetUser, BatchUpdateUserTags, QueryOnlineStatus,
  AddFriend, DeleteFriend, UpdateFriend, ListFriend, IsFriend,
  AddBlackList, RemoveBlackList, UpdateBlackList, GetBlackList, IsInBlackList,
  GetAppToken, UserBroadcast,
  // live groups
  BatchAddBlockParticipants, BatchDeleteBlockParticipants, BatchGetBlockParticipants, BatchAddWhitelistParticipant,
  BatchRemoveWhitelistParticipant, BatchGetWhitelistParticipant, BatchAddManager, BatchRemoveManager,
  BatchModifyConversationParticipant, BatchUpdateLiveParticipants, QueryLiveParticipantStatus, MarkConversation,
  GetConversationMarks, BatchSendGroupMessage,
];

export { VENDOR_QPS } from './catalog.js';
