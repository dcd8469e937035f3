// Hostile input, round two (issue 12, items 4b, 6, 7, 9, 10): what the emulator accepts it must be able to keep and
// load back; a failing disk is said, not hidden; control requests from a foreign page are refused.
import t from 'tap';
import { mkdtempSync, mkdirSync, rmdirSync, rmSync, existsSync, writeFileSync, readFileSync, chmodSync, symlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { writesState } from '../src/actions/action.js';
import { MockClock } from '../src/protocol/clock.js';
import { makeApp, call, snapshot, ensureBuilt, runServer, SEED_APP, SEED_CONV } from './helpers.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { CLOCK_MAX_MS } from '../src/protocol/clock.js';

const SENDER = 30340n;

/** A control request through inject; body an object (int64-exact) or raw text. */
async function ctl(app: FastifyInstance, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: method as 'POST', url, headers: { 'content-type': 'application/json', ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : stringifyJson(body),
  });
  return { status: res.statusCode, body: res.body ? parseJson(res.body) as any : undefined, text: res.body };
}

const send = (app: FastifyInstance, content = 'hi') =>
  call(app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: SENDER, MsgType: 10001, Content: content });

t.test('clock: kept to what RequestIds and the data file can hold (items 4b, 9)', async (t) => {
  const app = await makeApp(t);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { NowMs: 0 })).status, 200);
  const back = await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: -86_400_000 });
  t.equal(back.status, 400, 'before the epoch is refused');
  t.match(back.body.Error.Message, /AdvanceMs.*1970-01-01/, 'the message names the bound');
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: 0, Fixed: true }, 'the clock did not move');
  const sent = await send(app);
  t.equal(sent.status, 200);
  t.ok(sent.body.Result.MessageId, 'a message at the epoch');

  // the last millisecond a RequestId can name; one more is refused, however it is reached
  t.equal((await ctl(app, 'POST', '/_mock/clock', { NowMs: CLOCK_MAX_MS })).status, 200);
  const last = await send(app);
  t.equal(last.status, 200);
  t.match(last.body.ResponseMetadata.RequestId, /^99991231235959[0-9A-F]{20}$/, 'a 4-digit year in UTC+8');
  for (const step of [1, 8_000_000_000_000_000, CLOCK_MAX_MS]) {
    const r = await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: step });
    t.equal(r.status, 400, `AdvanceMs ${step} past the end is refused`);
    t.match(r.body.Error.Message, /AdvanceMs.*253402271999999/, 'names the bound');
  }
  for (const nowMs of [CLOCK_MAX_MS + 1, 8_640_000_000_000_000, 253402300800000]) {
    const r = await ctl(app, 'POST', '/_mock/clock', { NowMs: nowMs });
    t.equal(r.status, 400, `NowMs ${nowMs} is refused`);
    t.match(r.body.Error.Message, new RegExp(`NowMs: must be an integer from 0 to ${CLOCK_MAX_MS}`));
  }
  t.same((await ctl(app, 'GET', '/_mock/clock')).body, { NowMs: CLOCK_MAX_MS, Fixed: true }, 'unchanged by refusals');
  t.equal((await send(app)).status, 200, 'still answering');

  // real time moved by an offset: bounded the same way
  t.equal((await ctl(app, 'DELETE', '/_mock/clock')).status, 200);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: -2_000_000_000_000 })).status, 400);
  t.equal((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: CLOCK_MAX_MS })).status, 400);
});

