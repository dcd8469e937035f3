// The state behind named verbs, with in-memory indexes: conversations by (AppId, ConversationShortId), messages by
// MessageId within their conversation, members by user id. No verb scans the whole store.
import type { Clock } from '../protocol/clock.js';
import type { Random } from '../protocol/random.js';
import { ConversationType, MessageStatus, nextIndexAfter, type IndexMode, type Conversation, type Member, type Message, type Settings, type UserId } from './model.js';
import { memorySink, type ChangeSink } from './persistence.js';
import { invalid } from '../protocol/errors.js';
import { Users, type Emit } from './users.js';
import { Relations } from './relations.js';
import { Apps } from './apps.js';
import { PresenceSet } from './presence.js';
import { Broadcasts } from './broadcasts.js';
import { noExtras, extrasToDoc, EXTRA_KINDS, type Extras } from './extras.js';
import { UserConversations } from './user-conversations.js';

/** Generated ids look like the real ones: about 1.7e18, above 2^53. */
const ID_LO = 1_600_000_000_000_000_000n;
const ID_HI = 2_000_000_000_000_000_000n;

export class Store {
  private readonly apps = new Map<number, Map<bigint, Conversation>>();
  /** every id in use, conversations and messages, so generated ids never collide */
  private readonly usedIds = new Set<bigint>();
  /** per AppId: each user's conversations (GetUserConversations) */
  private readonly byUser = new Map<number, Map<UserId, Set<Conversation>>>();
  /** each user's conversations in GetUserConversations' orders, kept as conversations change */
  private readonly ordered = new UserConversations({
    conversationsOf: (appId, user) => this.conversationsOf(appId, user),
    holds: (c) => this.apps.get(c.appId)?.get(c.shortId) === c,
  });
  /** per AppId: one-to-one conversations created without an IdempotentId, by InboxType and user pair */
  private readonly byPair = new Map<number, Map<string, Conversation>>();
  /** per AppId: conversations by CreateConversation.IdempotentId */
  private readonly byIdempotentId = new Map<number, Map<string, Conversation>>();

  /** set once by buildApp; fixtures and the data file carry their indexes, so only new messages depend on it */
  indexMode: IndexMode = 'time';

  /** Runs after every message appended, whoever sends it (after-send callbacks); unset while nothing listens. */
  onMessageAppended?: (c: Conversation, m: Message) => void;

  /** every change to the kinds of state beside conversations reaches the sink as its record (extras.ts) */
  private readonly emit: Emit = (kind, doc, removed) => this.sink.extra(kind, doc, removed);
  readonly users = new Users(this.emit);
  readonly relations = new Relations(this.emit);
  readonly applications: Apps;
  readonly presence = new PresenceSet(this.emit);
  readonly broadcasts = new Broadcasts();

  constructor(readonly clock: Clock, readonly random: Random, private sink: ChangeSink = memorySink) {
    this.applications = new Apps(this.emit, random.seed);
  }

  setSink(sink: ChangeSink): void {
    this.sink = sink;
    sink.attachExtras?.((() => extrasToDoc(this.extras())));
  }

  /** The hook for live groups' ScanOnlineParticipant: whether user has a connection (PUT /_mock/presence). */
  isOnline(appId: number, user: UserId): boolean { return typeof user === 'bigint' && this.presence.isOnline(appId, user); }
  flush(): Promise<void> { return this.sink.flush(); }
  close(): Promise<void> { return this.sink.close(); }
  /** why the data file cannot be written, while it cannot; then state-changing calls are refused (ServiceUnavailableTemp) */
  persistenceFailure(): string | undefined { return this.sink.failure(); }

  // ---- whole-state verbs (load, reset, export) ----

  /** Replaces every conversation and record of the other kinds (all AppIds), or only those of appId. */
  replace(conversations: Conversation[], appId?: number, persisted = false, extras: Extras = noExtras()): void {
    this.replaceExtras(extras, appId);
    this.broadcasts.clear(appId); // a new world has sent no broadcasts yet
    if (appId === undefined) {
      this.apps.clear();
      this.usedIds.clear();
      this.byUser.clear();
      this.ordered.clear();
      this.byPair.clear();
      this.byIdempotentId.clear();
      for (const c of conversations) this.insert(c);
      this.sink.replacedAll(this.conversations(), persisted);
      return;
    }
    const old = [...(this.apps.get(appId)?.values() ?? [])];
    for (const c of old) this.forget(c);
    this.apps.delete(appId);
    const added = conversations.filter((c) => c.appId === appId);
    for (const c of added) this.insert(c);
    this.sink.replacedApp(old, added);
  }

