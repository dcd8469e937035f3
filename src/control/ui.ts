// A page to look at the world (issue 8): GET /_mock/ui is one self-contained HTML page (inline CSS and JS, no build,
// no external assets); GET /_mock/ui/data is its read-only JSON, one AppId and one page of conversations at a time.
// With --admin-token the page, like every control route but health, needs the token: a browser opens it as
// /_mock/ui?token=T, and the page's own fetches carry the token as a Bearer header.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import GetMessagesReadReceipt from '../actions/messages/GetMessagesReadReceipt.js';
import { ApiError } from '../protocol/errors.js';
import { isStrUser, type Conversation, type Member, type Message, type UserId } from '../store/model.js';
import { queryOf, intQuery, sendJson, APPID_MAX } from './http.js';

/** The page route: with --admin-token it also accepts the token as ?token= (a browser cannot send a header). */
export const UI_PAGE_URL = '/_mock/ui';

const PAGE_SIZE = 20;
const PAGE_SIZE_MAX = 100;
/** newest messages shown per conversation */
const MESSAGES_SHOWN = 20;

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

const memberView = (m: Member) => ({ UserId: shown(m.userId), Role: m.role, ReadIndex: m.readIndex.toString() });

function conversationView(runtime: MockRuntime, c: Conversation) {
  const messages = c.messages.slice(-MESSAGES_SHOWN);
  const { byId, error } = receipts(runtime, c, messages);
  return {
    ConversationShortId: c.shortId.toString(), ConversationType: c.type, Name: c.name, OwnerUserId: shown(c.ownerUserId),
    Status: c.status, MemberCount: c.members.size, MessageCount: c.messages.length, ReceiptError: error,
    Members: runtime.store.sortedMembers(c).map(memberView),
    Messages: messages.map((m) => ({
      MessageId: m.messageId.toString(), Sender: shown(m.sender), IndexInConversation: m.index.toString(),
      MsgType: m.msgType, Content: m.content, Status: m.status,
      Deleted: m.deleteType === 0 ? 'for all' : m.deleteType === 1 ? 'for all but the sender' : m.deletedFor?.length ? `for ${m.deletedFor.map(shown).join(', ')}` : null,
      ReadUserIds: byId.get(m.messageId.toString())?.read ?? null,
      UnReadUserIds: byId.get(m.messageId.toString())?.unread ?? null,
    })),
  };
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
    const appIds = runtime.store.appIds();
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
const UI_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>volc-im-mock: the world</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1b1b1b; background: #fafafa; }
  header { position: sticky; top: 0; background: #fafafa; padding: .6em 0; border-bottom: 1px solid #ccc; display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 1.15em; margin: 0; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  h3 { font-size: 1em; margin: 0 0 .4em; }
  section.conv { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: .7em 1em; margin: .8em 0; }
  table { border-collapse: collapse; margin: .3em 0 .6em; }
  th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
  th { background: #f0f0f0; font-weight: 600; }
  .id, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
  .muted { color: #666; }
  .unread { color: #a4000f; }
  .read { color: #176c1d; }
  .err { color: #a4000f; font-weight: 600; }
  .tag { display: inline-block; padding: 0 .4em; border-radius: 3px; background: #e8e8e8; font-size: .85em; }
  .bad { background: #f8d7da; }
  td.content { max-width: 40em; overflow-wrap: anywhere; }
  td.body { max-width: 60em; overflow-wrap: anywhere; }
  td.nowrap { white-space: nowrap; }
  #tokenbox { display: none; } #tokenbox.shown { display: inline-flex; gap: .4em; align-items: center; }
  button, select, input { font: inherit; }
</style>
</head>
<body>
<header>
  <h1>volc-im-mock: the world</h1>
  <label>AppId <select id="appid"></select></label>
  <button id="refresh" type="button">Refresh</button>
  <span id="pager"><button id="prev" type="button">&larr; previous</button> <span id="range" class="muted"></span> <button id="next" type="button">next &rarr;</button></span>
  <form id="tokenbox"><label>Admin token <input id="token" type="password" autocomplete="off" size="16"></label><button type="submit">Use</button></form>
  <span id="status" class="muted"></span>
</header>
<main>
  <h2>Conversations</h2>
  <div id="convs"><p class="muted">loading&hellip;</p></div>
  <h2>Last requests <span class="muted">(GET /_mock/requests?Limit=50, newest first)</span></h2>
  <div id="journal"></div>
</main>
<script>
"use strict";
var TOKEN_KEY = 'volc-im-mock-admin-token';
var BIG = '\u2063'; // marks int64 literals kept as strings
var state = { appId: null, offset: 0, limit: 20, token: '' };

// JSON.parse rounds integers beyond 2^53: integer literals of 16+ digits outside strings become marked strings first.
function parseExact(text) {
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.+-])/g,
    function (m) { return m.charAt(0) === '"' ? m : '"' + BIG + m + '"'; }));
}
// JSON text of a parsed value with the marked int64 literals written back as numbers.
function showJson(v) {
  return JSON.stringify(v).replace(new RegExp('"' + BIG + '(-?\\d+)"', 'g'), '$1');
}
function idText(v) { return typeof v === 'string' && v.charAt(0) === BIG ? v.slice(1) : String(v); }

function h(tag, attrs) {
  var el = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === 'class') el.className = attrs[k]; else if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, attrs[k]);
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
  return t;
}

function Unauthorized() {}
function getJson(path) {
  var headers = state.token ? { authorization: 'Bearer ' + state.token } : {};
  return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
    if (res.status === 401) throw new Unauthorized();
    return res.text().then(function (text) {
      var body = parseExact(text);
      if (!res.ok) throw new Error(path + ': HTTP ' + res.status + ' ' + ((body.Error && body.Error.Message) || text));
      return body;
    });
  });
}

function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
var TYPES = { 1: 'one-to-one', 2: 'group', 100: 'live group' };
var ROLES = { 0: 'member', 1: 'owner', 2: 'admin' };
function userList(users, cls) { return users === null ? h('span', { class: 'muted' }, 'n/a') : h('span', { class: 'id ' + cls }, users.join(', ')); }

function renderConversation(c) {
  var sec = h('section', { class: 'conv', 'data-conv': c.ConversationShortId },
    h('h3', null, (TYPES[c.ConversationType] || 'type ' + c.ConversationType) + (c.Name ? ' \u201c' + c.Name + '\u201d' : '') + ' ',
      h('span', { class: 'id' }, c.ConversationShortId),
      c.Status === 1 ? h('span', { class: 'tag bad' }, 'dissolved') : null),
    h('div', { class: 'muted' }, 'owner ', h('span', { class: 'id' }, c.OwnerUserId),
      ' \u00b7 ' + plural(c.MemberCount, 'member') + ' \u00b7 ' + plural(c.MessageCount, 'message') +
      (c.MessageCount > c.Messages.length ? ' (newest ' + c.Messages.length + ' shown)' : '')));
  sec.appendChild(table(['Member', 'Role', 'ReadIndex'], c.Members.map(function (m) {
    return h('tr', { 'data-user': m.UserId }, h('td', { class: 'id' }, m.UserId), h('td', null, ROLES[m.Role] || String(m.Role)), h('td', { class: 'mono' }, m.ReadIndex));
  })));
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

function renderWorld(d) {
  var select = document.getElementById('appid');
  select.textContent = '';
  d.AppIds.forEach(function (a) { select.appendChild(h('option', { value: String(a) }, String(a))); });
  if (d.AppId !== null) select.value = String(d.AppId);
  state.appId = d.AppId;
  var convs = document.getElementById('convs');
  convs.textContent = '';
  if (!d.Conversations.length) convs.appendChild(h('p', { class: 'muted' }, d.AppId === null ? 'The world is empty.' : 'No conversations here.'));
  d.Conversations.forEach(function (c) { convs.appendChild(renderConversation(c)); });
  document.getElementById('range').textContent = d.Conversations.length
    ? 'conversations ' + (d.Offset + 1) + '\u2013' + (d.Offset + d.Conversations.length) : '';
  document.getElementById('prev').disabled = d.Offset === 0;
  document.getElementById('next').disabled = !d.HasMore;
}

function renderJournal(j) {
  var box = document.getElementById('journal');
  box.textContent = '';
  if (!j.Requests.length) { box.appendChild(h('p', { class: 'muted' }, 'No requests yet.')); return; }
  box.appendChild(table(['Time (UTC)', 'Action', 'AppId', 'HTTP', 'ErrorCode', 'RequestId', 'Body'], j.Requests.slice().reverse().map(function (r) {
    return h('tr', { 'data-request': r.RequestId, class: 'request' },
      h('td', { class: 'mono nowrap' }, new Date(r.Time).toISOString().replace('T', ' ').replace('Z', '')),
      h('td', null, r.Action), h('td', { class: 'mono' }, r.AppId === null ? '' : idText(r.AppId)),
      h('td', { class: r.HttpStatus === 200 ? 'mono' : 'mono err' }, String(r.HttpStatus)),
      h('td', { class: 'err' }, r.ErrorCode || ''), h('td', { class: 'id' }, r.RequestId),
      h('td', { class: 'body mono' }, r.Body === null ? '' : showJson(r.Body)));
  })));
}

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

function refresh() {
  setStatus('loading\u2026');
  var q = '?Offset=' + state.offset + '&Limit=' + state.limit + (state.appId !== null ? '&AppId=' + state.appId : '');
  return Promise.all([getJson('/_mock/ui/data' + q), getJson('/_mock/requests?Limit=50')]).then(function (r) {
    renderWorld(r[0]);
    renderJournal(r[1]);
    setStatus('updated ' + new Date().toLocaleTimeString());
    document.body.setAttribute('data-loaded', String(Number(document.body.getAttribute('data-loaded') || 0) + 1));
  }, function (e) {
    if (e instanceof Unauthorized) askToken(state.token ? 'That admin token was refused.' : 'This mock runs with --admin-token: enter it.');
    else setStatus(String(e.message || e), true);
  });
}

(function start() {
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
    refresh();
  });
  document.getElementById('refresh').addEventListener('click', refresh);
  document.getElementById('appid').addEventListener('change', function (ev) { state.appId = Number(ev.target.value); state.offset = 0; refresh(); });
  document.getElementById('prev').addEventListener('click', function () { state.offset = Math.max(0, state.offset - state.limit); refresh(); });
  document.getElementById('next').addEventListener('click', function () { state.offset += state.limit; refresh(); });
  refresh();
})();
</script>
</body>
</html>
`;