t.test('a data file that cannot be written: ready says why, writes are refused, reads go on (item 7)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  mkdirSync(`${data}.tmp`); // stands for a full disk: FILE is rewritten through FILE.tmp
  const app = await makeApp(t, { data, flushIntervalMs: 3_600_000 });
  await t.rejects(app.mock.store.flush(), /EISDIR/);

  const ready = await ctl(app, 'GET', '/_mock/ready');
  t.equal(ready.status, 503, '/_mock/ready answers 503');
  t.equal(ready.body.Status, 'unwritable');
  t.match(ready.body.Reason, /state\.json.*EISDIR/, 'saying why');

  const before = snapshot(app);
  const refused = await send(app);
  t.equal(refused.status, 503, 'a write is refused');
  t.match(refused.body.ResponseMetadata.Error, { Code: 'ServiceUnavailableTemp', CodeN: 100019, Message: /data file/ });
  const created = await call(app, 'CreateConversation', { AppId: SEED_APP, OwnerUserId: 5n, ConversationCoreInfo: { ConversationType: 2, Name: 'x' } });
  t.equal(created.status, 503, 'every changing action is refused');
  t.equal((await ctl(app, 'PUT', '/_mock/state', { Conversations: [] })).status, 503, 'PUT /_mock/state is refused');
  t.equal((await ctl(app, 'POST', '/_mock/reset?To=empty')).status, 503, 'POST /_mock/reset is refused');
  t.equal((await call(app, 'RegisterUsers', { AppId: SEED_APP, Users: [{ UserId: 77n, NickName: 'u' }] })).status, 503, 'users, friends and live-group changes are refused too');
  t.equal((await ctl(app, 'PUT', '/_mock/presence', { AppId: SEED_APP, UserId: 77n, Connections: [{ ConnId: 'c' }] })).status, 503, 'PUT /_mock/presence is refused (presence is kept in the file)');
  t.equal((await ctl(app, 'POST', '/_mock/client/send', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 30340n, MsgType: 10001, Content: 'c' })).status, 503, 'POST /_mock/client/send is refused');
  t.equal((await call(app, 'BatchGetUser', { AppId: SEED_APP, UserIds: [77n] })).status, 200, 'a read of the new kinds goes on');
  t.equal(snapshot(app), before, 'nothing changed');
  const read = await call(app, 'GetConversationMessages', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Cursor: 0, Limit: 10, Reverse: 0 });
  t.equal(read.status, 200, 'reads go on');

  rmdirSync(`${data}.tmp`); // the disk has room again: the next (periodic) write succeeds
  await app.mock.store.flush();
  t.equal((await ctl(app, 'GET', '/_mock/ready')).status, 200, 'ready again');
  t.equal((await send(app)).status, 200, 'writes accepted again');
  await app.mock.store.flush();
  t.ok(existsSync(data));
});

t.test('every action says whether it writes; read-only ones go on while the disk fails', async (t) => {
  const { ACTIONS } = await import('../src/actions/index.js');
  for (const a of ACTIONS) t.type(a.writes, 'boolean', `${a.name} declares writes`);
  t.equal(writesState({}), true, 'an action that does not say is taken as writing');
  t.same(ACTIONS.filter((a) => a.writes === false).map((a) => a.name).sort(), [
    'BatchGetConversationParticipant', 'BatchGetConversations', 'GetConversationMessages', 'GetConversationSetting',
    'GetConversationUserCount', 'GetMessages', 'GetMessagesReadReceipt', 'GetParticipantReadIndex', 'GetUserConversations',
    'IsUserInConversation', 'ScanConversationParticipantList',
    // users, friends, blacklists, app (UserBroadcast's records and daily count are not kept in the data file)
    'BatchGetUser', 'GetAppToken', 'GetBlackList', 'IsFriend', 'IsInBlackList', 'ListFriend', 'QueryOnlineStatus', 'UserBroadcast',
    // live groups
    'BatchGetBlockParticipants', 'BatchGetWhitelistParticipant', 'GetConversationMarks', 'QueryLiveParticipantStatus',
  ].sort());
});

