// The data file's change log (FILE.log beside FILE): what changed since FILE was last written in full, one JSON line
// per change, appended at each flush. A flush writes only what changed; FILE itself is rewritten (compacted) rarely.
//
//   {"LogId":"…"}                                                   first line: the snapshot (FILE) this log follows
//   {"Conversation":{…fixture, no Messages}}                         a conversation's head and members, as they are now
//   {"AppId":…,"ConversationShortId":…,"Message":{…},"SenderReadIndex":…}   a message as it is now (new or changed);
//                                                                    SenderReadIndex: its sender's read position now
//   {"Removed":{"AppId":…,"ConversationShortId":…}}                  a conversation destroyed
//   {"Put":"Users","Record":{…}} / {"Delete":"Friends","Record":{…}}  a record of another kind (extras.ts) as it is
//                                                                    now, or gone; replayed in log order
//
// Every record states the present value of what it names, so replaying a record twice, or one whose change the snapshot
// already holds, changes nothing. A torn last line (a kill during an append) is ignored; any other bad line is an error.
import { parseJson, JsonSyntaxError, stringifyJson } from '../protocol/json.js';
import { conversationHeadToFixture, messageToFixture, FixtureError } from './fixtures.js';
import type { Conversation, Message } from './model.js';
import { EXTRA_KINDS, extraKey, type ExtraKind } from './extras.js';

export const logFileOf = (file: string): string => `${file}.log`;

export const logHeader = (logId: string): string => `${stringifyJson({ LogId: logId })}\n`;

// ---- writing ----

export function headRecord(c: Conversation): string {
  return `${stringifyJson({ Conversation: conversationHeadToFixture(c) })}\n`;
}

export function messageRecord(c: Conversation, m: Message): string {
  const record: Record<string, unknown> = { AppId: c.appId, ConversationShortId: c.shortId, Message: messageToFixture(m) };
  const sender = c.members.get(m.sender);
  if (sender) record.SenderReadIndex = sender.readIndex;
  return `${stringifyJson(record)}\n`;
}

export function removedRecord(c: Conversation): string {
  return `${stringifyJson({ Removed: { AppId: c.appId, ConversationShortId: c.shortId } })}\n`;
}

export function extraRecord(kind: ExtraKind, doc: Record<string, unknown>, removed: boolean): string {
  return `${stringifyJson({ [removed ? 'Delete' : 'Put']: kind, Record: doc })}\n`;
}

/** Applies extra records, in log order, to the snapshot's lists (Put of a known record keeps its place, a new one is
 * appended, Delete removes). */
export function applyExtraRecords(lists: Record<string, unknown>, records: Doc[]): void {
  if (records.length === 0) return;
  const maps = new Map<string, Map<string, Doc>>();
  for (const kind of EXTRA_KINDS) {
    const rows = Array.isArray(lists[kind]) ? (lists[kind] as Doc[]) : [];
    maps.set(kind, new Map(rows.map((r) => [extraKey(kind, r), r])));
  }
  for (const r of records) {
    const kind = (r.Put ?? r.Delete) as ExtraKind;
    const map = maps.get(kind)!;
    const key = extraKey(kind, r.Record);
    if (r.Delete) map.delete(key);
    else map.set(key, r.Record);
  }
  for (const kind of EXTRA_KINDS) lists[kind] = [...maps.get(kind)!.values()];
}

// ---- reading ----

type Doc = Record<string, any>;


export interface LogReplay {
  /** bytes of the log up to its last whole record: the next append starts there */
  readonly validBytes: number;
  /** the log follows this snapshot and can be appended to */
  readonly current: boolean;
  /** applies the log to a conversation fixture of the snapshot; undefined = destroyed since */
  apply(doc: Doc): Doc | undefined;
  /** conversations created since the snapshot, as fixture objects */
  created(): Doc[];
  /** records of the other kinds (Put / Delete), in log order */
  readonly extras: Doc[];
}

const keyOf = (appId: unknown, shortId: unknown) => `${String(appId)}:${String(shortId)}`;

