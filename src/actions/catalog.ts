// All 56 vendor actions of Version 2020-12-01 with their documented QPS (reference §4; 100 where none is documented).
export const VENDOR_QPS: Readonly<Record<string, number>> = {
  CreateConversation: 50, BatchGetConversations: 100, DestroyConversation: 50, ModifyConversation: 50,
  GetUserConversations: 100, GetConversationSetting: 100, ModifyConversationSetting: 50, MarkConversation: 50,
  GetConversationMarks: 100, BatchAddConversationParticipant: 50, BatchDeleteConversationParticipant: 50,
  BatchGetConversationParticipant: 100, BatchModifyConversationParticipant: 100, ScanConversationParticipantList: 100,
  IsUserInConversation: 100, GetConversationUserCount: 100, BatchAddManager: 50, BatchRemoveManager: 100,
  BatchAddBlockParticipants: 50, BatchDeleteBlockParticipants: 100, BatchGetBlockParticipants: 100,
  BatchAddWhitelistParticipant: 50, BatchRemoveWhitelistParticipant: 50, BatchGetWhitelistParticipant: 100,
  BatchUpdateLiveParticipants: 50, QueryLiveParticipantStatus: 100, ModifyParticipantReadIndex: 100,
  GetParticipantReadIndex: 100, GetMessagesReadReceipt: 100, SendMessage: 50,
  BatchSendMessage: 200, // documented as 12000 messages per minute
  GetMessages: 100, GetConversationMessages: 100, DeleteConversationMessage: 50, DeleteMessage: 50, RecallMessage: 50,
  ModifyMessage: 50, UserBroadcast: 100, RegisterUsers: 100, UnRegisterUsers: 100, BatchUpdateUser: 100, BatchGetUser: 100,
  BatchUpdateUserTags: 100, QueryOnlineStatus: 100, AddFriend: 100, DeleteFriend: 100, UpdateFriend: 100, ListFriend: 100,
  IsFriend: 100, AddBlackList: 100, RemoveBlackList: 100, UpdateBlackList: 100, GetBlackList: 100, IsInBlackList: 100,
  GetAppToken: 100,
  BatchSendGroupMessage: 5, // docs/6348/1756984; not in the Go SDK model
};
