// The fixture document (mock-contract §7): the API's own field names, int64 exact. It is also the data file's
// format and what /_mock/state reads and writes, so one schema and one pair of converters serve all three.
import { parseJson } from '../protocol/json.js';
import { extrasFromDoc, type Extras, type ExtrasDocument } from './extras.js';
import { applyExtraRecords } from './changelog.js';
import { Obj, Opt, List, Str, Bool, StrMap, Int64, Id, Int32, AppId, compileBody, ValidationError, type Static } from '../protocol/schema.js';
import {
  type Conversation, type Member, type Message, type UserId, type Settings, type LiveState,
  ConversationType, Role, conversationIdOf, newSettings, isStrUser, nextIndexAfter, type IndexMode,
} from './model.js';
import { liveOf } from './live.js';

const UserIds = () => Opt(List(Id()));
const UserIdsStr = () => Opt(List(Str()));

const SettingDoc = Obj({
  IsMute: Opt(Bool()), IsStickTop: Opt(Bool()), StickTopTime: Opt(Int64({ min: 0n })),
  IsSetFavorite: Opt(Bool()), SetFavoriteTime: Opt(Int64({ min: 0n })), Ext: Opt(StrMap()),
});

const ParticipantDoc = Obj({
  ParticipantUserId: Opt(Int64({ min: 0n })), ParticipantUserIdStr: Opt(Str()),
  ReadIndex: Opt(Int64({ min: 0n })), Role: Opt(Int32({ min: 0, max: 2 })), CreateTime: Opt(Int64({ min: 0n })),
  Operator: Opt(Int64({ min: 0n })), OperatorStr: Opt(Str()), NickName: Opt(Str()), Level: Opt(Int32()),
  Ext: Opt(StrMap()), BlockTime: Opt(Int64({ min: 0n })), BarrierIndex: Opt(Int64({ min: 0n })), Setting: Opt(SettingDoc),
  AvatarUrl: Opt(Str()), Marks: Opt(List(Str())),
});

// live-group state (mock-contract §7): blocks by BlockAction (0 mute, 1 ban), BlockTime = until (s, 0 = until removed)
const BlockDoc = Obj({
  ParticipantUserId: Opt(Int64({ min: 0n })), ParticipantUserIdStr: Opt(Str()), BlockAction: Int32({ min: 0, max: 1 }),
  BlockTime: Int64({ min: 0n }), CreateTime: Opt(Int64({ min: 0n })),
});
const WhitelistDoc = Obj({
  ParticipantUserId: Opt(Int64({ min: 0n })), ParticipantUserIdStr: Opt(Str()),
  Operator: Opt(Int64({ min: 0n })), OperatorStr: Opt(Str()), CreateTime: Opt(Int64({ min: 0n })),
});

const MessageDoc = Obj({
  MessageId: Id(), Sender: Opt(Int64({ min: 0n })), SenderStr: Opt(Str()), MsgType: Int32(), Content: Str(),
  IndexInConversation: Opt(Id()), CreateTime: Opt(Int64({ min: 0n })), Status: Opt(Int32({ min: 0, max: 4 })),
  Ext: Opt(StrMap()), ClientMsgId: Opt(Str()),
  MentionedUsers: UserIds(), MentionedUsersStr: UserIdsStr(), VisibleUsers: UserIds(), VisibleUsersStr: UserIdsStr(),
  InvisibleUsers: UserIds(), InvisibleUsersStr: UserIdsStr(), DeleteType: Opt(Int32({ min: 0, max: 1 })),
  DeletedFor: UserIds(), DeletedForStr: UserIdsStr(),
  RefMsgInfo: Opt(Obj({ ReferencedMessageId: Id(), Hint: Str() })),
});

