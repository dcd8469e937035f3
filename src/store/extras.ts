// The kinds of state beside conversations (mock-contract §7, §9): apps, user profiles, friendships, blacklists and
// presence. Their records as the fixture document, /_mock/state and the data file write them (the API's field names,
// one record per row), the rules a document must keep, and the key that names one record in the change log.
import { Obj, Opt, List, Str, Bool, StrMap, Int64, Int32, Id, AppId, compileBody, ValidationError, type Static } from '../protocol/schema.js';
import { FixtureError } from './fixtures.js';

export interface App { appId: number; appKey?: string; callback?: { Url: string; SecretKey: string; Events?: string[] } }
export interface User {
  appId: number; userId: bigint; nickName: string; portrait: string; ext: Record<string, string>; tags: string[];
  isRobot: boolean; createTime: bigint; modifyTime: bigint;
}
/** One side of a friendship: what `userId` sees of `friendUserId` (each side has its own Alias and Ext). */
export interface Friend {
  appId: number; inboxType: number; userId: bigint; friendUserId: bigint; alias: string; ext: Record<string, string>;
  applyTime: bigint; createTime: bigint; modifyTime: bigint;
}
/** `userId` has blocked `blackListUserId` (one-way). */
export interface Black {
  appId: number; inboxType: number; userId: bigint; blackListUserId: bigint; ext: Record<string, string>;
  createTime: bigint; modifyTime: bigint;
}
export interface Connection { connId: string; deviceId: bigint; clientVersion: bigint; platform: string }
export interface Presence { appId: number; userId: bigint; connections: Connection[] }

export interface Extras { apps: App[]; users: User[]; friends: Friend[]; blacks: Black[]; presence: Presence[] }
export const noExtras = (): Extras => ({ apps: [], users: [], friends: [], blacks: [], presence: [] });

/** The document's list names, in the order the data file writes them. */
export const EXTRA_KINDS = ['Apps', 'Users', 'Friends', 'BlackLists', 'Presence'] as const;
export type ExtraKind = typeof EXTRA_KINDS[number];

/** Connections one user may hold in a document or PUT /_mock/presence. */
export const MAX_CONNECTIONS = 100;

const ConnectionDoc = Obj({ ConnId: Str({ maxLength: 256 }), DeviceId: Opt(Int64()), ClientVersion: Opt(Int64()), Platform: Opt(Str({ maxLength: 64 })) });
export const PresenceDoc = Obj({ AppId: AppId(), UserId: Id(), Connections: List(ConnectionDoc, { maxItems: MAX_CONNECTIONS }) });
const AppDoc = Obj({
  AppId: AppId(), AppKey: Opt(Str()),
  Callback: Opt(Obj({ Url: Str(), SecretKey: Str(), Events: Opt(List(Str())) })),
});
const UserDoc = Obj({
  AppId: AppId(), UserId: Id(), NickName: Opt(Str()), Portrait: Opt(Str()), Ext: Opt(StrMap()), Tags: Opt(List(Str())),
  IsRobot: Opt(Bool()), CreateTime: Opt(Int64({ min: 0n })), ModifyTime: Opt(Int64({ min: 0n })),
});
const FriendDoc = Obj({
  AppId: AppId(), InboxType: Opt(Int32()), UserId: Id(), FriendUserId: Id(), Alias: Opt(Str()), Ext: Opt(StrMap()),
  ApplyTime: Opt(Int64({ min: 0n })), CreateTime: Opt(Int64({ min: 0n })), ModifyTime: Opt(Int64({ min: 0n })),
});
const BlackDoc = Obj({
  AppId: AppId(), InboxType: Opt(Int32()), UserId: Id(), BlackListUserId: Id(), BlackListUserExt: Opt(StrMap()),
  CreateTime: Opt(Int64({ min: 0n })), ModifyTime: Opt(Int64({ min: 0n })),
});
const ExtrasDoc = Obj({
  Apps: Opt(List(AppDoc)), Users: Opt(List(UserDoc)), Friends: Opt(List(FriendDoc)), BlackLists: Opt(List(BlackDoc)),
  Presence: Opt(List(PresenceDoc)),
});
export type ExtrasDocument = Static<typeof ExtrasDoc>;
const validator = compileBody(ExtrasDoc);

