// Control routes for apps, tokens, broadcasts and presence (mock-contract §5, §9):
//   GET  /_mock/apps[?AppId=N]     every AppId in use (or N) with its AppKey, and whether strict apps are on
//   POST /_mock/tokens/verify      {"Token"} -> {AppId, UserId | UserIdStr, ExpireTime, Expired}
//   GET  /_mock/broadcasts[?AppId=N&Limit=]  the newest UserBroadcast calls with the users each reached
//   PUT  /_mock/presence           {AppId, UserId, Connections:[{ConnId, DeviceId, ClientVersion, Platform}]}
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import { PresenceDoc, presenceOf } from '../store/extras.js';
import { compileBody, ValidationError } from '../protocol/schema.js';
import { tokenAppId, readToken } from '../actions/app/token.js';
import { refuseWhileUnwritable, badRequest, jsonBody, objectBody, queryOf, intQuery, sendJson, APPID_MAX } from './http.js';

const presenceValidator = compileBody(PresenceDoc);
/** GET /_mock/broadcasts answers the newest Limit broadcasts (default 20, a day's worth for one AppId; at most 100). */
export const BROADCASTS_LIMIT_DEFAULT = 20;
export const BROADCASTS_LIMIT_MAX = 100;

export function registerAppRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  const { store } = runtime;

  app.get('/apps', async (req, reply) => {
    const only = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    const ids = only !== undefined ? [only] : inUse(runtime);
    const Apps = ids.map((appId) => {
      const { appKey, derived } = store.applications.appKey(appId);
      const callback = store.applications.get(appId)?.callback;
      return { AppId: appId, AppKey: appKey, AppKeyDerived: derived, ...(callback ? { Callback: callback } : {}) };
    });
    return sendJson(reply, 200, { Strict: store.applications.strict, Apps });
  });

  app.post('/tokens/verify', async (req, reply) => {
    const body = objectBody(req, ['Token']);
    if (typeof body.Token !== 'string') throw badRequest('body.Token: must be a string');
    const head = tokenAppId(body.Token);
    if (typeof head === 'string') throw badRequest(`body.Token: ${head}`);
    const claims = readToken(store.applications.appKeyBytes(head.appId), head.raw);
    if (typeof claims === 'string') throw badRequest(`body.Token: ${claims}`);
    const user = typeof claims.user === 'string' ? { UserId: 0n, UserIdStr: claims.user } : { UserId: claims.user };
    return sendJson(reply, 200, { AppId: claims.appId, ...user, ExpireTime: claims.expireTime, Expired: claims.expireTime <= BigInt(runtime.clock.now()) });
  });

  app.get('/broadcasts', async (req, reply) => {
    const query = queryOf(req, ['AppId', 'Limit']);
    const appId = intQuery(query, 'AppId', 1, APPID_MAX);
    const limit = intQuery(query, 'Limit', 1, BROADCASTS_LIMIT_MAX) ?? BROADCASTS_LIMIT_DEFAULT;
    const all = store.broadcasts.list(appId);
    // the newest Limit, oldest first: up to 10,000 reached ids each, so a page is bounded too
    const Broadcasts = all.slice(Math.max(0, all.length - limit)).map((b) => ({
      AppId: b.appId, Time: b.time, Sender: b.sender, MsgType: b.msgType, Content: b.content, MsgTTL: b.msgTTL, Ext: b.ext,
      InboxType: b.inboxType, Tags: b.tags, TagOp: b.tagOp, ReachedUserIds: b.reached, ReachedCount: b.reachedCount,
    }));
    return sendJson(reply, 200, { Broadcasts, Total: all.length });
  });

  app.put('/presence', async (req, reply) => {
    let doc;
    try {
      doc = presenceValidator.parse(jsonBody(req));
    } catch (e) {
      if (e instanceof ValidationError) throw badRequest(e.message.startsWith('body') ? e.message : `body.${e.message}`);
      throw e;
    }
    refuseWhileUnwritable(store.persistenceFailure());
    const p = presenceOf(doc);
    store.presence.set(p);
    return sendJson(reply, 200, { AppId: p.appId, UserId: p.userId, Online: p.connections.length > 0 });
  });
}

/** AppIds with any state, listed by strict apps, or bound to a credential. */
function inUse(runtime: MockRuntime): number[] {
  const { store } = runtime;
  const ids = new Set<number>([...store.appIds(), ...store.applications.listed()]);
  const x = store.extras();
  for (const rows of [x.users, x.friends, x.blacks, x.presence]) for (const r of rows) ids.add(r.appId);
  return [...ids].sort((a, b) => a - b);
}