t.test('a graceful exit with a failing disk says what was lost (item 7)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const app = await buildApp({ data, flushIntervalMs: 3_600_000, clock: new MockClock(() => 1_767_225_600_000), seed: 1, rateLimit: 0 });
  await app.ready();
  await app.mock.store.flush();
  t.equal((await send(app)).status, 200, 'acknowledged');
  t.equal((await send(app)).status, 200, 'acknowledged');
  mkdirSync(`${data}.log.tmp`); // the change log cannot be started
  await t.rejects(app.close(), /state\.json could not be written on exit.*EISDIR.*the last 2 acknowledged changes are lost/);

  // a file never written at all (FILE.tmp in the way from the start)
  const never = join(dir, 'never.json');
  mkdirSync(`${never}.tmp`);
  const fresh = await buildApp({ data: never, flushIntervalMs: 3_600_000, clock: new MockClock(() => 1_767_225_600_000), seed: 1, rateLimit: 0 });
  await fresh.ready();
  await t.rejects(fresh.mock.store.flush());
  await t.rejects(fresh.close(), /never\.json could not be written on exit \(writes failing since [^)]+\): EISDIR.*the file was never written: the world as loaded or imported, and 0 acknowledged changes since, are lost/);
});

// ---- item 6: GetUserConversations pages from an ordered index, same answers as sorting per call ----

const UC_APP = 818181;
const USERS = [1n, 2n, 3n, 4n, 5n];

/** A seeded generator for test worlds (no Math.random: a failure can be replayed). */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 2 ** 32; };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

function ucWorld(seed: number, count: number) {
  const r = prng(seed);
  const conversations = [];
  for (let i = 0; i < count; i++) {
    const type = r.pick([1, 2, 2, 100]);
    const members = type === 1 ? [USERS[i % 5], USERS[(i + 1 + r.int(4)) % 5]] : USERS.filter(() => r.next() < 0.6);
    if (members.length === 0) members.push(USERS[r.int(5)]);
    const createTime = 1_700_000_000n + BigInt(r.int(5)); // ties on purpose: the short id breaks them
    conversations.push({
      AppId: UC_APP, ConversationShortId: 1_000_000n + BigInt(r.int(10_000_000)) * 7n + BigInt(i), ConversationType: type,
      InboxType: r.int(2), OwnerUserId: members[0], CreatorUserId: r.pick(members), ...(type === 1 ? { OtherUserId: members[1] } : {}),
      CreateTime: createTime, ModifyTime: createTime + BigInt(r.int(3)), Status: r.next() < 0.1 ? 1 : 0,
      Participants: members.map((u) => ({ ParticipantUserId: u })),
      Messages: r.next() < 0.5 ? [{ MessageId: 9_000_000n + BigInt(i), Sender: members[0], MsgType: 1, Content: 'x', CreateTime: createTime * 1000n + BigInt(r.int(9000)) }] : [],
    });
  }
  return { Conversations: conversations };
}

/** What GetUserConversations answered before the index: every conversation of the user, sorted per call. */
function referenceOrder(app: FastifyInstance, user: bigint, inboxType: number, dataType: number): bigint[] {
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  const activity = (c: any) => {
    const last = c.messages.length ? c.messages[c.messages.length - 1].createTime / 1000n : 0n;
    return last > c.modifyTime ? last : c.modifyTime;
  };
  const order: Record<number, (a: any, b: any) => number> = {
    0: (a, b) => cmp(activity(b), activity(a)) || cmp(b.shortId, a.shortId),
    1: (a, b) => cmp(a.createTime, b.createTime) || cmp(a.shortId, b.shortId),
    2: (a, b) => cmp(b.createTime, a.createTime) || cmp(b.shortId, a.shortId),
  };
  return [...app.mock.store.conversationsOf(UC_APP, user)]
    .filter((c) => c.status === 0 && c.inboxType === inboxType && (dataType !== 2 || (c.type === 100 && c.creatorUserId === user)))
    .sort(order[dataType]).map((c) => c.shortId);
}

