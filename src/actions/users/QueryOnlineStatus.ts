// QueryOnlineStatus (reference §5.23): the connections of up to 100 users, only users with one. Presence is what the
// tests set with PUT /_mock/presence (or the fixtures' Presence): nobody is online otherwise.
import { Obj, Opt, List, Str, Int64, AppId, Type, type Static } from '../../protocol/schema.js';
import { defineAction } from '../action.js';
import { UserIdList } from '../people.js';

const Connection = Obj({ ConnId: Opt(Str()), UserId: Opt(Int64()), DeviceId: Opt(Int64()), ClientVersion: Opt(Int64()), Platform: Opt(Str()) });

export default defineAction({
  name: 'QueryOnlineStatus',
  qps: 100,
  writes: false,
  body: Obj({ AppId: AppId(), UserIds: UserIdList(100) }),
  result: Obj({ AppId: AppId(), QueryOnlineResults: Type.Record(Type.String(), List(Connection), { description: 'user id -> connections' }) }),
  handler({ store }, body) {
    const QueryOnlineResults: Record<string, Static<typeof Connection>[]> = {};
    for (const id of body.UserIds) {
      const conns = store.presence.connectionsOf(body.AppId, id);
      if (conns.length === 0) continue;
      QueryOnlineResults[String(id)] = conns.map((c) => ({ ConnId: c.connId, UserId: id, DeviceId: c.deviceId, ClientVersion: c.clientVersion, Platform: c.platform }));
    }
    return { AppId: body.AppId, QueryOnlineResults };
  },
});
