// A page to look at the world (issues 8, 17): GET /_mock/ui is one self-contained HTML page (inline CSS and JS, no build,
// no external assets); GET /_mock/ui/data is its read-only JSON, one AppId and one page of conversations at a time.
// With --admin-token the page, like every control route but health, needs the token: a browser opens it as
// /_mock/ui?token=T, and the page's own fetches carry the token as a Bearer header.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import GetMessagesReadReceipt from '../actions/messages/GetMessagesReadReceipt.js';
import { ApiError } from '../protocol/errors.js';
import { isStrUser, type Conversation, type Member, type Message, type UserId } from '../store/model.js';
import { activeBlocks, whitelistOf } from '../store/live.js';
import { queryOf, intQuery, sendJson, APPID_MAX } from './http.js';

/** The page route: with --admin-token it also accepts the token as ?token= (a browser cannot send a header). */
export const UI_PAGE_URL = '/_mock/ui';

const PAGE_SIZE = 20;
const PAGE_SIZE_MAX = 100;
/** newest messages shown per conversation */
const MESSAGES_SHOWN = 20;
/** a live group's blocks of each kind and whitelist entries shown (the counts say how many more) */
const LIVE_SHOWN = 100;

/** A user as the page shows it: a numeric id as its digits, a string id (the …Str twins) JSON-quoted. */
const shown = (u: UserId) => (isStrUser(u) ? JSON.stringify(u) : u.toString());

/** Who has read each message, from the vendor action itself (same rule, same errors); null where it answers an error. */
function receipts(runtime: MockRuntime, c: Conversation, messages: Message[]) {
  const byId = new Map<string, { read: string[]; unread: string[] }>();
  if (messages.length === 0) return { byId, error: null };
  try {
    const result = GetMessagesReadReceipt.handler({ store: runtime.store, requestId: 'ui', accessKeyId: '' },
      { AppId: c.appId, ConversationShortId: c.shortId, MessageIds: messages.map((m) => m.messageId) });
    for (const r of result.ReadReceipt) {
      const read = [...r.ReadUserIds, ...(r.ReadUserIdsStr ?? [])].map(shown);
      const unread = [...r.UnReadUserIds, ...(r.UnReadUserIdsStr ?? [])].map(shown);
      byId.set(String(r.MessageId), { read, unread });
    }
    return { byId, error: null };
  } catch (e) {
    if (e instanceof ApiError) return { byId, error: `GetMessagesReadReceipt answers ${e.code}` };
    throw e;
  }
}

const memberView = (m: Member) => ({ UserId: shown(m.userId), Role: m.role, ReadIndex: m.readIndex.toString(), Marks: m.marks ?? [] });

/** A live group's moderation: blocks in force now by the mock clock (BlockTime = until, seconds; 0 = until removed),
 * the whitelist and the conversation's marks; null for other conversations. */
function liveView(runtime: MockRuntime, c: Conversation) {
  if (c.type !== 100) return null;
  const blocks = (action: number) => {
    const all = activeBlocks(runtime.store, c, action);
    return { Count: all.length, Shown: all.slice(0, LIVE_SHOWN).map((b) => ({ UserId: shown(b.userId), BlockTime: b.blockTime.toString() })) };
  };
  const whitelist = whitelistOf(c);
  return {
    Muted: blocks(0), Banned: blocks(1), MarkTypes: c.live?.markTypes ?? [],
    Whitelist: { Count: whitelist.length, Shown: whitelist.slice(0, LIVE_SHOWN).map((w) => ({ UserId: shown(w.userId), Operator: w.operator === 0n ? null : shown(w.operator) })) },
  };
}

