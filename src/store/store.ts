// The state behind named verbs, with in-memory indexes: conversations by (AppId, ConversationShortId), messages by
// MessageId within their conversation, members by user id. No verb scans the whole store.
import type { Clock } from '../protocol/clock.js';
import type { Random } from '../protocol/random.js';
import { type Conversation, type Message, type UserId, MessageStatus } from './model.js';
import { memorySink, type ChangeSink } from './persistence.js';

/** Generated ids look like the real ones: about 1.7e18, above 2^53. */
const ID_LO = 1_600_000_000_000_000_000n;
const ID_HI = 2_000_000_000_000_000_000n;

export class Store {
  private readonly apps = new Map<number, Map<bigint, Conversation>>();
  /** every id in use, conversations and messages, so generated ids never collide */
  private readonly usedIds = new Set<bigint>();

  constructor(readonly clock: Clock, readonly random: Random, private sink: ChangeSink = memorySink) {}

  setSink(sink: ChangeSink): void { this.sink = sink; }
  flush(): Promise<void> { return this.sink.flush(); }
  close(): Promise<void> { return this.sink.close(); }

  // ---- whole-state verbs (load, reset, export) ----

  /** Replaces every conversation (all AppIds), or only those of appId. */
  replace(conversations: Conversation[], appId?: number): void {
    if (appId === undefined) {
      this.apps.clear();
      this.usedIds.clear();
    } else {
      for (const c of this.apps.get(appId)?.values() ?? []) this.forget(c);
      this.apps.delete(appId);
    }
    for (const c of conversations) if (appId === undefined || c.appId === appId) this.insert(c);
    this.sink.replacedAll(this.conversations());
  }

  *conversations(appId?: number): Iterable<Conversation> {
    if (appId !== undefined) { yield* this.apps.get(appId)?.values() ?? []; return; }
    for (const app of this.apps.values()) yield* app.values();
  }

  appIds(): number[] { return [...this.apps.keys()].sort((a, b) => a - b); }

  // ---- lookups ----

  conversation(appId: number, shortId: bigint): Conversation | undefined {
    return this.apps.get(appId)?.get(shortId);
  }

  message(c: Conversation, messageId: bigint): Message | undefined {
    return c.messagesById.get(messageId);
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
    this.sink.removed(c);
  }

  /** Appends a message with the next IndexInConversation; the sender has read its own message. */
  appendMessage(c: Conversation, m: Omit<Message, 'index'>): Message {
    const msg: Message = { ...m, index: c.lastIndex + 1n };
    c.lastIndex = msg.index;
    c.messages.push(msg);
    c.messagesById.set(msg.messageId, msg);
    if (msg.clientMsgId) c.messagesByClientId.set(msg.clientMsgId, msg);
    this.usedIds.add(msg.messageId);
    const sender = c.members.get(msg.sender);
    if (sender && sender.readIndex < msg.index) sender.readIndex = msg.index;
    this.sink.changed(c);
    return msg;
  }

  /** Records that c changed in place (members, settings, message flags): persistence picks it up. */
  touched(c: Conversation): void { this.sink.changed(c); }

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
    this.sink.changed(c);
  }

  /** DeleteMessage: hides m from one member. */
  deleteFor(c: Conversation, m: Message, user: UserId): void {
    if (m.deletedFor?.includes(user)) return;
    m.deletedFor = [...(m.deletedFor ?? []), user];
    this.sink.changed(c);
  }

  /** RecallMessage: the message stays, with Status 3 (recalled). */
  recallMessage(c: Conversation, m: Message): void {
    m.status = MessageStatus.Recalled;
    this.sink.changed(c);
  }

  /** ModifyMessage: Content replaced when given; Ext merged (keys given overwrite or are appended, others kept). */
  editMessage(c: Conversation, m: Message, edit: { content?: string; ext?: Record<string, string> }): void {
    if (edit.content !== undefined) m.content = edit.content;
    if (edit.ext) m.ext = { ...m.ext, ...edit.ext };
    this.sink.changed(c);
  }

  private insert(c: Conversation): void {
    let app = this.apps.get(c.appId);
    if (!app) this.apps.set(c.appId, (app = new Map()));
    app.set(c.shortId, c);
    this.usedIds.add(c.shortId);
    for (const id of c.messagesById.keys()) this.usedIds.add(id);
  }

  private forget(c: Conversation): void {
    this.usedIds.delete(c.shortId);
    for (const id of c.messagesById.keys()) this.usedIds.delete(id);
  }
}