  *conversations(appId?: number): Iterable<Conversation> {
    if (appId !== undefined) { yield* this.apps.get(appId)?.values() ?? []; return; }
    for (const app of this.apps.values()) yield* app.values();
  }

  /** The users, relations, apps and presence of appId (or all), as records. */
  extras(appId?: number): Extras {
    return {
      apps: [...this.applications.all(appId)], users: [...this.users.all(appId)], friends: [...this.relations.friends(appId)],
      blacks: [...this.relations.blacks(appId)], presence: [...this.presence.all(appId)],
    };
  }

  /** For one AppId the change is logged record by record (removed, then added), like its conversations; for all,
   * replace() has the sink rewrite the whole file. */
  private replaceExtras(x: Extras, appId?: number): void {
    const old = appId === undefined ? undefined : extrasToDoc(this.extras(appId));
    this.applications.replace(x.apps, appId);
    this.users.replace(x.users, appId);
    this.relations.replace(x.friends, x.blacks, appId);
    this.presence.replace(x.presence, appId);
    if (appId === undefined || !old) return;
    const added = extrasToDoc(this.extras(appId));
    for (const kind of EXTRA_KINDS) {
      for (const doc of old[kind]) this.emit(kind, doc, true);
      for (const doc of added[kind]) this.emit(kind, doc);
    }
  }

  appIds(): number[] { return [...this.apps.keys()].sort((a, b) => a - b); }

  // ---- lookups ----

  conversation(appId: number, shortId: bigint): Conversation | undefined {
    return this.apps.get(appId)?.get(shortId);
  }

  message(c: Conversation, messageId: bigint): Message | undefined {
    return c.messagesById.get(messageId);
  }

  /** c's members ascending by user id: numeric ids by value, then string ids. Sorted once and kept on the conversation
   * until putMembers or removeMembers changes who is in it; the array is shared, never to be changed by callers. */
  sortedMembers(c: Conversation): readonly Member[] {
    return (c.sortedMembers ??= sortByUser([...c.members.values()]));
  }

  // ---- ids and time ----

  /** A fresh id about 1.7e18, unique across conversations and messages. */
  newId(): bigint {
    for (;;) {
      const id = this.random.between(ID_LO, ID_HI);
      if (!this.usedIds.has(id)) return id;
    }
  }

  nowMs(): bigint { return BigInt(this.clock.now()); }
  nowSeconds(): bigint { return BigInt(Math.floor(this.clock.now() / 1000)); }

  // ---- mutation verbs ----

  /** Adds a new conversation. */
  addConversation(c: Conversation): void {
    this.insert(c);
    this.sink.changed(c);
  }

  /** Removes a conversation; its ids stay used, so they are never handed out again. */
  removeConversation(c: Conversation): void {
    this.apps.get(c.appId)?.delete(c.shortId);
    this.unindex(c);
    this.sink.removed(c);
  }

  // ---- conversation and member verbs ----

  /** The conversation CreateConversation made with this IdempotentId in appId, if it still exists. */
  conversationByIdempotentId(appId: number, idempotentId: string): Conversation | undefined {
    return this.byIdempotentId.get(appId)?.get(idempotentId);
  }

  /** The one-to-one conversation of users a and b in (appId, inboxType) made without an IdempotentId. */
  oneToOne(appId: number, inboxType: number, a: UserId, b: UserId): Conversation | undefined {
    return this.byPair.get(appId)?.get(pairKey(inboxType, a, b));
  }

  /** The conversations user is a member of in appId (any type, InboxType and status). */
  conversationsOf(appId: number, user: UserId): ReadonlySet<Conversation> {
    return this.byUser.get(appId)?.get(user) ?? EMPTY;
  }

  /** A page of user's conversations (Status 0) in one InboxType, in GetUserConversations' order for dataType
   * (0 activity, 1 CreateTime, 2 live groups user created), and how many there are: O(log n + limit). */
  userConversationsPage(appId: number, user: UserId, inboxType: number, dataType: number, start: number, limit: number): { page: Conversation[]; total: number } {
    return this.ordered.page(appId, user, inboxType, dataType, start, limit);
  }