function conversationView(runtime: MockRuntime, c: Conversation) {
  const messages = c.messages.slice(-MESSAGES_SHOWN);
  const { byId, error } = receipts(runtime, c, messages);
  return {
    ConversationShortId: c.shortId.toString(), ConversationType: c.type, Name: c.name, OwnerUserId: shown(c.ownerUserId),
    Status: c.status, MemberCount: c.members.size, MessageCount: c.messages.length, ReceiptError: error,
    Members: runtime.store.sortedMembers(c).map(memberView), Live: liveView(runtime, c),
    Messages: messages.map((m) => ({
      MessageId: m.messageId.toString(), Sender: shown(m.sender), IndexInConversation: m.index.toString(),
      MsgType: m.msgType, Content: m.content, Status: m.status,
      Deleted: m.deleteType === 0 ? 'for all' : m.deleteType === 1 ? 'for all but the sender' : m.deletedFor?.length ? `for ${m.deletedFor.map(shown).join(', ')}` : null,
      ReadUserIds: byId.get(m.messageId.toString())?.read ?? null,
      UnReadUserIds: byId.get(m.messageId.toString())?.unread ?? null,
    })),
  };
}

/** AppIds with conversations, users, relations or presence: the page's AppId selector (deliveries come from sends). */
function knownAppIds(runtime: MockRuntime): number[] {
  const ids = new Set(runtime.store.appIds());
  const x = runtime.store.extras();
  for (const rows of [x.users, x.friends, x.blacks, x.presence]) for (const r of rows) ids.add(r.appId);
  return [...ids].sort((a, b) => a - b);
}

export function registerUiRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.get('/ui', async (req, reply) => {
    queryOf(req, ['token']);
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:")
      .send(UI_PAGE);
  });

  // Ids are strings here (the page's JSON.parse would round int64); users in the page's display form (see `shown`).
  app.get('/ui/data', async (req, reply) => {
    const q = queryOf(req, ['AppId', 'Offset', 'Limit']);
    const appIds = knownAppIds(runtime);
    const appId = intQuery(q, 'AppId', 1, APPID_MAX) ?? appIds[0];
    const offset = intQuery(q, 'Offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = intQuery(q, 'Limit', 1, PAGE_SIZE_MAX) ?? PAGE_SIZE;
    const page: Conversation[] = [];
    let skipped = 0;
    let more = false;
    if (appId !== undefined) {
      for (const c of runtime.store.conversations(appId)) { // insertion order: new conversations come last
        if (skipped < offset) { skipped++; continue; }
        if (page.length === limit) { more = true; break; }
        page.push(c);
      }
    }
    return sendJson(reply, 200, {
      AppIds: appIds, AppId: appId ?? null, Offset: offset, Limit: limit, HasMore: more, MessagesShown: MESSAGES_SHOWN,
      Conversations: page.map((c) => conversationView(runtime, c)),
    });
  });
}

