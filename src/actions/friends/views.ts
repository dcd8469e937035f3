// A friend row as ListFriend and GetBlackList's FriendUserInfo answer it.
import { Obj, Opt, Str, StrMap, Id, Int64 } from '../../protocol/schema.js';
import type { Friend } from '../../store/extras.js';

const times = { ApplyTime: Int64({ min: 0n }), CreateTime: Int64({ min: 0n }), ModifyTime: Int64({ min: 0n }) };
/** ListFriend's item (Ext optional in the spec) */
export const FriendInfo = Obj({ FriendUserId: Id(), Alias: Str(), Ext: Opt(StrMap()), ...times });
/** GetBlackList's FriendUserInfo (Ext required in the spec) */
export const FriendUserInfo = Obj({ FriendUserId: Id(), Alias: Str(), Ext: StrMap(), ...times });

export const friendInfoOf = (f: Friend) => ({
  FriendUserId: f.friendUserId, Alias: f.alias, Ext: { ...f.ext }, ApplyTime: f.applyTime, CreateTime: f.createTime, ModifyTime: f.modifyTime,
});