/** An AppKey is base64 of an AES key (16, 24 or 32 bytes): GetAppToken encrypts with it. */
export function appKeyBytes(appKey: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(appKey) || appKey.length % 4 !== 0) return undefined;
  const key = Buffer.from(appKey, 'base64');
  return [16, 24, 32].includes(key.length) ? key : undefined;
}

/** The key naming one record of a kind (the change log's and the store's), from its document. */
export function extraKey(kind: ExtraKind, d: Record<string, any>): string {
  switch (kind) {
    case 'Apps': return `A|${d.AppId}`;
    case 'Users': return `U|${d.AppId}|${d.UserId}`;
    case 'Presence': return `P|${d.AppId}|${d.UserId}`;
    case 'Friends': return `F|${d.AppId}|${d.InboxType ?? 0}|${d.UserId}|${d.FriendUserId}`;
    case 'BlackLists': return `B|${d.AppId}|${d.InboxType ?? 0}|${d.UserId}|${d.BlackListUserId}`;
  }
}

/** Validates the new kinds' lists of a parsed document and builds their records; throws FixtureError naming the field.
 * A friendship given by one side only gets its other side (empty Alias and Ext, the same times). */
export function extrasFromDoc(doc: unknown, nowMs: number): Extras {
  let d: ExtrasDocument;
  try {
    d = validator.parse(doc);
  } catch (e) {
    if (e instanceof ValidationError) throw new FixtureError(e.message);
    throw e;
  }
  const now = BigInt(nowMs);
  const out = noExtras();
  const unique = (kind: ExtraKind, rows: Record<string, any>[] | undefined) => {
    const seen = new Set<string>();
    (rows ?? []).forEach((r, i) => {
      const key = extraKey(kind, r);
      if (seen.has(key)) throw new FixtureError(`${kind}[${i}]: a second record for the same ${kind === 'Apps' ? 'AppId' : 'user'}${kind === 'Friends' || kind === 'BlackLists' ? ' pair' : ''}`);
      seen.add(key);
    });
    return seen;
  };
  unique('Apps', d.Apps);
  unique('Users', d.Users);
  unique('Presence', d.Presence);
  const friendKeys = unique('Friends', d.Friends);
  unique('BlackLists', d.BlackLists);
  (d.Apps ?? []).forEach((a, i) => {
    if (a.AppKey !== undefined && !appKeyBytes(a.AppKey)) throw new FixtureError(`Apps[${i}].AppKey: must be base64 of 16, 24 or 32 bytes`);
    out.apps.push({ appId: a.AppId, appKey: a.AppKey, callback: a.Callback && { ...a.Callback } });
  });
  for (const u of d.Users ?? []) {
    const createTime = u.CreateTime ?? now;
    out.users.push({
      appId: u.AppId, userId: u.UserId, nickName: u.NickName ?? '', portrait: u.Portrait ?? '', ext: { ...(u.Ext ?? {}) },
      tags: [...(u.Tags ?? [])], isRobot: u.IsRobot ?? false, createTime, modifyTime: u.ModifyTime ?? createTime,
    });
  }
  (d.Friends ?? []).forEach((f, i) => {
    if (f.UserId === f.FriendUserId) throw new FixtureError(`Friends[${i}].FriendUserId: a user cannot be its own friend`);
    const createTime = f.CreateTime ?? now;
    const row: Friend = {
      appId: f.AppId, inboxType: f.InboxType ?? 0, userId: f.UserId, friendUserId: f.FriendUserId, alias: f.Alias ?? '',
      ext: { ...(f.Ext ?? {}) }, applyTime: f.ApplyTime ?? createTime, createTime, modifyTime: f.ModifyTime ?? createTime,
    };
    out.friends.push(row);
    const mirror = { AppId: f.AppId, InboxType: f.InboxType, UserId: f.FriendUserId, FriendUserId: f.UserId };
    const mirrorKey = extraKey('Friends', mirror);
    if (!friendKeys.has(mirrorKey)) {
      friendKeys.add(mirrorKey);
      out.friends.push({ ...row, userId: f.FriendUserId, friendUserId: f.UserId, alias: '', ext: {} });
    }
  });
  (d.BlackLists ?? []).forEach((b, i) => {
    if (b.UserId === b.BlackListUserId) throw new FixtureError(`BlackLists[${i}].BlackListUserId: a user cannot block itself`);
    const createTime = b.CreateTime ?? now;
    out.blacks.push({
      appId: b.AppId, inboxType: b.InboxType ?? 0, userId: b.UserId, blackListUserId: b.BlackListUserId,
      ext: { ...(b.BlackListUserExt ?? {}) }, createTime, modifyTime: b.ModifyTime ?? createTime,
    });
  });
  for (const p of d.Presence ?? []) out.presence.push(presenceOf(p));
  return out;
}