/** Every page of GetUserConversations, Limit `limit`, joined. */
async function listed(app: FastifyInstance, user: bigint, inboxType: number, dataType: number, limit: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let cursor = 0n, pages = 0; pages < 1000; pages++) {
    const r = await call(app, 'GetUserConversations', { AppId: UC_APP, ParticipantUserId: user, Cursor: cursor, Limit: limit, DataType: dataType, InboxType: inboxType });
    if (r.status !== 200) throw new Error(r.text);
    ids.push(...r.body.Result.ConversationInfos.map((c: any) => BigInt(c.ConversationShortId)));
    if (!r.body.Result.HasMore) break;
    cursor = BigInt(r.body.Result.NextCursor);
  }
  return ids;
}

t.test('GetUserConversations: the kept order answers as the per-call sort did, as conversations change (item 6)', async (t) => {
  const app = await makeApp(t, { fixtureDoc: { Conversations: [] } });
  const r = prng(12);
  let mismatches = 0;
  let checks = 0;
  const compareAll = async (when: string) => {
    for (const user of USERS) for (const inboxType of [0, 1]) for (const dataType of [0, 1, 2]) {
      checks++;
      const got = await listed(app, user, inboxType, dataType, 1 + r.int(7));
      const want = referenceOrder(app, user, inboxType, dataType);
      if (stringifyJson(got) !== stringifyJson(want)) {
        mismatches++;
        t.same(got, want, `${when}: user ${user} InboxType ${inboxType} DataType ${dataType}`);
      }
    }
  };
  t.equal((await ctl(app, 'PUT', '/_mock/state', ucWorld(7, 60))).status, 200);
  await compareAll('imported');
  for (let step = 0; step < 60; step++) {
    const convs = [...app.mock.store.conversations(UC_APP)].filter((c) => c.status === 0);
    const c = r.pick(convs);
    const member = c && r.pick([...c.members.keys()]) as bigint;
    app.mock.clock.advance(r.int(3) * 1000);
    const kind = r.int(6);
    if (!c || kind === 0) await call(app, 'CreateConversation', { AppId: UC_APP, OwnerUserId: r.pick(USERS), InboxType: r.int(2), ConversationCoreInfo: { ConversationType: r.pick([2, 100]), Name: 'n' } });
    else if (kind === 1) await call(app, 'SendMessage', { AppId: UC_APP, ConversationShortId: c.shortId, Sender: member, MsgType: 1, Content: 'm' });
    else if (kind === 2) await call(app, 'ModifyConversation', { AppId: UC_APP, ConversationCoreInfo: { ConversationShortId: c.shortId, Name: `n${step}` } });
    else if (kind === 3) await call(app, 'BatchAddConversationParticipant', { AppId: UC_APP, ConversationShortId: c.shortId, Operator: member, ParticipantInfos: [{ ParticipantUserId: r.pick(USERS) }] });
    else if (kind === 4) await call(app, 'BatchDeleteConversationParticipant', { AppId: UC_APP, ConversationShortId: c.shortId, Operator: member, ParticipantUserIds: [r.pick(USERS)] });
    else await call(app, 'DestroyConversation', { AppId: UC_APP, ConversationShortId: c.shortId, OwnerUserId: c.ownerUserId });
    if (step % 6 === 5) await compareAll(`step ${step}`);
  }
  t.equal((await ctl(app, 'POST', `/_mock/reset?AppId=${UC_APP}&To=empty`)).status, 200);
  t.equal((await ctl(app, 'PUT', `/_mock/state?AppId=${UC_APP}`, ucWorld(8, 40))).status, 200);
  await compareAll('one AppId replaced');
  t.equal(mismatches, 0, `${checks} listings as sorted per call`);
});