const ConversationDoc = Obj({
  AppId: AppId(), ConversationShortId: Id(), ConversationType: Int32({ min: 1, max: 100 }), InboxType: Opt(Int32()),
  OwnerUserId: Opt(Int64({ min: 0n })), OwnerUserIdStr: Opt(Str()), CreatorUserId: Opt(Int64({ min: 0n })), CreatorUserIdStr: Opt(Str()),
  OtherUserId: Opt(Int64({ min: 0n })), OtherUserIdStr: Opt(Str()),
  Name: Opt(Str()), AvatarUrl: Opt(Str()), Description: Opt(Str()), Notice: Opt(Str()), Ext: Opt(StrMap()),
  CreateTime: Opt(Int64({ min: 0n })), ModifyTime: Opt(Int64({ min: 0n })), Status: Opt(Int32({ min: 0, max: 1 })),
  IdempotentId: Opt(Str()),
  Participants: Opt(List(ParticipantDoc)), Messages: Opt(List(MessageDoc)),
  Blocks: Opt(List(BlockDoc)), Whitelist: Opt(List(WhitelistDoc)), MarkTypes: Opt(List(Str())),
});

export const FixtureSchema = Obj({ Conversations: List(ConversationDoc) });
/** A fixture or state document: Conversations, and the other kinds' lists (extras.ts). */
export type FixtureDoc = Static<typeof FixtureSchema> & Partial<ExtrasDocument>;
type ConversationFixture = Static<typeof ConversationDoc>;
const validator = compileBody(FixtureSchema);

export class FixtureError extends Error {}

/** The user a (number, …Str) field pair names: the string when present and non-empty, else the number. */
export function userOf(num: bigint | undefined | null, str: string | undefined | null): UserId | undefined {
  if (typeof str === 'string' && str !== '') return str;
  if (num !== undefined && num !== null && num !== 0n) return num;
  return undefined;
}

function usersOf(nums?: bigint[] | null, strs?: string[] | null): UserId[] | undefined {
  const out: UserId[] = [...(nums ?? []), ...(strs ?? [])];
  return out.length ? out : undefined;
}

function settingsOf(d: Static<typeof SettingDoc> | undefined): Settings {
  const s = newSettings();
  if (!d) return s;
  return {
    isMute: d.IsMute ?? s.isMute, isStickTop: d.IsStickTop ?? s.isStickTop, stickTopTime: d.StickTopTime ?? 0n,
    isSetFavorite: d.IsSetFavorite ?? false, setFavoriteTime: d.SetFavoriteTime ?? 0n, ext: { ...(d.Ext ?? {}) },
  };
}

/** Validates a parsed fixture document and turns it into conversations; throws FixtureError naming what is wrong. */
export function conversationsFromFixture(doc: unknown, nowMs: number, indexMode: IndexMode = 'time'): Conversation[] {
  let fixture: FixtureDoc;
  try {
    fixture = validator.parse(doc);
  } catch (e) {
    if (e instanceof ValidationError) throw new FixtureError(e.message);
    throw e;
  }
  const build = builder(nowMs, indexMode);
  return fixture.Conversations.map((c, i) => build(c, i));
}

/** Turns validated conversation fixtures into conversations, checking ids are unique across the document. */
function builder(nowMs: number, indexMode: IndexMode) {
  const seen = new Set<string>();
  const messageIds = new Set<string>();
  return (c: ConversationFixture, i: number): Conversation => {
    const where = `Conversations[${i}]`;
    const key = `${c.AppId}:${c.ConversationShortId}`;
    if (seen.has(key)) throw new FixtureError(`${where}: duplicate ConversationShortId ${c.ConversationShortId} in AppId ${c.AppId}`);
    seen.add(key);
    return conversationOf(c, where, nowMs, messageIds, indexMode);
  };
}

const conversationValidator = compileBody(ConversationDoc);

/**
 * A fixture or data file's text to conversations. Where the text is laid out as {"Conversations":[…]} (the data
 * file always is) it is parsed one conversation at a time, so a large world is never also held as one parsed tree;
 * otherwise the whole document is parsed. Throws JsonSyntaxError (positions in the whole text) or FixtureError.
 */
export function conversationsFromFixtureText(text: string, nowMs: number, log?: LogApplier, indexMode: IndexMode = 'time'): Conversation[] {
  return worldFromFixtureText(text, nowMs, log, indexMode).conversations;
}

