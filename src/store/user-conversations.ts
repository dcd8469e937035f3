// Each user's conversations kept in GetUserConversations' three orders, so a page costs O(log n + page) instead of
// sorting all of a user's conversations per call. A user's lists are built on the first listing (one sort), then kept:
// a change marks the conversation pending in the lists of the users who have them (at most min(members, such users)
// marks), and a listing first refiles its user's pending conversations (O(log n) each). Only Status 0 conversations
// are listed. Orders (docs/6348/337049):
//   DataType 0  recent activity (latest message or modification, seconds) newest first, then ConversationShortId descending
//   DataType 1  CreateTime ascending, then ConversationShortId ascending
//   DataType 2  live groups the user created: CreateTime descending, then ConversationShortId descending
import { ConversationType, type Conversation, type UserId } from './model.js';
import { OrderedSet } from './ordered-set.js';

/** One user's conversations in one InboxType. */
interface Lists {
  byActivity: OrderedSet<Conversation>;
  byCreateTime: OrderedSet<Conversation>;
  liveCreated: OrderedSet<Conversation>;
}

/** Where a conversation was filed: the keys it went in under, kept so it can be taken out after it changes. */
interface Placed { activity: bigint; createTime: bigint; inboxType: number; liveCreated: boolean }

interface UserLists {
  byInbox: Map<number, Lists>;
  placed: Map<Conversation, Placed>;
  /** conversations that may have moved, joined or left since the lists were last brought up to date */
  pending: Set<Conversation>;
}

/** Seconds of the latest message or modification. */
export function activityOf(c: Conversation): bigint {
  const last = c.messages.length ? c.messages[c.messages.length - 1].createTime / 1000n : 0n;
  return last > c.modifyTime ? last : c.modifyTime;
}

/** What the index reads from the store. */
export interface ConversationSource {
  conversationsOf(appId: number, user: UserId): Iterable<Conversation>;
  /** c is still in the store (not removed or replaced) */
  holds(c: Conversation): boolean;
}

export class UserConversations {
  /** AppId -> user -> lists, for the users listed at least once */
  private readonly built = new Map<number, Map<UserId, UserLists>>();
  /** the activity each conversation had when it was last reported active */
  private readonly activity = new WeakMap<Conversation, bigint>();

  constructor(private readonly source: ConversationSource) {}

  /** c was added, removed or changed in place: it may move in (or leave) its members' lists. */
  changed(c: Conversation): void {
    const users = this.built.get(c.appId);
    if (!users || users.size === 0) return;
    if (users.size < c.members.size) {
      for (const lists of users.values()) if (lists.placed.has(c)) lists.pending.add(c);
      for (const [u, lists] of users) if (c.members.has(u)) lists.pending.add(c);
    } else {
      for (const u of c.members.keys()) users.get(u)?.pending.add(c);
    }
  }

  /** c's activity may have moved (a message, a modification); nothing to do while it stays in the same second. */
  active(c: Conversation): void {
    const now = activityOf(c);
    if (this.activity.get(c) === now) return;
    this.activity.set(c, now);
    this.changed(c);
  }

  /** user joined or left c */
  membership(c: Conversation, user: UserId): void {
    this.built.get(c.appId)?.get(user)?.pending.add(c);
  }

  clear(): void { this.built.clear(); }

  /** A page of user's conversations in (appId, inboxType), in the order of dataType, and how many there are. */
  page(appId: number, user: UserId, inboxType: number, dataType: number, start: number, limit: number): { page: Conversation[]; total: number } {
    const lists = this.current(appId, user).byInbox.get(inboxType);
    if (!lists) return { page: [], total: 0 };
    const list = dataType === 0 ? lists.byActivity : dataType === 1 ? lists.byCreateTime : lists.liveCreated;
    return { page: list.slice(start, limit, dataType !== 1), total: list.size };
  }

  /** user's lists, built on first use, else with their pending conversations refiled. */
  private current(appId: number, user: UserId): UserLists {
    let users = this.built.get(appId);
    if (!users) this.built.set(appId, (users = new Map()));
    let lists = users.get(user);
    if (!lists) {
      users.set(user, (lists = this.build(appId, user)));
      return lists;
    }
    for (const c of lists.pending) {
      const p = lists.placed.get(c);
      if (p) {
        unfile(lists, c, p);
        lists.placed.delete(c);
      }
      if (this.source.holds(c) && c.status === 0 && c.members.has(user)) file(lists, c, placement(c, user));
    }
    lists.pending.clear();
    return lists;
  }

  /** Sorted once, then built in linear time. */
  private build(appId: number, user: UserId): UserLists {
    const lists: UserLists = { byInbox: new Map(), placed: new Map(), pending: new Set() };
    const sorted = new Map<number, { byActivity: Keyed[]; byCreateTime: Keyed[]; liveCreated: Keyed[] }>();
    for (const c of this.source.conversationsOf(appId, user)) {
      if (c.status !== 0) continue;
      const p = placement(c, user);
      lists.placed.set(c, p);
      let s = sorted.get(p.inboxType);
      if (!s) sorted.set(p.inboxType, (s = { byActivity: [], byCreateTime: [], liveCreated: [] }));
      s.byActivity.push({ a: p.activity, b: c.shortId, value: c });
      s.byCreateTime.push({ a: p.createTime, b: c.shortId, value: c });
      if (p.liveCreated) s.liveCreated.push({ a: p.createTime, b: c.shortId, value: c });
    }
    for (const [inboxType, s] of sorted) {
      lists.byInbox.set(inboxType, {
        byActivity: OrderedSet.fromSorted(s.byActivity.sort(byKey)),
        byCreateTime: OrderedSet.fromSorted(s.byCreateTime.sort(byKey)),
        liveCreated: OrderedSet.fromSorted(s.liveCreated.sort(byKey)),
      });
    }
    return lists;
  }
}

interface Keyed { a: bigint; b: bigint; value: Conversation }
const byKey = (x: Keyed, y: Keyed) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0);

function placement(c: Conversation, user: UserId): Placed {
  return {
    activity: activityOf(c), createTime: c.createTime, inboxType: c.inboxType,
    liveCreated: c.type === ConversationType.LiveGroup && c.creatorUserId === user,
  };
}

function file(lists: UserLists, c: Conversation, p: Placed): void {
  let l = lists.byInbox.get(p.inboxType);
  if (!l) lists.byInbox.set(p.inboxType, (l = { byActivity: new OrderedSet(), byCreateTime: new OrderedSet(), liveCreated: new OrderedSet() }));
  l.byActivity.insert(p.activity, c.shortId, c);
  l.byCreateTime.insert(p.createTime, c.shortId, c);
  if (p.liveCreated) l.liveCreated.insert(p.createTime, c.shortId, c);
  lists.placed.set(c, p);
}

function unfile(lists: UserLists, c: Conversation, p: Placed): void {
  const l = lists.byInbox.get(p.inboxType);
  if (!l) return;
  l.byActivity.delete(p.activity, c.shortId);
  l.byCreateTime.delete(p.createTime, c.shortId);
  if (p.liveCreated) l.liveCreated.delete(p.createTime, c.shortId);
}
