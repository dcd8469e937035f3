// All 56 vendor actions of Version 2020-12-01 with their documented QPS: the 55 of the Go SDK model and
// BatchSendGroupMessage from the docs. Sources: reference §4's table and its "QPS found since" paragraph, each a
// "QPS 不得超过 N" line on the action's doc page (docs/6348/<id>); 100 where no page documents one (mock-contract §4).
// Checked again with the search tool for this table: GetAppToken 50 (1208779), UserBroadcast 50 (1125997),
// AddFriend 50 (1125662), AddBlackList 50 (1152119), BatchSendGroupMessage 5 (1756984), BatchSendMessage 12,000
// messages a minute (1263587); the other 50s are the reference's audit's, not found again.
export const VENDOR_QPS: Readonly<Record<string, number>> = {
  // conversations
  CreateConversation: 50, BatchGetConversations: 100, DestroyConversation: 50, ModifyConversation: 50,
  GetUserConversations: 100, GetConversationSetting: 100, ModifyConversationSetting: 50,
  MarkConversation: 50, // 1187904
  GetConversationMarks: 100,
  // participants and live groups
  BatchAddConversationParticipant: 50, BatchDeleteConversationParticipant: 50, BatchGetConversationParticipant: 100,
  BatchModifyConversationParticipant: 100, ScanConversationParticipantList: 100, IsUserInConversation: 100,
  GetConversationUserCount: 100,
  BatchAddManager: 50, // 1051343
  BatchRemoveManager: 100,
  BatchAddBlockParticipants: 50, // 788462
  BatchDeleteBlockParticipants: 100, BatchGetBlockParticipants: 100,
  BatchAddWhitelistParticipant: 50, BatchRemoveWhitelistParticipant: 50, // 1051345, 1051346
  BatchGetWhitelistParticipant: 100,
  BatchUpdateLiveParticipants: 50, // 1162951
  QueryLiveParticipantStatus: 100,
  // read state and messages
  ModifyParticipantReadIndex: 100, GetParticipantReadIndex: 100, GetMessagesReadReceipt: 100, SendMessage: 50,
  // 12,000 messages a minute counted per receiver: a bucket of 12,000 refilled at 200 a second (BatchSendMessage.ts)
  BatchSendMessage: 200,
  BatchSendGroupMessage: 5, // 1756984
  GetMessages: 100, GetConversationMessages: 100, DeleteConversationMessage: 50, DeleteMessage: 50, RecallMessage: 50,
  ModifyMessage: 50,
  UserBroadcast: 50, // 1125997; also 20 calls a day per AppId (mock-contract §4), left to the action
  // users, friends, blacklists, tokens
  RegisterUsers: 50, // 1125993
  UnRegisterUsers: 100, BatchUpdateUser: 100, BatchGetUser: 100, BatchUpdateUserTags: 100, QueryOnlineStatus: 100,
  AddFriend: 50, // 1125662
  DeleteFriend: 100, UpdateFriend: 100, ListFriend: 100, IsFriend: 100,
  AddBlackList: 50, // 1152119
  RemoveBlackList: 100, UpdateBlackList: 100, GetBlackList: 100, IsInBlackList: 100,
  GetAppToken: 50, // 1208779
};