/** A whole state document: its conversations and the records of the other kinds (extras.ts). */
export interface World { conversations: Conversation[]; extras: Extras }

/** A parsed fixture or state document to a world; throws FixtureError naming the field. */
export function worldFromFixture(doc: unknown, nowMs: number, indexMode: IndexMode = 'time'): World {
  const conversations = conversationsFromFixture(doc, nowMs, indexMode);
  return { conversations, extras: extrasFromDoc(doc, nowMs) };
}

/** conversationsFromFixtureText, with the other kinds' lists (written after the Conversations array) and their log
 * records applied. */
export function worldFromFixtureText(text: string, nowMs: number, log?: LogApplier, indexMode: IndexMode = 'time'): World {
  const split = splitConversations(text);
  if (!split) {
    const doc = parseJson(text, { strictNumbers: true }) as { Conversations?: unknown };
    if (log && Array.isArray(doc?.Conversations)) {
      doc.Conversations = [...doc.Conversations.map((c) => log.apply(c as Record<string, any>)).filter((c) => c !== undefined), ...log.created()];
    }
    if (log && doc !== null && typeof doc === 'object' && !Array.isArray(doc)) applyExtraRecords(doc as Record<string, unknown>, log.extras);
    return worldFromFixture(doc, nowMs, indexMode);
  }
  let rest: Record<string, unknown> = {};
  if (split.tail !== undefined) {
    try {
      rest = parseJson(split.tail, { strictNumbers: true }) as Record<string, unknown>;
    } catch (e) {
      parseJson(text, { strictNumbers: true }); // throws the error with its position in the whole text
      throw e;
    }
  }
  if (log) applyExtraRecords(rest, log.extras);
  const conversations = conversationsOfElements(text, split.elements, nowMs, log, indexMode);
  return { conversations, extras: extrasFromDoc(rest, nowMs) };
}

function conversationsOfElements(text: string, elements: string[], nowMs: number, log: LogApplier | undefined, indexMode: IndexMode): Conversation[] {
  const build = builder(nowMs, indexMode);
  const out: Conversation[] = [];
  const add = (doc: unknown, i: number, where: string) => {
    let c: ConversationFixture;
    try {
      c = conversationValidator.parse(doc);
    } catch (e) {
      if (e instanceof ValidationError) throw new FixtureError(e.message.split('; ').map((m) => `${where}${m.startsWith('body:') ? m.slice(4) : `.${m}`}`).join('; '));
      throw e;
    }
    out.push(build(c, i));
  };
  elements.forEach((element, i) => {
    let doc: unknown;
    try {
      doc = parseJson(element, { strictNumbers: true });
    } catch (e) {
      parseJson(text, { strictNumbers: true }); // throws the error with its position in the whole text
      throw e;
    }
    if (log && doc !== null && typeof doc === 'object') doc = log.apply(doc as Record<string, any>);
    if (doc !== undefined) add(doc, i, `Conversations[${i}]`);
  });
  if (log) log.created().forEach((doc, j) => add(doc, elements.length + j, `a conversation created in the change log (#${j + 1})`));
  return out;
}

/** Applies a data file's change log while its conversations are read (see changelog.ts). */
export interface LogApplier {
  apply(doc: Record<string, any>): Record<string, any> | undefined;
  created(): Record<string, any>[];
  /** records of the other kinds, in log order */
  readonly extras: Record<string, any>[];
}