t.test('GetUserConversations does not sort the user\'s conversations per call (item 6)', async (t) => {
  const n = 3000;
  const conversations = Array.from({ length: n }, (_, i) => ({
    AppId: UC_APP, ConversationShortId: 5_000_000n + BigInt(i), ConversationType: 1, OwnerUserId: 1, OtherUserId: 100 + i,
    CreateTime: 1_700_000_000 + (i % 17), Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 100 + i }],
  }));
  const app = await makeApp(t, { fixtureDoc: { Conversations: conversations } });
  const page = (DataType: number) => call(app, 'GetUserConversations', { AppId: UC_APP, ParticipantUserId: 1, Cursor: 1500, Limit: 20, DataType });
  await page(0); // the first listing of a user may sort once; later ones, whatever changed meanwhile, must not
  const sort = Array.prototype.sort;
  let sorted = 0;
  Array.prototype.sort = function (this: unknown[], ...args: any[]) { sorted += this.length; return sort.apply(this, args as any); } as typeof sort;
  try {
    for (let i = 0; i < 5; i++) {
      app.mock.clock.advance(1000);
      const sent = await call(app, 'SendMessage', { AppId: UC_APP, ConversationShortId: 5_000_000n + BigInt(i * 500), Sender: 1, MsgType: 1, Content: 'm' });
      t.equal(sent.status, 200);
      for (const DataType of [0, 1]) {
        const r = await page(DataType);
        t.equal(r.body.Result.ConversationInfos.length, 20);
        t.equal(r.body.Result.HasMore, true);
      }
    }
    const first = await call(app, 'GetUserConversations', { AppId: UC_APP, ParticipantUserId: 1, Cursor: 0, Limit: 5, DataType: 0 });
    t.same(first.body.Result.ConversationInfos.map((c: any) => BigInt(c.ConversationShortId)), [5_002_000n, 5_001_500n, 5_001_000n, 5_000_500n, 5_000_000n], 'the latest active first');
  } finally {
    Array.prototype.sort = sort;
  }
  t.ok(sorted < 100, `items sorted while answering ten pages of ${n}: ${sorted}`);
});

// ---- item 10 ----

t.test('any method but POST on / answers 405 MethodNotAllowed, CONNECT included (item 10)', async (t) => {
  const app = await makeApp(t);
  for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'QUERY', 'GET', 'DELETE']) {
    const r = await call(app, 'GetMessagesReadReceipt', '{}', { method });
    t.equal(r.status, 405, `${method} /: 405`);
    t.match(r.body?.ResponseMetadata?.Error, { Code: 'MethodNotAllowed', CodeN: 100020 }, `${method}: the vendor's envelope`);
  }
  t.equal((await app.inject({ method: 'PROPFIND' as 'GET', url: '/elsewhere' })).statusCode, 404, 'other paths: 404 as before');

  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  t.match(answer, /^HTTP\/1\.1 405 /, 'CONNECT is answered');
  const body = parseJson(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as any;
  t.match(body.ResponseMetadata.Error, { Code: 'MethodNotAllowed', CodeN: 100020 });
});