/** Reads a log for the snapshot whose LogId is logId. Throws FixtureError naming the line of a bad record. */
export function readLog(text: string | undefined, logId: string | undefined, file: string): LogReplay {
  /** each conversation's records, in log order, until they are applied to its fixture object */
  const pending = new Map<string, Doc[]>();
  const extras: Doc[] = [];
  let validBytes = 0; // bytes up to the end of the last whole line
  let current = false;
  if (text !== undefined && logId !== undefined) {
    let start = 0;
    for (let line = 1; start < text.length; line++) {
      const end = text.indexOf('\n', start);
      if (end < 0) break; // torn last line: a kill during an append; the next append overwrites it
      const lineText = text.slice(start, end);
      let doc: Doc;
      try {
        doc = parseJson(lineText, { strictNumbers: true }) as Doc;
      } catch (e) {
        if (e instanceof JsonSyntaxError && text.indexOf('\n', end + 1) < 0 && text.slice(end + 1).trim() === '') break; // torn last line
        throw new FixtureError(`${file} line ${line}: not valid JSON: ${(e as Error).message}`);
      }
      if (line === 1) {
        if (doc?.LogId !== logId) return NO_REPLAY; // follows another snapshot: FILE was compacted after it
        current = true;
      } else if (isExtra(doc)) {
        extras.push(doc);
      } else {
        const key = recordKey(doc, `${file} line ${line}`);
        const records = pending.get(key);
        if (records) records.push(doc);
        else pending.set(key, [doc]);
      }
      validBytes += Buffer.byteLength(lineText) + 1;
      start = end + 1;
    }
  }
  if (!current) return NO_REPLAY;
  return {
    validBytes, current, extras,
    apply(doc) {
      const key = keyOf(doc.AppId, doc.ConversationShortId);
      const records = pending.get(key);
      if (!records) return doc;
      pending.delete(key);
      return replay(doc, records);
    },
    created() {
      const out: Doc[] = [];
      for (const records of pending.values()) {
        const doc = replay(undefined, records);
        if (doc) out.push(doc);
      }
      pending.clear();
      return out;
    },
  };
}

/** No log, or one that follows another snapshot (FILE was compacted after it): nothing to apply, start a new one. */
export const NO_REPLAY: LogReplay = { validBytes: 0, current: false, apply: (doc) => doc, created: () => [], extras: [] };

const isExtra = (doc: Doc): boolean => {
  if (!doc || typeof doc !== 'object' || !isObject(doc.Record)) return false;
  const kind = doc.Put ?? doc.Delete;
  return (EXTRA_KINDS as readonly string[]).includes(kind) && (doc.Put === undefined) !== (doc.Delete === undefined);
};

function recordKey(doc: Doc, where: string): string {
  if (doc && typeof doc === 'object') {
    if (isObject(doc.Conversation)) return keyOf(doc.Conversation.AppId, doc.Conversation.ConversationShortId);
    if (isObject(doc.Removed)) return keyOf(doc.Removed.AppId, doc.Removed.ConversationShortId);
    if (isObject(doc.Message) && doc.AppId !== undefined && doc.ConversationShortId !== undefined) return keyOf(doc.AppId, doc.ConversationShortId);
  }
  throw new FixtureError(`${where}: not a change record (Conversation, Message, Removed, Put or Delete)`);
}

const isObject = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A conversation fixture with its records applied in order; undefined when it ends destroyed (or never had a head). */
function replay(doc: Doc | undefined, records: Doc[]): Doc | undefined {
  let byId: Map<string, number> | undefined;
  for (const r of records) {
    if (r.Removed) {
      doc = undefined;
      byId = undefined;
    } else if (r.Conversation) {
      doc = { ...r.Conversation, Messages: doc?.Messages ?? [] };
    } else if (doc) {
      const messages: Doc[] = Array.isArray(doc.Messages) ? doc.Messages : (doc.Messages = []);
      if (!byId) byId = new Map(messages.map((m, i) => [String(m?.MessageId), i]));
      const id = String(r.Message.MessageId);
      const at = byId.get(id);
      if (at === undefined) {
        byId.set(id, messages.length);
        messages.push(r.Message);
      } else {
        messages[at] = r.Message;
      }
      if (r.SenderReadIndex !== undefined) setReadIndex(doc, r.Message, r.SenderReadIndex);
    }
    // a message of a conversation the log does not know (cannot happen: its head is logged first) is dropped
  }
  return doc;
}

function setReadIndex(doc: Doc, message: Doc, readIndex: unknown): void {
  const str = typeof message.SenderStr === 'string' && message.SenderStr !== '';
  for (const p of Array.isArray(doc.Participants) ? doc.Participants : []) {
    const same = str ? p?.ParticipantUserIdStr === message.SenderStr : p?.ParticipantUserIdStr === undefined && String(p?.ParticipantUserId) === String(message.Sender);
    if (same) { p.ReadIndex = readIndex; return; }
  }
}