  /** Adds or overwrites members (BatchAddConversationParticipant); an existing member keeps its join position. */
  putMembers(c: Conversation, members: Member[]): void {
    for (const m of members) {
      const joined = !c.members.has(m.userId);
      c.members.set(m.userId, m);
      if (joined) this.ordered.membership(c, m.userId);
      this.userSet(c.appId, m.userId).add(c);
    }
    c.sortedMembers = undefined;
    this.sink.changed(c);
  }

  /** Removes members (BatchDeleteConversationParticipant). */
  removeMembers(c: Conversation, users: UserId[]): void {
    for (const u of users) {
      if (c.members.has(u)) this.ordered.membership(c, u);
      c.members.delete(u);
      this.byUser.get(c.appId)?.get(u)?.delete(c);
    }
    c.sortedMembers = undefined;
    this.sink.changed(c);
  }

  /** ModifyConversation: sets the given fields, merges Ext, moves ownership (roles follow in a group). */
  modifyConversation(c: Conversation, patch: ConversationPatch): void {
    if (patch.name !== undefined) c.name = patch.name;
    if (patch.avatarUrl !== undefined) c.avatarUrl = patch.avatarUrl;
    if (patch.description !== undefined) c.description = patch.description;
    if (patch.notice !== undefined) c.notice = patch.notice;
    if (patch.ext) c.ext = { ...c.ext, ...patch.ext }; // spread, not Object.assign: a "__proto__" key stays data
    if (patch.owner !== undefined && patch.owner !== c.ownerUserId) {
      if (c.type === ConversationType.OneToOne) {
        // the pair stays the same (and so does its index key): owner and other user swap
        c.otherUserId = c.ownerUserId;
      } else {
        const old = c.members.get(c.ownerUserId);
        if (old && old.role === 1) old.role = 0;
        c.members.get(patch.owner)!.role = 1;
      }
      c.ownerUserId = patch.owner;
    }
    c.modifyTime = this.nowSeconds();
    this.ordered.active(c);
    this.sink.changed(c);
  }

  /** ModifyConversationSetting: replaces one member's settings. */
  setSettings(c: Conversation, user: UserId, settings: Settings): void {
    const m = c.members.get(user);
    if (!m) return;
    m.settings = settings;
    this.sink.changed(c);
  }

  private userSet(appId: number, user: UserId): Set<Conversation> {
    let users = this.byUser.get(appId);
    if (!users) this.byUser.set(appId, (users = new Map()));
    let set = users.get(user);
    if (!set) users.set(user, (set = new Set()));
    return set;
  }

  private index(c: Conversation): void {
    for (const u of c.members.keys()) this.userSet(c.appId, u).add(c);
    this.ordered.changed(c);
    if (c.idempotentId !== undefined) mapOf(this.byIdempotentId, c.appId).set(c.idempotentId, c);
    else if (c.type === ConversationType.OneToOne && c.status === 0 && c.otherUserId !== undefined && c.ownerUserId !== 0n) {
      const pairs = mapOf(this.byPair, c.appId);
      const key = pairKey(c.inboxType, c.ownerUserId, c.otherUserId);
      if (!pairs.has(key)) pairs.set(key, c);
    }
  }

  private unindex(c: Conversation): void {
    this.ordered.changed(c);
    const users = this.byUser.get(c.appId);
    for (const u of c.members.keys()) users?.get(u)?.delete(c);
    const idem = this.byIdempotentId.get(c.appId);
    if (c.idempotentId !== undefined && idem?.get(c.idempotentId) === c) idem.delete(c.idempotentId);
    if (c.type === ConversationType.OneToOne && c.otherUserId !== undefined) {
      const pairs = this.byPair.get(c.appId);
      const key = pairKey(c.inboxType, c.ownerUserId, c.otherUserId);
      if (pairs?.get(key) === c) pairs.delete(key);
    }
  }

  /** The IndexInConversation c's next message gets: previous + 1, or the mock clock in µs when that is later (time
   * mode); undefined when it would pass int64's maximum (no further message can be stored in c). */
  nextIndex(c: Conversation): bigint | undefined {
    return nextIndexAfter(c.lastIndex, this.indexMode, this.clock.now());
  }

