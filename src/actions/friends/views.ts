// A friend row as ListFriend and GetBlackList's FriendUserInfo answer it.
import { Obj, Opt, Str, StrMap, Id, Int64 } from '../../protocol/schema.js';
import type { Friend } from '../../store/extras.js';

export const FriendInfo = Obj({
  FriendUserId: Id(), Alias: Str(), Ext: Opt(StrMap()), ApplyTime: Int64({ min: 0n }), CreateTime: Int64({ min: 0n }), ModifyTime: Int64({ min: 0n }),
});

export const friendInfoOf = (f: Friend) => ({
  FriendUserId: f.friendUserId, Alias: f.alias, Ext: { ...f.ext }, ApplyTime: f.applyTime, CreateTime: f.createTime, ModifyTime: f.modifyTime,
});