// The page. String.raw: the inline script's backslashes stay as written; it uses no backticks and no ${.
// The page is a list of sections (conversations, the journal); each is one call to section({ id, title, path, render })
// in the script below: path(state) names the control route it reads, render(body, box, state) draws it. A new
// section (users, callback deliveries) is one more such call. Live: every section is fetched again every POLL_MS
// (polling, so the admin token travels as a header); a section whose answer did not change is not redrawn.
const UI_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>volc-im-mock: the world</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1em 2em; color: #1b1b1b; background: #fafafa; }
  header { position: sticky; top: 0; z-index: 1; background: #fafafa; padding: .5em 0; border-bottom: 1px solid #ccc; display: flex; gap: .5em 1em; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 1.15em; margin: 0; }
  h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
  h3 { font-size: 1em; margin: 0 0 .4em; overflow-wrap: anywhere; }
  section.conv { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: .7em 1em; margin: .8em 0; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; margin: .3em 0 .6em; }
  th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
  th { background: #f0f0f0; font-weight: 600; }
  .id, .mono, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
  .muted { color: #666; }
  .unread { color: #a4000f; }
  .read { color: #176c1d; }
  .err { color: #a4000f; font-weight: 600; }
  .tag { display: inline-block; padding: 0 .4em; border-radius: 3px; background: #e8e8e8; font-size: .85em; }
  .bad { background: #f8d7da; }
  td.content { max-width: 40em; overflow-wrap: anywhere; }
  td.nowrap { white-space: nowrap; }
  .cards table { width: 100%; table-layout: auto; }
  .cards td.body { width: 100%; max-width: 0; }
  tr.failed td { background: #fdecee; }
  td.url { white-space: nowrap; }
  td.status { min-width: 9em; }
  .live { margin: .2em 0 .6em; }
  .preview { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  pre.pretty { margin: .3em 0 0; padding: .5em; background: #f4f4f4; border: 1px solid #ddd; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30em; overflow-y: auto; }
  button.toggle { font-size: .85em; padding: 0 .4em; }
  .filters { display: flex; gap: .4em 1em; flex-wrap: wrap; align-items: center; }
  #offline { display: none; margin: .6em 0; padding: .6em .8em; border: 2px solid #a4000f; background: #f8d7da; color: #58000a; border-radius: 4px; font-weight: 600; }
  body.offline #offline { display: block; }
  body.offline main { opacity: .45; }
  #tokenbox { display: none; } #tokenbox.shown { display: inline-flex; gap: .4em; align-items: center; }
  button, select, input { font: inherit; }
  @media (max-width: 640px) {
    body { margin: 0 .5em 2em; }
    .cards table, .cards tbody, .cards tr, .cards td { display: block; width: auto; max-width: none; }
    .cards thead { display: none; }
    .cards tr { border: 1px solid #ddd; background: #fff; margin: .4em 0; padding: .2em 0; }
    .cards td { border: 0; padding: .1em .5em; overflow-wrap: anywhere; }
    .cards td::before { content: attr(data-label) ": "; color: #666; font-family: system-ui, sans-serif; }
    .cards td.body { max-width: none; width: auto; }
    .cards td.body::before { content: ""; }
    .cards td:empty { display: none; }
    .cards td.url { white-space: normal; }
  }
</style>
</head>
<body>
<header>
  <h1>volc-im-mock</h1>
  <label>AppId <select id="appid"></select></label>
  <label title="fetch again every few seconds"><input id="live" type="checkbox" checked> Live</label>
  <button id="refresh" type="button">Refresh</button>
  <form id="tokenbox"><label>Admin token <input id="token" type="password" autocomplete="off" size="12"></label><button type="submit">Use</button></form>
  <span id="status" class="muted"></span>
</header>
<div id="offline" role="alert"></div>
<main id="sections"></main>
<script>
"use strict";
var TOKEN_KEY = 'volc-im-mock-admin-token';
var POLL_MS = 1500;
var BIG = '\u2063'; // marks int64 literals kept as strings
var state = { appId: null, offset: 0, limit: 20, token: '', action: '', errorsOnly: false, open: {}, lastOk: null };

// JSON.parse rounds integers beyond 2^53: integer literals of 16+ digits outside strings become marked strings first.
function parseExact(text) {
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.+-])/g,
    function (m) { return m.charAt(0) === '"' ? m : '"' + BIG + m + '"'; }));
}
// JSON text of a parsed value with the marked int64 literals written back as numbers; pretty when indent is given.
function showJson(v, indent) {
  return JSON.stringify(v, null, indent).replace(new RegExp('"' + BIG + '(-?\\d+)"', 'g'), '$1');
}
function idText(v) { return typeof v === 'string' && v.charAt(0) === BIG ? v.slice(1) : String(v); }

function h(tag, attrs) {
  var el = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === 'class') { if (attrs[k]) el.className = attrs[k]; } else if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, attrs[k]);
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return el;
}
function table(headings, rows) {
  var head = h('tr', null);
  headings.forEach(function (t) { head.appendChild(h('th', null, t)); });
  var t = h('table', null, h('thead', null, head));
  var body = h('tbody', null);
  rows.forEach(function (r) { body.appendChild(r); });
  t.appendChild(body);
  return h('div', { class: 'scroll' }, t);
}

function Unauthorized() {}
function Offline(message) { this.message = message; }
function getJson(path) {
  var headers = state.token ? { authorization: 'Bearer ' + state.token } : {};
  return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
    if (res.status === 401) throw new Unauthorized();
    return res.text().then(function (text) {
      if (!res.ok) {
        var err; try { err = JSON.parse(text).Error; } catch (e) { err = null; }
        throw new Error(path + ': HTTP ' + res.status + ' ' + ((err && err.Message) || text.slice(0, 200)));
      }
      return text;
    });
  }, function (e) { throw new Offline(String(e && e.message || e)); });
}

// ---- sections: one call each ----
var SECTIONS = [];
function section(def) { SECTIONS.push(def); }

function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
var TYPES = { 1: 'one-to-one', 2: 'group', 100: 'live group' };
var ROLES = { 0: 'member', 1: 'owner', 2: 'admin' };
function userList(users, cls) { return users === null ? h('span', { class: 'muted' }, 'n/a') : h('span', { class: 'id ' + cls }, users.join(', ')); }

// BlockTime: until when (seconds since the epoch, by the mock clock); 0 = until removed
function until(blockTime) { return blockTime === '0' ? 'until removed' : 'until ' + utc(Number(blockTime) * 1000); }
function utc(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z'); }
function more(count, shown) { return count > shown ? h('span', { class: 'muted more' }, ' (first ' + shown + ' shown, ' + (count - shown) + ' more)') : null; }
function liveLine(label, cls, items) { return h('div', { class: cls }, h('span', { class: 'muted' }, label + ': '), items); }
// A live group's moderation: managers (Role 2), blocks in force, whitelist, marks of the conversation
function renderLive(c) {
  var L = c.Live;
  var none = function () { return h('span', { class: 'muted' }, 'none'); };
  var blocks = function (b, cls) {
    if (!b.Count) return none();
    var span = h('span', null);
    b.Shown.forEach(function (x, i) {
      span.appendChild(h('span', { class: 'block ' + cls, 'data-user': x.UserId }, (i ? ', ' : ''), h('span', { class: 'id' }, x.UserId), ' ' + until(x.BlockTime)));
    });
    var rest = more(b.Count, b.Shown.length);
    if (rest) span.appendChild(rest);
    return span;
  };
  var managers = c.Members.filter(function (m) { return m.Role === 2; }).map(function (m) { return m.UserId; });
  return h('div', { class: 'live' },
    liveLine('managers', 'managers', managers.length ? h('span', { class: 'id' }, managers.join(', ')) : none()),
    liveLine('muted', 'mutes', blocks(L.Muted, 'mute')),
    liveLine('banned', 'bans', blocks(L.Banned, 'ban')),
    liveLine('whitelist', 'whitelist', L.Whitelist.Count ? h('span', null, h('span', { class: 'id' }, L.Whitelist.Shown.map(function (w) { return w.UserId; }).join(', ')),
      more(L.Whitelist.Count, L.Whitelist.Shown.length)) : none()),
    liveLine('marks', 'convmarks', L.MarkTypes.length ? L.MarkTypes.join(', ') : none()));
}

function renderConversation(c) {
  var sec = h('section', { class: 'conv', 'data-conv': c.ConversationShortId },
    h('h3', null, (TYPES[c.ConversationType] || 'type ' + c.ConversationType) + (c.Name ? ' \u201c' + c.Name + '\u201d' : '') + ' ',
      h('span', { class: 'id' }, c.ConversationShortId),
      c.Status === 1 ? h('span', { class: 'tag bad' }, 'dissolved') : null),
    h('div', { class: 'muted' }, 'owner ', h('span', { class: 'id' }, c.OwnerUserId),
      ' \u00b7 ' + plural(c.MemberCount, 'member') + ' \u00b7 ' + plural(c.MessageCount, 'message') +
      (c.MessageCount > c.Messages.length ? ' (newest ' + c.Messages.length + ' shown)' : '')));
  var marks = c.Members.some(function (m) { return m.Marks.length; });
  sec.appendChild(table(['Member', 'Role', 'ReadIndex'].concat(marks ? ['Marks'] : []), c.Members.map(function (m) {
    return h('tr', { 'data-user': m.UserId }, h('td', { class: 'id' }, m.UserId), h('td', null, ROLES[m.Role] || String(m.Role)), h('td', { class: 'mono' }, m.ReadIndex),
      marks ? h('td', { class: 'marks' }, m.Marks.join(', ')) : null);
  })));
  if (c.Live) sec.appendChild(renderLive(c));
  if (c.ReceiptError) sec.appendChild(h('div', { class: 'muted' }, 'read receipts: ' + c.ReceiptError));
  if (c.Messages.length) {
    sec.appendChild(table(['MessageId', 'Sender', 'Index', 'Content', 'Status', 'Read by', 'Not read by'], c.Messages.map(function (m) {
      var status = m.Status === 3 ? 'recalled' : m.Status === 0 ? 'visible' : String(m.Status);
      return h('tr', { 'data-msg': m.MessageId },
        h('td', { class: 'id msgid' }, m.MessageId), h('td', { class: 'id sender' }, m.Sender), h('td', { class: 'mono' }, m.IndexInConversation),
        h('td', { class: 'content mono' }, m.Content),
        h('td', null, status, m.Deleted ? h('div', { class: 'tag' }, 'deleted ' + m.Deleted) : null),
        h('td', { class: 'readers' }, userList(m.ReadUserIds, 'read')), h('td', { class: 'unreaders' }, userList(m.UnReadUserIds, 'unread')));
    })));
  }
  return sec;
}

section({
  id: 'convs', title: 'Conversations',
  path: function (s) { return '/_mock/ui/data?Offset=' + s.offset + '&Limit=' + s.limit + (s.appId !== null ? '&AppId=' + s.appId : ''); },
  controls: function () {
    return h('span', { class: 'filters' }, h('button', { id: 'prev', type: 'button' }, '\u2190 previous'), h('span', { id: 'range', class: 'muted' }),
      h('button', { id: 'next', type: 'button' }, 'next \u2192'));
  },
  render: function (d, box) {
    var select = document.getElementById('appid');
    select.textContent = '';
    d.AppIds.forEach(function (a) { select.appendChild(h('option', { value: String(a) }, String(a))); });
    if (d.AppId !== null) select.value = String(d.AppId);
    state.appId = d.AppId;
    if (!d.Conversations.length) box.appendChild(h('p', { class: 'muted' }, d.AppId === null ? 'The world is empty.' : 'No conversations here.'));
    d.Conversations.forEach(function (c) { box.appendChild(renderConversation(c)); });
    document.getElementById('range').textContent = d.Conversations.length
      ? 'conversations ' + (d.Offset + 1) + '\u2013' + (d.Offset + d.Conversations.length) : '';
    document.getElementById('prev').disabled = d.Offset === 0;
    document.getElementById('next').disabled = !d.HasMore;
  },
});

// A body as a one-line preview; "show" opens it as indented int64-exact JSON (and what details() adds), kept open by key.
function bodyCell(key, body, details) {
  var td = h('td', { class: 'body mono', 'data-label': 'Body' });
  if (body === null) { td.appendChild(h('span', { class: 'muted' }, 'no JSON body')); return td; }
  var open = !!state.open[key];
  var button = h('button', { class: 'toggle', type: 'button', 'aria-expanded': String(open) }, open ? 'hide' : 'show');
  var preview = h('span', { class: 'preview' }, showJson(body));
  td.appendChild(h('div', { style: 'display:flex;gap:.4em;align-items:baseline' }, button, h('div', { style: 'min-width:0;flex:1' }, preview)));
  if (open) {
    td.appendChild(h('pre', { class: 'pretty' }, showJson(body, 2)));
    details().forEach(function (n) { td.appendChild(n); });
  }
  button.addEventListener('click', function () {
    if (state.open[key]) delete state.open[key]; else state.open[key] = true;
    td.replaceWith(bodyCell(key, body, details));
  });
  return td;
}

section({
  id: 'journal', title: 'Last requests', cards: true,
  path: function (s) {
    return '/_mock/requests?Limit=50' + (s.appId !== null ? '&AppId=' + s.appId : '') + (s.action ? '&Action=' + encodeURIComponent(s.action) : '');
  },
  controls: function () {
    return h('span', { class: 'filters' },
      h('label', null, 'Action ', h('input', { id: 'action', list: 'actions', size: '22', placeholder: 'all', autocomplete: 'off' })),
      h('datalist', { id: 'actions' }),
      h('label', null, h('input', { id: 'errors', type: 'checkbox' }), ' errors only'),
      h('span', { class: 'muted' }, 'newest first, the selected AppId'));
  },
  render: function (j, box) {
    // the AppId again here: on the first load the journal was asked for before the AppId was known
    var rows = j.Requests.slice().reverse().filter(function (r) {
      return (state.appId === null || r.AppId === state.appId) && (!state.errorsOnly || r.HttpStatus !== 200);
    });
    var known = document.getElementById('actions');
    j.Requests.forEach(function (r) { if (r.Action && !known.querySelector('option[value="' + r.Action.replace(/"/g, '') + '"]')) known.appendChild(h('option', { value: r.Action })); });
    if (!rows.length) { box.appendChild(h('p', { class: 'muted' }, j.Requests.length ? 'No errors among the last requests.' : 'No requests yet.')); return; }
    box.appendChild(table(['Time (UTC)', 'Action', 'AppId', 'HTTP', 'ErrorCode', 'Body'], rows.map(function (r) {
      return h('tr', { 'data-request': r.RequestId, class: 'request', title: 'RequestId ' + r.RequestId },
        h('td', { class: 'mono nowrap', 'data-label': 'Time' }, new Date(r.Time).toISOString().replace('T', ' ').replace('Z', '')),
        h('td', { 'data-label': 'Action' }, r.Action), h('td', { class: 'mono', 'data-label': 'AppId' }, r.AppId === null ? '' : idText(r.AppId)),
        h('td', { class: r.HttpStatus === 200 ? 'mono' : 'mono err', 'data-label': 'HTTP' }, String(r.HttpStatus)),
        h('td', { class: 'err', 'data-label': 'ErrorCode' }, r.ErrorCode || ''),
        bodyCell(r.RequestId, r.Body, function () { return [h('div', { class: 'muted' }, 'RequestId ', h('span', { class: 'id' }, r.RequestId))]; }));
    })));
  },
});

// ---- users, relations, presence: the selected AppId's records in GET /_mock/state?Conversations=0&AppId=N (lists
// absent when empty; no conversations, so polling it does not copy every message) ----
var ROWS_SHOWN = 100;
function statePath(s) { return '/_mock/state?Conversations=0' + (s.appId !== null ? '&AppId=' + s.appId : ''); }
// the AppId again here: on the first load the state was asked for before the AppId was known
function ofApp(list) { return (list || []).filter(function (r) { return state.appId === null || r.AppId === state.appId; }); }
function timeText(v) { return v === undefined ? '' : utc(Number(idText(v))); }
// one record per row, the first ROWS_SHOWN, "none" when there are none
function recordTable(box, list, headings, row) {
  var rows = ofApp(list);
  if (!rows.length) { box.appendChild(h('p', { class: 'muted' }, 'none')); return; }
  box.appendChild(table(headings, rows.slice(0, ROWS_SHOWN).map(row)));
  if (rows.length > ROWS_SHOWN) box.appendChild(h('p', { class: 'muted more' }, 'first ' + ROWS_SHOWN + ' of ' + rows.length + ' shown, ' + (rows.length - ROWS_SHOWN) + ' more'));
}
function idCell(v, cls) { return h('td', { class: 'id' + (cls ? ' ' + cls : '') }, idText(v)); }

section({
  id: 'users', title: 'Users', path: statePath,
  render: function (d, box) {
    recordTable(box, d.Users, ['UserId', 'NickName', 'Tags', 'CreateTime (UTC)'], function (u) {
      return h('tr', { 'data-user': idText(u.UserId) }, idCell(u.UserId), h('td', { class: 'nick' }, u.NickName || ''),
        h('td', null, (u.Tags || []).join(', ')), h('td', { class: 'mono nowrap' }, timeText(u.CreateTime)));
    });
  },
});

section({
  id: 'friends', title: 'Friends', path: statePath,
  render: function (d, box) {
    recordTable(box, d.Friends, ['UserId', 'FriendUserId', 'Alias', 'InboxType'], function (f) {
      return h('tr', { 'data-pair': idText(f.UserId) + '-' + idText(f.FriendUserId) }, idCell(f.UserId), idCell(f.FriendUserId),
        h('td', null, f.Alias || ''), h('td', { class: 'mono' }, String(f.InboxType || 0)));
    });
  },
});

section({
  id: 'blacklists', title: 'Blacklists', path: statePath,
  render: function (d, box) {
    recordTable(box, d.BlackLists, ['UserId', 'BlackListUserId', 'InboxType'], function (b) {
      return h('tr', { 'data-pair': idText(b.UserId) + '-' + idText(b.BlackListUserId) }, idCell(b.UserId), idCell(b.BlackListUserId),
        h('td', { class: 'mono' }, String(b.InboxType || 0)));
    });
  },
});

section({
  id: 'presence', title: 'Presence (online users)', path: statePath,
  render: function (d, box) {
    recordTable(box, (d.Presence || []).filter(function (p) { return p.Connections.length; }), ['UserId', 'Connections', 'Platforms'], function (p) {
      var platforms = p.Connections.map(function (c) { return c.Platform; }).filter(function (x, i, a) { return x && a.indexOf(x) === i; });
      return h('tr', { 'data-user': idText(p.UserId) }, idCell(p.UserId), h('td', { class: 'mono conns' }, String(p.Connections.length)),
        h('td', null, platforms.join(', ')));
    });
  },
});

// ---- callbacks to the application's server: the delivery journal, newest first ----
section({
  id: 'deliveries', title: 'Callback deliveries', cards: true,
  path: function (s) { return '/_mock/callbacks/deliveries?Limit=50' + (s.appId !== null ? '&AppId=' + s.appId : ''); },
  render: function (j, box) {
    var rows = j.Deliveries.slice().reverse().filter(function (d) { return state.appId === null || d.AppId === state.appId; });
    if (j.Pending) box.appendChild(h('p', { class: 'muted' }, plural(j.Pending, 'event') + ' waiting'));
    if (!rows.length) { box.appendChild(h('p', { class: 'muted' }, 'No deliveries yet (callbacks are off until a URL is configured).')); return; }
    box.appendChild(table(['Time (UTC)', 'EventType', 'Status', 'Attempt', 'HTTP', 'Url', 'ms', 'Body'], rows.map(function (d) {
      var bad = d.Status !== 'ok';
      return h('tr', { 'data-delivery': String(d.Id), class: 'delivery' + (bad ? ' failed' : '') },
        h('td', { class: 'mono nowrap', 'data-label': 'Time' }, utc(d.Time)),
        h('td', { 'data-label': 'EventType' }, d.EventType, d.Decision ? h('span', { class: 'tag' }, d.Decision) : null),
        h('td', { class: bad ? 'status err' : 'status', 'data-label': 'Status' }, (bad ? '✖ ' : '') + d.Status,
          d.Error ? h('div', { class: 'err' }, d.Error) : null, d.WillRetry ? h('div', { class: 'muted' }, 'will retry') : null),
        h('td', { class: 'mono', 'data-label': 'Attempt' }, String(d.Attempt)),
        h('td', { class: d.HttpStatus === 200 ? 'mono' : 'mono err', 'data-label': 'HTTP' }, d.HttpStatus === null ? '' : String(d.HttpStatus)),
        h('td', { class: 'mono url', 'data-label': 'Url' }, d.Url),
        h('td', { class: 'mono', 'data-label': 'ms' }, String(d.DurationMs)),
        bodyCell('delivery ' + d.Id, d.Body, function () {
          var out = [h('div', { class: 'muted' }, 'EventId ', h('span', { class: 'id' }, d.EventId))];
          if (d.Body && typeof d.Body.EventData === 'string') {
            try { out.push(h('div', { class: 'muted' }, 'EventData parsed:'), h('pre', { class: 'pretty eventdata' }, showJson(parseExact(d.Body.EventData), 2))); } catch (e) { /* shown as sent above */ }
          }
          if (d.Answer !== null) out.push(h('div', { class: 'muted' }, 'answer: ', h('span', { class: 'mono' }, d.Answer)));
          return out;
        }));
    })));
  },
});

// ---- the loop ----
function askToken(message) {
  document.getElementById('tokenbox').className = 'shown';
  setStatus(message, true);
  document.getElementById('token').focus();
}
function setStatus(text, bad) {
  var s = document.getElementById('status');
  s.textContent = text;
  s.className = bad ? 'err' : 'muted';
}
function clock(d) { return d.toLocaleTimeString(); }
function setOffline(message) {
  var box = document.getElementById('offline');
  if (message === null) { document.body.classList.remove('offline'); box.textContent = ''; return; }
  document.body.classList.add('offline');
  box.textContent = 'The emulator at ' + location.host + ' is not answering (' + message + '). ' +
    (state.lastOk ? 'What you see is from ' + clock(state.lastOk) + ' and may be out of date. ' : '') +
    (document.getElementById('live').checked ? 'Trying again every ' + POLL_MS / 1000 + ' s.' : 'Press Refresh to try again.');
  setStatus('server gone', true);
}

var shown = {};   // the last answer drawn per section: an unchanged answer is not redrawn (open bodies stay open)
var timer = null;
var inFlight = false;
var rerun = false;  // asked for while a fetch was under way: one more right after it
function refresh() {
  if (inFlight) { rerun = true; return Promise.resolve(); }
  inFlight = true;
  clearTimeout(timer);
  var byPath = {}; // sections reading the same route share one fetch
  return Promise.all(SECTIONS.map(function (s) {
    var path = s.path(state);
    return byPath[path] || (byPath[path] = getJson(path));
  })).then(function (texts) {
    SECTIONS.forEach(function (s, i) {
      var key = texts[i] + '|' + state.errorsOnly + '|' + state.appId;
      if (shown[s.id] === key) return;
      shown[s.id] = key;
      var box = document.getElementById(s.id);
      box.textContent = '';
      s.render(parseExact(texts[i]), box, state);
    });
    state.lastOk = new Date();
    setOffline(null);
    setStatus('updated ' + clock(state.lastOk));
    document.body.setAttribute('data-loaded', String(Number(document.body.getAttribute('data-loaded') || 0) + 1));
  }, function (e) {
    if (e instanceof Unauthorized) askToken(state.token ? 'That admin token was refused.' : 'This mock runs with --admin-token: enter it.');
    else if (e instanceof Offline) setOffline(e.message);
    else setStatus(String(e.message || e), true);
  }).then(function () {
    inFlight = false;
    if (rerun) { rerun = false; refresh(); return; }
    timer = document.getElementById('live').checked ? setTimeout(refresh, POLL_MS) : null;
  });
}
function again() { shown = {}; return refresh(); }

(function start() {
  var main = document.getElementById('sections');
  SECTIONS.forEach(function (s) {
    main.appendChild(h('h2', null, s.title));
    if (s.controls) main.appendChild(s.controls());
    main.appendChild(h('div', { id: s.id, class: s.cards ? 'cards' : null }, h('p', { class: 'muted' }, 'loading\u2026')));
  });
  var params = new URLSearchParams(location.search);
  var fromUrl = params.get('token');
  if (fromUrl !== null) sessionStorage.setItem(TOKEN_KEY, fromUrl); // stays in the address bar, so a reload works
  state.token = sessionStorage.getItem(TOKEN_KEY) || '';
  if (state.token) document.getElementById('tokenbox').className = 'shown';
  document.getElementById('token').value = state.token;
  document.getElementById('tokenbox').addEventListener('submit', function (ev) {
    ev.preventDefault();
    state.token = document.getElementById('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    again();
  });
  document.getElementById('refresh').addEventListener('click', again);
  document.getElementById('live').addEventListener('change', function (ev) {
    if (ev.target.checked) refresh(); else { clearTimeout(timer); timer = null; setStatus('paused'); }
  });
  document.getElementById('appid').addEventListener('change', function (ev) { state.appId = Number(ev.target.value); state.offset = 0; again(); });
  document.getElementById('prev').addEventListener('click', function () { state.offset = Math.max(0, state.offset - state.limit); again(); });
  document.getElementById('next').addEventListener('click', function () { state.offset += state.limit; again(); });
  document.getElementById('action').addEventListener('change', function (ev) { state.action = ev.target.value.trim(); again(); });
  document.getElementById('errors').addEventListener('change', function (ev) { state.errorsOnly = ev.target.checked; again(); });
  refresh();
})();
</script>
</body>
</html>
`;