  /** Appends a message with the next IndexInConversation; the sender has read its own message. Refused
   * (InvalidParameter, nothing changed) when that index would pass int64's maximum. */
  appendMessage(c: Conversation, m: Omit<Message, 'index'>): Message {
    const index = this.nextIndex(c);
    if (index === undefined) throw invalid(`conversation ${c.shortId} holds IndexInConversation ${c.lastIndex}: a further message would pass int64's maximum`);
    const msg: Message = { ...m, index };
    c.lastIndex = msg.index;
    c.messages.push(msg);
    c.messagesById.set(msg.messageId, msg);
    if (msg.clientMsgId) c.messagesByClientId.set(msg.clientMsgId, msg);
    this.usedIds.add(msg.messageId);
    const sender = c.members.get(msg.sender);
    if (sender && sender.readIndex < msg.index) sender.readIndex = msg.index;
    this.ordered.active(c);
    this.sink.changed(c, msg);
    this.onMessageAppended?.(c, msg);
    return msg;
  }

  /** Records that c's head fields changed in place (members change through putMembers / removeMembers): persistence
   * picks it up and c is filed again in its users' ordered lists. */
  touched(c: Conversation): void {
    this.ordered.changed(c);
    this.sink.changed(c);
  }

  /** Moves a member's ReadIndex; callers check it only moves up. */
  setReadIndex(c: Conversation, user: UserId, readIndex: bigint): void {
    const m = c.members.get(user);
    if (!m) return;
    m.readIndex = readIndex;
    this.sink.changed(c);
  }

  // ---- message and read-index verbs ----

  /** DeleteConversationMessage: 0 hides m from everyone, 1 leaves it visible to its sender only. */
  deleteForAll(c: Conversation, m: Message, deleteType: 0 | 1): void {
    m.deleteType = deleteType;
    this.sink.changed(c, m);
  }

  /** DeleteMessage: hides m from one member. */
  deleteFor(c: Conversation, m: Message, user: UserId): void {
    if (m.deletedFor?.includes(user)) return;
    m.deletedFor = [...(m.deletedFor ?? []), user];
    this.sink.changed(c, m);
  }

  /** RecallMessage: the message stays, with Status 3 (recalled). */
  recallMessage(c: Conversation, m: Message): void {
    m.status = MessageStatus.Recalled;
    this.sink.changed(c, m);
  }

  /** ModifyMessage: Content replaced when given; Ext merged (keys given overwrite or are appended, others kept). */
  editMessage(c: Conversation, m: Message, edit: { content?: string; ext?: Record<string, string> }): void {
    if (edit.content !== undefined) m.content = edit.content;
    if (edit.ext) m.ext = { ...m.ext, ...edit.ext };
    this.sink.changed(c, m);
  }

  private insert(c: Conversation): void {
    let app = this.apps.get(c.appId);
    if (!app) this.apps.set(c.appId, (app = new Map()));
    app.set(c.shortId, c);
    this.usedIds.add(c.shortId);
    for (const id of c.messagesById.keys()) this.usedIds.add(id);
    this.index(c);
  }

  private forget(c: Conversation): void {
    this.unindex(c);
    this.usedIds.delete(c.shortId);
    for (const id of c.messagesById.keys()) this.usedIds.delete(id);
  }
}

export interface ConversationPatch {
  name?: string; avatarUrl?: string; description?: string; notice?: string;
  /** merged into the conversation's Ext: given keys overwritten or added, others kept */
  ext?: Record<string, string>;
  /** new owner; must already be a member */
  owner?: UserId;
}

const EMPTY: ReadonlySet<Conversation> = new Set();

/** Numeric ids ascending by value, then string ids (by UTF-16 code units, as Array.prototype.sort). */
function sortByUser(members: Member[]): Member[] {
  return members.sort((a, b) => {
    const x = a.userId;
    const y = b.userId;
    if (typeof x !== typeof y) return typeof x === 'string' ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function mapOf<K, V>(m: Map<number, Map<K, V>>, appId: number): Map<K, V> {
  let inner = m.get(appId);
  if (!inner) m.set(appId, (inner = new Map()));
  return inner;
}

/** A user pair key that keeps 1n and "1" apart and does not depend on argument order. */
function pairKey(inboxType: number, a: UserId, b: UserId): string {
  const [x, y] = [userKey(a), userKey(b)].sort();
  return `${inboxType}|${x}|${y}`;
}

const userKey = (u: UserId) => (typeof u === 'string' ? `s:${u}` : `n:${u}`);