t.test('Ext keys "constructor" and "__proto__" are kept as data, as the vendor\'s Go maps keep them (item 10)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'state.json');
  const app = await makeApp(t, { data, flushIntervalMs: 3_600_000 });
  const ext = '{"__proto__":"p","constructor":"c","k":"v"}';
  const created = await call(app, 'CreateConversation', `{"AppId":${SEED_APP},"OwnerUserId":5,"ConversationCoreInfo":{"ConversationType":2,"Name":"x","Ext":${ext}}}`);
  t.equal(created.status, 200, created.text);
  const id = BigInt(created.body.Result.ConversationShortId ?? created.body.Result.ConversationInfo?.ConversationShortId);
  const sent = await call(app, 'SendMessage', `{"AppId":${SEED_APP},"ConversationShortId":${id},"Sender":5,"MsgType":1,"Content":"m","Ext":${ext}}`);
  t.equal(sent.status, 200, sent.text);
  const modified = await call(app, 'ModifyConversation', `{"AppId":${SEED_APP},"ConversationCoreInfo":{"ConversationShortId":${id},"Ext":{"__proto__":"p2","other":"o"}}}`);
  t.equal(modified.status, 200, modified.text);

  const own = (o: object, key: string) => Object.getOwnPropertyDescriptor(o, key)?.value;
  const info = await call(app, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [id] });
  const got = info.body.Result.ConversationCoreInfos[0].Ext;
  t.same([own(got, '__proto__'), own(got, 'constructor'), own(got, 'k'), own(got, 'other')], ['p2', 'c', 'v', 'o'], 'the conversation\'s Ext, merged');
  t.match(info.text, /"__proto__":"p2"/, 'written on the wire');
  const msgs = await call(app, 'GetConversationMessages', { AppId: SEED_APP, ConversationShortId: id, Cursor: 0, Limit: 10, Reverse: 0 });
  const msgExt = msgs.body.Result.Messages[0].Ext;
  t.same([own(msgExt, '__proto__'), own(msgExt, 'constructor')], ['p', 'c'], 'the message\'s Ext');
  t.equal(({} as any).k, undefined, 'no prototype touched');

  // and they survive the data file
  await app.close();
  const again = await makeApp(t, { data });
  const reread = await call(again, 'BatchGetConversations', { AppId: SEED_APP, ConversationShortId: [id] });
  t.same(own(reread.body.Result.ConversationCoreInfos[0].Ext, '__proto__'), 'p2', 'loaded back');
});

t.test('PUT /_mock/state reads ids as the data file does: 1e3 and 1.0 are refused by both (item 10)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const app = await makeApp(t);
  const before = snapshot(app);
  for (const id of ['1e3', '1.0', '1000.0', '1E3']) {
    const doc = `{"Conversations":[{"AppId":7,"ConversationShortId":${id},"ConversationType":2,"OwnerUserId":1,"Participants":[{"ParticipantUserId":1}]}]}`;
    const put = await ctl(app, 'PUT', '/_mock/state', doc);
    t.equal(put.status, 400, `PUT /_mock/state refuses ConversationShortId ${id}`);
    t.match(put.body.Error.Message, /ConversationShortId/);
    const file = join(dir, `s${id}.json`);
    writeFileSync(file, doc);
    await t.rejects(buildApp({ data: file }).then(async (a) => { await a.ready(); }), /ConversationShortId/, `the data file loader refuses ${id} too`);
  }
  t.equal(snapshot(app), before, 'nothing changed');
  const good = '{"Conversations":[{"AppId":7,"ConversationShortId":1000,"ConversationType":2,"OwnerUserId":1,"Participants":[{"ParticipantUserId":1}]}]}';
  t.equal((await ctl(app, 'PUT', '/_mock/state', good)).status, 200, 'an integer is taken');
});