/** The LogId a data file was written with (its change log must name the same), if any. */
export function dataFileLogId(text: string): string | undefined {
  return /^\s*\{\s*"LogId"\s*:\s*"([0-9a-f]{1,64})"\s*,/.exec(text)?.[1];
}

/** The texts of the elements of a top-level {"Conversations":[…]} array (after an optional "LogId"), and the text of
 * the keys after the array as an object of its own (tail), or undefined for any other layout. */
function splitConversations(text: string): { elements: string[]; tail?: string } | undefined {
  const head = /^\s*\{\s*(?:"LogId"\s*:\s*"[0-9a-f]{1,64}"\s*,\s*)?"Conversations"\s*:\s*\[/.exec(text);
  if (!head) return undefined;
  const out: string[] = [];
  let depth = 0;
  let start = head[0].length;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      depth++;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      if (depth > 0) { depth--; continue; }
      if (ch !== 93) return undefined;
      const after = text.slice(i + 1);
      let tail: string | undefined;
      if (/^\s*,\s*"/.test(after)) tail = `{${after.slice(after.indexOf(',') + 1)}`;
      else if (!/^\s*\}\s*$/.test(after)) return undefined;
      const last = text.slice(start, i);
      if (last.trim() !== '') out.push(last);
      else if (out.length > 0) return undefined; // a trailing comma: let JSON.parse say so
      return { elements: out, tail };
    } else if (ch === 44 /* , */ && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return undefined;
}

function conversationOf(c: ConversationFixture, where: string, nowMs: number, messageIds: Set<string>, indexMode: IndexMode): Conversation {
  if (![1, 2, 100].includes(c.ConversationType)) throw new FixtureError(`${where}.ConversationType: must be 1, 2 or 100`);
  const nowS = BigInt(Math.floor(nowMs / 1000));
  const members = new Map<UserId, Member>();
  (c.Participants ?? []).forEach((p, j) => {
    const userId = userOf(p.ParticipantUserId, p.ParticipantUserIdStr);
    if (userId === undefined) throw new FixtureError(`${where}.Participants[${j}]: ParticipantUserId or ParticipantUserIdStr is required`);
    if (members.has(userId)) throw new FixtureError(`${where}.Participants[${j}]: duplicate participant ${userId}`);
    members.set(userId, {
      userId, readIndex: p.ReadIndex ?? 0n, role: p.Role ?? Role.Member, createTime: p.CreateTime ?? nowS,
      operator: userOf(p.Operator, p.OperatorStr) ?? 0n, nickName: p.NickName ?? '', level: p.Level ?? 0, ext: { ...(p.Ext ?? {}) },
      blockTime: p.BlockTime ?? 0n, barrierIndex: p.BarrierIndex ?? 0n, settings: settingsOf(p.Setting),
      ...(p.AvatarUrl ? { avatarUrl: p.AvatarUrl } : {}), ...(p.Marks?.length ? { marks: [...p.Marks] } : {}),
    });
  });
  const owner = userOf(c.OwnerUserId, c.OwnerUserIdStr) ?? [...members.values()].find((m) => m.role === Role.Owner)?.userId ?? 0n;
  let other = userOf(c.OtherUserId, c.OtherUserIdStr);
  if (c.ConversationType === ConversationType.OneToOne) {
    if (members.size > 2) throw new FixtureError(`${where}: a one-to-one conversation has at most 2 participants`);
    other ??= [...members.keys()].find((u) => u !== owner);
  }
  const conv: Conversation = {
    appId: c.AppId, shortId: c.ConversationShortId, type: c.ConversationType, inboxType: c.InboxType ?? 0,
    ownerUserId: owner, creatorUserId: userOf(c.CreatorUserId, c.CreatorUserIdStr) ?? owner, otherUserId: other,
    name: c.Name ?? '', avatarUrl: c.AvatarUrl ?? '', description: c.Description ?? '', notice: c.Notice ?? '',
    ext: { ...(c.Ext ?? {}) }, createTime: c.CreateTime ?? nowS, modifyTime: c.ModifyTime ?? c.CreateTime ?? nowS,
    status: c.Status ?? 0, idempotentId: c.IdempotentId, members,
    messages: [], messagesById: new Map(), messagesByClientId: new Map(), lastIndex: 0n,
  };
  liveStateOf(conv, c, where, nowS);
  let lastTime = 0n;
  (c.Messages ?? []).forEach((m, j) => {
    const at = `${where}.Messages[${j}]`;
    const sender = userOf(m.Sender, m.SenderStr);
    if (sender === undefined) throw new FixtureError(`${at}: Sender or SenderStr is required`);
    const idKey = `${c.AppId}:${m.MessageId}`;
    if (messageIds.has(idKey)) throw new FixtureError(`${at}: duplicate MessageId ${m.MessageId} in AppId ${c.AppId}`);
    messageIds.add(idKey);
    const createTime = m.CreateTime ?? (lastTime > BigInt(nowMs) ? lastTime : BigInt(nowMs));
    lastTime = createTime;
    // a missing index is given as a new message would get it, with the message's CreateTime for the clock
    const index = m.IndexInConversation ?? nextIndexAfter(conv.lastIndex, indexMode, createTime);
    if (index === undefined) throw new FixtureError(`${at}.IndexInConversation: missing, and the one it would get (from CreateTime ${createTime} in µs) passes int64's maximum`);
    if (index <= conv.lastIndex) throw new FixtureError(`${at}.IndexInConversation: must be greater than the previous message's (${conv.lastIndex})`);
    const msg: Message = {
      messageId: m.MessageId, sender, msgType: m.MsgType, content: m.Content, index, createTime, status: m.Status ?? 0,
      ext: { ...(m.Ext ?? {}) }, clientMsgId: m.ClientMsgId,
      mentionedUsers: usersOf(m.MentionedUsers, m.MentionedUsersStr), visibleUsers: usersOf(m.VisibleUsers, m.VisibleUsersStr),
      invisibleUsers: usersOf(m.InvisibleUsers, m.InvisibleUsersStr), deleteType: m.DeleteType,
      deletedFor: usersOf(m.DeletedFor, m.DeletedForStr),
      refMsgInfo: m.RefMsgInfo && { referencedMessageId: m.RefMsgInfo.ReferencedMessageId, hint: m.RefMsgInfo.Hint },
    };
    conv.messages.push(msg);
    conv.messagesById.set(msg.messageId, msg);
    if (msg.clientMsgId) conv.messagesByClientId.set(msg.clientMsgId, msg);
    conv.lastIndex = index;
  });
  return conv;
}

/** Blocks, Whitelist and MarkTypes onto conv (left absent when the fixture has none). */
function liveStateOf(conv: Conversation, c: ConversationFixture, where: string, nowS: bigint): void {
  if (!c.Blocks?.length && !c.Whitelist?.length && !c.MarkTypes?.length) return;
  const live = liveOf(conv);
  (c.Blocks ?? []).forEach((b, j) => {
    const userId = userOf(b.ParticipantUserId, b.ParticipantUserIdStr);
    if (userId === undefined) throw new FixtureError(`${where}.Blocks[${j}]: ParticipantUserId or ParticipantUserIdStr is required`);
    live.blocks[b.BlockAction].set(userId, { userId, blockTime: b.BlockTime, createTime: b.CreateTime ?? nowS });
  });
  (c.Whitelist ?? []).forEach((w, j) => {
    const userId = userOf(w.ParticipantUserId, w.ParticipantUserIdStr);
    if (userId === undefined) throw new FixtureError(`${where}.Whitelist[${j}]: ParticipantUserId or ParticipantUserIdStr is required`);
    live.whitelist.set(userId, { userId, operator: userOf(w.Operator, w.OperatorStr) ?? 0n, createTime: w.CreateTime ?? nowS });
  });
  live.markTypes = [...new Set(c.MarkTypes ?? [])];
}

// ---- model -> document ----

/** Sets `key` (numeric user) or `keyStr` (string user) on out. */
function putUser(out: Record<string, unknown>, key: string, u: UserId | undefined): void {
  if (u === undefined) return;
  if (isStrUser(u)) out[`${key}Str`] = u;
  else out[key] = u;
}

function putUsers(out: Record<string, unknown>, key: string, users: UserId[] | undefined): void {
  if (!users?.length) return;
  const nums = users.filter((u): u is bigint => !isStrUser(u));
  const strs = users.filter(isStrUser);
  if (nums.length) out[key] = nums;
  if (strs.length) out[`${key}Str`] = strs;
}

const nonEmpty = (o: Record<string, string>) => (Object.keys(o).length ? { ...o } : undefined);

export function conversationToFixture(c: Conversation): Record<string, unknown> {
  const out = conversationHeadToFixture(c);
  out.Messages = c.messages.map(messageToFixture);
  return out;
}

/** The conversation as a fixture object without its Messages (the data file adds them from its cache). */
export function conversationHeadToFixture(c: Conversation): Record<string, unknown> {
  const out: Record<string, unknown> = { AppId: c.appId, ConversationShortId: c.shortId, ConversationType: c.type, InboxType: c.inboxType };
  putUser(out, 'OwnerUserId', c.ownerUserId);
  putUser(out, 'CreatorUserId', c.creatorUserId);
  putUser(out, 'OtherUserId', c.otherUserId);
  Object.assign(out, {
    Name: c.name, AvatarUrl: c.avatarUrl, Description: c.description, Notice: c.notice, Ext: nonEmpty(c.ext),
    CreateTime: c.createTime, ModifyTime: c.modifyTime, Status: c.status, IdempotentId: c.idempotentId,
  });
  out.Participants = [...c.members.values()].map(memberToFixture);
  if (c.live) liveStateToFixture(c.live, out);
  return out;
}

/** Blocks, Whitelist and MarkTypes, each only when not empty (blocks that ended are kept until the next change). */
function liveStateToFixture(live: LiveState, out: Record<string, unknown>): void {
  const blocks = live.blocks.flatMap((map, action) => [...map.values()].map((b) => {
    const d: Record<string, unknown> = {};
    putUser(d, 'ParticipantUserId', b.userId);
    return Object.assign(d, { BlockAction: action, BlockTime: b.blockTime, CreateTime: b.createTime });
  }));
  if (blocks.length) out.Blocks = blocks;
  const whitelist = [...live.whitelist.values()].map((w) => {
    const d: Record<string, unknown> = {};
    putUser(d, 'ParticipantUserId', w.userId);
    putUser(d, 'Operator', w.operator === 0n ? undefined : w.operator);
    d.CreateTime = w.createTime;
    return d;
  });
  if (whitelist.length) out.Whitelist = whitelist;
  if (live.markTypes.length) out.MarkTypes = [...live.markTypes];
}

function memberToFixture(m: Member): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  putUser(p, 'ParticipantUserId', m.userId);
  Object.assign(p, { ReadIndex: m.readIndex, Role: m.role, CreateTime: m.createTime });
  putUser(p, 'Operator', m.operator === 0n ? undefined : m.operator);
  Object.assign(p, { NickName: m.nickName, Level: m.level, Ext: nonEmpty(m.ext), BlockTime: m.blockTime, BarrierIndex: m.barrierIndex });
  if (m.avatarUrl) p.AvatarUrl = m.avatarUrl;
  if (m.marks?.length) p.Marks = [...m.marks];
  const s = m.settings;
  const d = newSettings();
  if (s.isMute !== d.isMute || s.isStickTop || s.stickTopTime || s.isSetFavorite || s.setFavoriteTime || Object.keys(s.ext).length) {
    p.Setting = { IsMute: s.isMute, IsStickTop: s.isStickTop, StickTopTime: s.stickTopTime, IsSetFavorite: s.isSetFavorite, SetFavoriteTime: s.setFavoriteTime, Ext: nonEmpty(s.ext) };
  }
  return p;
}

export function messageToFixture(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = { MessageId: m.messageId };
  putUser(out, 'Sender', m.sender);
  Object.assign(out, {
    MsgType: m.msgType, Content: m.content, IndexInConversation: m.index, CreateTime: m.createTime, Status: m.status,
    Ext: nonEmpty(m.ext), ClientMsgId: m.clientMsgId, DeleteType: m.deleteType,
  });
  putUsers(out, 'MentionedUsers', m.mentionedUsers);
  putUsers(out, 'VisibleUsers', m.visibleUsers);
  putUsers(out, 'InvisibleUsers', m.invisibleUsers);
  putUsers(out, 'DeletedFor', m.deletedFor);
  if (m.refMsgInfo) out.RefMsgInfo = { ReferencedMessageId: m.refMsgInfo.referencedMessageId, Hint: m.refMsgInfo.hint };
  return out;
}

export { conversationIdOf };