export function presenceOf(p: Static<typeof PresenceDoc>): Presence {
  return {
    appId: p.AppId, userId: p.UserId,
    connections: p.Connections.map((c) => ({ connId: c.ConnId, deviceId: c.DeviceId ?? 0n, clientVersion: c.ClientVersion ?? 0n, platform: c.Platform ?? '' })),
  };
}

// ---- record -> document ----

export const appToDoc = (a: App): Record<string, unknown> => ({ AppId: a.appId, AppKey: a.appKey, Callback: a.callback && { ...a.callback } });

export const userToDoc = (u: User): Record<string, unknown> => ({
  AppId: u.appId, UserId: u.userId, NickName: u.nickName, Portrait: u.portrait, Ext: { ...u.ext }, Tags: [...u.tags],
  IsRobot: u.isRobot, CreateTime: u.createTime, ModifyTime: u.modifyTime,
});

export const friendToDoc = (f: Friend): Record<string, unknown> => ({
  AppId: f.appId, InboxType: f.inboxType, UserId: f.userId, FriendUserId: f.friendUserId, Alias: f.alias, Ext: { ...f.ext },
  ApplyTime: f.applyTime, CreateTime: f.createTime, ModifyTime: f.modifyTime,
});

export const blackToDoc = (b: Black): Record<string, unknown> => ({
  AppId: b.appId, InboxType: b.inboxType, UserId: b.userId, BlackListUserId: b.blackListUserId, BlackListUserExt: { ...b.ext },
  CreateTime: b.createTime, ModifyTime: b.modifyTime,
});

export const presenceToDoc = (p: Presence): Record<string, unknown> => ({
  AppId: p.appId, UserId: p.userId,
  Connections: p.connections.map((c) => ({ ConnId: c.connId, DeviceId: c.deviceId, ClientVersion: c.clientVersion, Platform: c.platform })),
});

/** The new kinds' lists of a state document, in EXTRA_KINDS order. */
export function extrasToDoc(x: Extras): Record<ExtraKind, Record<string, unknown>[]> {
  return {
    Apps: x.apps.map(appToDoc), Users: x.users.map(userToDoc), Friends: x.friends.map(friendToDoc),
    BlackLists: x.blacks.map(blackToDoc), Presence: x.presence.map(presenceToDoc),
  };
}

/** The records of one AppId only. */
export function extrasOfApp(x: Extras, appId: number): Extras {
  const mine = <T extends { appId: number }>(rows: T[]) => rows.filter((r) => r.appId === appId);
  return { apps: mine(x.apps), users: mine(x.users), friends: mine(x.friends), blacks: mine(x.blacks), presence: mine(x.presence) };
}