t.test('a read-only data file is refused at start; a symlinked one is written through the link (item 10)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'volc-im-mock-hostile-b-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clock = () => new MockClock(() => 1_767_225_600_000);

  // a data file the user made read-only, in a writable directory
  const readOnly = join(dir, 'frozen.json');
  writeFileSync(readOnly, '{"Conversations":[]}\n');
  chmodSync(readOnly, 0o444);
  const app = await buildApp({ data: readOnly, clock: clock() });
  await t.rejects(async () => { await app.ready(); }, /data file .*frozen\.json: cannot be written \(the file is read-only; make it writable/);
  await app.close().catch(() => undefined);
  t.equal(readFileSync(readOnly, 'utf8'), '{"Conversations":[]}\n', 'left as it was');
  ensureBuilt();
  const run = await runServer(['--data', readOnly, '--port', '0']);
  t.equal(run.code, 2, 'the process exits 2');
  t.match(run.stderr, /^volc-im-mock: data file .*frozen\.json: cannot be written \(the file is read-only/m, 'with one clear line');

  // a symlinked data file: the target is rewritten, the link stays a link
  mkdirSync(join(dir, 'real'));
  mkdirSync(join(dir, 'links'));
  const target = join(dir, 'real', 'state.json');
  const link = join(dir, 'links', 'state.json');
  symlinkSync(target, link); // dangling until the first write
  const first = await buildApp({ data: link, clock: clock(), seed: 1, rateLimit: 0, flushIntervalMs: 3_600_000 });
  await first.ready();
  t.equal((await send(first, 'through the link')).status, 200);
  await first.close();
  t.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  t.match(readFileSync(target, 'utf8'), /through the link/, 'its target holds the world');
  const second = await buildApp({ data: link, clock: clock(), seed: 1, rateLimit: 0, flushIntervalMs: 3_600_000 });
  await second.ready();
  t.equal((await send(second, 'again')).status, 200);
  await second.mock.store.flush(); // through the change log, beside the target
  await second.close();
  t.ok(lstatSync(link).isSymbolicLink(), 'still a link after a load, a log append and a rewrite');
  t.match(readFileSync(target, 'utf8'), /through the link[^]*again/);
  t.notOk(existsSync(`${link}.log`) || existsSync(`${link}.tmp`), 'nothing written beside the link');
});

t.test('without --admin-token, a state-changing control request from a foreign Host or Origin is refused 403 (item 10)', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  const refused: Array<[string, Record<string, string>]> = [
    ['a foreign Origin', { origin: 'http://evil.example', host: '127.0.0.1:8080' }],
    ['a foreign Host (DNS rebinding)', { host: 'rebind.evil.example:8080' }],
    ['a rebinding page: its Origin matches its Host', { host: 'rebind.evil.example:8080', origin: 'http://rebind.evil.example:8080' }],
    ['Origin null (a sandboxed or file: page)', { origin: 'null', host: '127.0.0.1:8080' }],
    ['another port of this machine', { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:8080' }],
  ];
  for (const [name, headers] of refused) {
    for (const [method, url, body] of [['POST', '/_mock/reset?To=empty'], ['PUT', '/_mock/state', { Conversations: [] }], ['POST', '/_mock/clock', { NowMs: 1 }], ['DELETE', '/_mock/faults']] as const) {
      const r = await ctl(app, method, url, body, headers);
      t.equal(r.status, 403, `${name}: ${method} ${url} refused`);
      t.match(r.body?.Error, { Code: 'Forbidden', Message: /not the emulator's own/ });
    }
  }
  t.equal(snapshot(app), before, 'nothing changed');
  t.equal((await ctl(app, 'GET', '/_mock/clock')).body.NowMs, 1_767_225_600_000, 'the clock did not move');

  const allowed: Array<[string, Record<string, string>]> = [
    ['no Origin (curl, SDKs, tests)', {}],
    ['the page this emulator served', { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }],
    ['localhost', { host: 'localhost:9999', origin: 'http://localhost:9999' }],
    ['IPv6 loopback', { host: '[::1]:8080' }],
    ['a compose service name', { host: 'volc-im-mock:8080' }],
    ['the Docker host', { host: 'host.docker.internal:8080' }],
  ];
  for (const [name, headers] of allowed) t.equal((await ctl(app, 'POST', '/_mock/clock', { AdvanceMs: 1 }, headers)).status, 200, `${name}: accepted`);
  t.equal((await ctl(app, 'GET', '/_mock/state', undefined, { origin: 'http://evil.example' })).status, 200, 'reads are not refused');
  t.equal((await call(app, 'GetMessagesReadReceipt', '{}', { headers: { origin: 'http://evil.example' } })).status, 400, 'the vendor endpoint is not concerned');

  const guarded = await makeApp(t, { adminToken: 'tok' });
  const r = await ctl(guarded, 'POST', '/_mock/clock', { NowMs: 1 }, { origin: 'http://evil.example', authorization: 'Bearer tok' });
  t.equal(r.status, 200, 'with --admin-token the token decides');
});
