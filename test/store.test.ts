// The store through a real data file (lowdb + steno in a temp dir), and fixture loading errors.
import t, { type Test } from 'tap';
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdtempSync, rmSync, copyFileSync, appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson } from '../src/protocol/json.js';
import { StartupError } from '../src/store/load.js';
import { conversationsFromFixture, conversationToFixture } from '../src/store/fixtures.js';
import { initialConversations } from '../src/store/load.js';
import { Store } from '../src/store/store.js';
import { DataFileSink } from '../src/store/persistence.js';
import { Random } from '../src/protocol/random.js';
import { stringifyJson } from '../src/protocol/json.js';
import { call, snapshot } from './helpers.js';

const NOW = 1_767_225_600_000;
const APP_ID = 424242;
const CONV = 9223372036854775807n; // 2^63-1
const OTHER = 9007199254740993n; // 2^53+1
const U1 = 9223372036854775806n, U2 = 9007199254740995n, U3 = 18014398509481985n;
const M1 = 9007199254740997n, M2 = 9223372036854775801n;

const DOC = {
  Conversations: [
    { AppId: APP_ID, ConversationShortId: CONV, ConversationType: 2, OwnerUserId: U1, Name: 'edges',
      Participants: [{ ParticipantUserId: U1, ReadIndex: 2, Role: 1 }, { ParticipantUserId: U2, ReadIndex: 1 }, { ParticipantUserId: U3 }, { ParticipantUserIdStr: 'alice' }],
      Messages: [
        { MessageId: M1, Sender: U1, MsgType: 10001, Content: '{"text":"one"}', CreateTime: 1709040620191, IndexInConversation: 1 },
        { MessageId: M2, Sender: U1, MsgType: 10001, Content: '{"text":"two"}', CreateTime: 1709040620192, IndexInConversation: 2 },
      ] },
    { AppId: APP_ID, ConversationShortId: OTHER, ConversationType: 1, OwnerUserId: U2,
      Participants: [{ ParticipantUserId: U2 }, { ParticipantUserId: U3 }], Messages: [] },
  ],
};

async function open(t: Test, opts: AppOptions): Promise<FastifyInstance> {
  const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), flushIntervalMs: 60_000, ...opts });
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

const receipts = async (app: FastifyInstance) =>
  (await call(app, 'GetMessagesReadReceipt', { AppId: APP_ID, ConversationShortId: CONV, MessageIds: [M1, M2] })).text.replace(/"RequestId":"\w+"/, '');

const fileText = (file: string) => readFileSync(file, 'utf8');

/** What a restart would load from the data file and its change log, as a fixture document (parsed, int64 exact). */
async function persisted(file: string): Promise<any> {
  const { conversations } = await initialConversations({ data: file }, NOW);
  return parseJson(stringifyJson({ Conversations: conversations.map(conversationToFixture) }));
}

// one temp dir per test, removed when the whole file is done (after every app has closed and flushed)
const base = mkdtempSync(join(tmpdir(), 'volc-im-mock-store-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;
const tempDir = () => mkdtempSync(join(base, `${++dirs}-`));

t.test('a data file: written on start, int64 exact, restored by a second start', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const first = await open(t, { data: file, fixtureDoc: DOC });
  await first.mock.store.flush();
  t.ok(existsSync(file), 'the file exists after the first flush');
  const text = fileText(file);
  for (const digits of ['9223372036854775807', '9007199254740993', '9223372036854775806', '9007199254740995', '18014398509481985', '9007199254740997', '9223372036854775801']) {
    t.ok(text.includes(digits), `file has ${digits}`);
  }
  t.notOk(/"(ConversationShortId|MessageId|ParticipantUserId)":"/.test(text), 'ids are numbers, not strings');
  t.doesNotThrow(() => JSON.parse(text), 'valid JSON');
  t.ok(text.includes('"ParticipantUserIdStr":"alice"'), 'string users as …Str');
  t.equal(conversationsFromFixture(parseJson(text), NOW).length, 2, 'the file is a fixture document');
  const answer = await receipts(first);
  const state = snapshot(first);
  await first.close();

  // the file wins over the fixtures given
  const second = await open(t, { data: file, fixtureDoc: { Conversations: [] } });
  t.equal(snapshot(second), state, 'same state after a restart');
  t.equal(await receipts(second), answer, 'same answers after a restart');
  t.ok(answer.includes('"MessageId":9007199254740997,"ConversationShortId":9223372036854775807,"ReceiverIsRead":false,"ReadUserIds":[9007199254740995],"UnReadUserIds":[18014398509481985]'), answer);
});

t.test('a start without a data file seeds from the fixtures; without fixtures, an empty world', async (t) => {
  const dir = tempDir();
  const app = await open(t, { data: join(dir, 'new.json'), fixtureDoc: DOC });
  t.equal([...app.mock.store.conversations()].length, 2);
  const empty = await open(t, { fixtures: '', fixtureDoc: undefined });
  t.equal([...empty.mock.store.conversations()].length, 0, 'fixtures "" gives an empty world');
});

t.test('mutations reach the file: setReadIndex, touched, and close', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC });
  const store = app.mock.store;
  await store.flush();
  const c = store.conversation(APP_ID, CONV)!;

  store.setReadIndex(c, U3, 2n);
  await store.flush();
  const doc = await persisted(file);
  const u3 = doc.Conversations.find((x: any) => x.ConversationShortId === CONV).Participants.find((p: any) => p.ParticipantUserId === U3);
  t.equal(u3.ReadIndex, 2, 'setReadIndex reached the file');

  c.members.get(U2)!.nickName = 'renamed';
  store.touched(c);
  await store.flush();
  t.ok(stringifyJson(await persisted(file)).includes('"NickName":"renamed"'), 'touched reached the file');

  c.members.get(U2)!.nickName = 'untouched';
  await store.flush();
  t.notOk(stringifyJson(await persisted(file)).includes('untouched'), 'a change not reported is not written (the rule: every mutation goes through a verb)');

  store.setReadIndex(c, 'alice', 1n);
  await app.close();
  t.notOk(existsSync(`${file}.log`), 'after a graceful close the data file alone holds the world (the change log is compacted into it)');
  const after = parseJson(fileText(file)) as any;
  const alice = after.Conversations[0].Participants.find((p: any) => p.ParticipantUserIdStr === 'alice');
  t.equal(alice.ReadIndex, 1, 'close flushes the last change');

  const again = await open(t, { data: file, fixtureDoc: DOC });
  const r = (await call(again, 'GetMessagesReadReceipt', { AppId: APP_ID, ConversationShortId: CONV, MessageIds: [M2] })).body.Result.ReadReceipt[0];
  t.same(r.ReadUserIds, [U3], 'the restarted app answers from the changed file');
  t.same(r.ReadUserIdsStr, [], 'alice at 1 has not read M2 (index 2)');
  t.same(r.UnReadUserIdsStr, ['alice']);
});

t.test('the coalescing timer writes without an explicit flush', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC, flushIntervalMs: 5 });
  const store = app.mock.store;
  await store.flush();
  store.setReadIndex(store.conversation(APP_ID, CONV)!, U3, 7n);
  // the one wait in this suite: the timer is real time by design (bounded, ends as soon as the file changes)
  const written = () => existsSync(`${file}.log`) && fileText(`${file}.log`).includes('"ReadIndex":7');
  const deadline = Date.now() + 2000;
  while (!written() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.ok(written(), 'written by the timer');
});

t.test('after every flush a restart brings back every change, and no temp file is left', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC });
  const store = app.mock.store;
  const c = store.conversation(APP_ID, CONV)!;
  for (let i = 1; i <= 30; i++) {
    store.setReadIndex(c, U2, BigInt(i));
    const flushes = [store.flush(), store.flush()];
    if (i % 3 === 0) store.setReadIndex(c, U3, BigInt(i)); // a change while a write is in flight
    await Promise.all(flushes);
    await store.flush();
    let doc: any;
    try { doc = await persisted(file); } catch (e) { t.fail(`flush ${i}: cannot be loaded: ${(e as Error).message}`); return; }
    const p = doc.Conversations[0].Participants;
    if (p.find((x: any) => x.ParticipantUserId === U2).ReadIndex !== i) { t.fail(`flush ${i}: ReadIndex not written`); return; }
    if (i % 3 === 0 && p.find((x: any) => x.ParticipantUserId === U3).ReadIndex !== i) { t.fail(`flush ${i}: the in-flight change was lost`); return; }
  }
  t.pass('30 rounds');
  t.same(readdirSync(dir).sort(), ['state.json', 'state.json.log'], 'the data file and its change log, no temp file');
  await app.close();
  t.same(readdirSync(dir), ['state.json'], 'after close only the data file');
});

t.test('fixture loading errors name the file and the field', async (t) => {
  const dir = tempDir();
  const write = (name: string, content: string) => { const f = join(dir, name); writeFileSync(f, content); return f; };
  const conv = (extra: Record<string, unknown> = {}) => ({ AppId: 1, ConversationShortId: 10, ConversationType: 2, Participants: [{ ParticipantUserId: 1 }], ...extra });
  const msg = (id: number, extra: Record<string, unknown> = {}) => ({ MessageId: id, Sender: 1, MsgType: 10001, Content: 'x', ...extra });
  const cases: [string, string, RegExp][] = [
    ['bad JSON', '{"Conversations": [', /^fixtures .*bad JSON\.json: not valid JSON/],
    ['leading zero', '{"Conversations":[{"AppId":00001}]}', /not valid JSON/],
    ['no Conversations', '{}', /invalid: Conversations: is required/],
    ['missing field', JSON.stringify({ Conversations: [conv({ Messages: [msg(5, { MsgType: undefined })] })] }), /invalid: Conversations\[0\]\.Messages\[0\]\.MsgType: is required/],
    ['missing AppId', JSON.stringify({ Conversations: [{ ConversationShortId: 1, ConversationType: 1 }] }), /Conversations\[0\]\.AppId: is required/],
    ['wrong type', JSON.stringify({ Conversations: [conv({ ConversationShortId: '10' })] }), /Conversations\[0\]\.ConversationShortId: must be a positive int64/],
    ['float id', '{"Conversations":[{"AppId":1,"ConversationShortId":1e3,"ConversationType":2}]}', /Conversations\[0\]\.ConversationShortId: must be a positive int64/],
    ['bad type', JSON.stringify({ Conversations: [conv({ ConversationType: 3 })] }), /Conversations\[0\]\.ConversationType: must be 1, 2 or 100/],
    ['duplicate conversation', JSON.stringify({ Conversations: [conv(), conv()] }), /Conversations\[1\]: duplicate ConversationShortId 10 in AppId 1/],
    ['duplicate message', JSON.stringify({ Conversations: [conv({ Messages: [msg(5)] }), conv({ ConversationShortId: 11, Messages: [msg(5)] })] }), /Conversations\[1\]\.Messages\[0\]: duplicate MessageId 5 in AppId 1/],
    ['duplicate participant', JSON.stringify({ Conversations: [conv({ Participants: [{ ParticipantUserId: 1 }, { ParticipantUserId: 1 }] })] }), /Conversations\[0\]\.Participants\[1\]: duplicate participant 1/],
    ['index not increasing', JSON.stringify({ Conversations: [conv({ Messages: [msg(5, { IndexInConversation: 3 }), msg(6, { IndexInConversation: 3 })] })] }), /Conversations\[0\]\.Messages\[1\]\.IndexInConversation: must be greater than the previous message's \(3\)/],
    ['index decreasing', JSON.stringify({ Conversations: [conv({ Messages: [msg(5, { IndexInConversation: 3 }), msg(6, { IndexInConversation: 2 })] })] }), /Messages\[1\]\.IndexInConversation/],
    ['no sender', JSON.stringify({ Conversations: [conv({ Messages: [msg(5, { Sender: undefined })] })] }), /Conversations\[0\]\.Messages\[0\]: Sender or SenderStr is required/],
  ];
  for (const [name, content, want] of cases) {
    await t.test(name, async (t) => {
      const file = write(`${name}.json`, content);
      const app = await buildApp({ fixtures: file, clock: new MockClock(() => NOW) });
      t.teardown(() => app.close());
      const err = await app.ready().then(() => undefined, (e) => e);
      t.ok(err instanceof StartupError, `a StartupError: ${err}`);
      t.match(err?.message, want);
      t.ok(err?.message.includes(file), 'names the file');
      t.notOk(err?.message.includes('\n'), 'one line');
    });
  }
  await t.test('a missing fixture file', async (t) => {
    const app = await buildApp({ fixtures: join(dir, 'nope.json') });
    t.teardown(() => app.close());
    const err = await app.ready().then(() => undefined, (e) => e);
    t.ok(err instanceof StartupError);
    t.match(err.message, /nope\.json: cannot be read \(ENOENT\)/);
  });
  await t.test('a data file with invalid JSON', async (t) => {
    const file = write('data.json', '{"Conversations":[');
    const app = await buildApp({ data: file, fixtureDoc: DOC });
    t.teardown(() => app.close());
    const err = await app.ready().then(() => undefined, (e) => e);
    t.ok(err instanceof StartupError);
    t.match(err.message, /^data file .*data\.json: not valid JSON/);
    t.equal(fileText(file), '{"Conversations":[', 'the bad data file is left as it was');
  });
  await t.test('a data file in a directory that does not exist', async (t) => {
    const file = join(dir, 'no-such-dir', 'state.json');
    const app = await buildApp({ data: file, fixtureDoc: DOC });
    t.teardown(() => app.close());
    const err = await app.ready().then(() => undefined, (e) => e);
    t.ok(err instanceof StartupError, 'refused at start, not at the first write');
    t.match(err?.message, /^data file .*no-such-dir\/state\.json: cannot be written \(ENOENT on its directory\)$/);
  });
  await t.test('a data file with an invalid document', async (t) => {
    const file = write('data2.json', '{"Conversations":[{"AppId":0,"ConversationShortId":1,"ConversationType":1}]}');
    const app = await buildApp({ data: file, fixtureDoc: DOC });
    t.teardown(() => app.close());
    const err = await app.ready().then(() => undefined, (e) => e);
    t.match(err?.message, /^data file .*data2\.json: invalid: Conversations\[0\]\.AppId: /);
  });
});

t.test('missing IndexInConversation and CreateTime are assigned in file order', async (t) => {
  const doc = (explicit: bigint) => ({ Conversations: [
    { AppId: 1, ConversationShortId: 10, ConversationType: 2, Participants: [{ ParticipantUserId: 1 }], Messages: [
      { MessageId: 101, Sender: 1, MsgType: 1, Content: 'a' },
      { MessageId: 102, Sender: 1, MsgType: 1, Content: 'b' },
      { MessageId: 103, Sender: 1, MsgType: 1, Content: 'c', IndexInConversation: explicit, CreateTime: NOW + 5000 },
      { MessageId: 104, Sender: 1, MsgType: 1, Content: 'd' },
      { MessageId: 105, Sender: 1, MsgType: 1, Content: 'e', CreateTime: 1000 },
      { MessageId: 106, Sender: 1, MsgType: 1, Content: 'f' },
    ] },
  ] });
  const times = [BigInt(NOW), BigInt(NOW), BigInt(NOW + 5000), BigInt(NOW + 5000), 1000n, BigInt(NOW)];
  const US = BigInt(NOW) * 1000n;

  // time (the default): as a message sent at its CreateTime would get it, max(previous + 1, CreateTime in µs)
  const timed = (await open(t, { fixtureDoc: doc(US + 10n) })).mock.store.conversation(1, 10n)!;
  t.same(timed.messages.map((m) => m.index), [US, US + 1n, US + 10n, US + 5_000_000n, US + 5_000_001n, US + 5_000_002n],
    'time-like: CreateTime in µs, or the previous index + 1 when that is not later');
  t.same(timed.messages.map((m) => m.createTime), times, 'a missing CreateTime is the clock, never before the previous message\'s');
  t.equal(timed.members.get(1n)!.readIndex, 0n, 'ReadIndex defaults to 0');

  // sequential: 1, 2, 3 continuing from the previous message
  const seq = (await open(t, { fixtureDoc: doc(10n), index: 'sequential' })).mock.store.conversation(1, 10n)!;
  t.same(seq.messages.map((m) => m.index), [1n, 2n, 10n, 11n, 12n, 13n], 'indexes continue from the previous message');
  t.same(seq.messages.map((m) => m.createTime), times);
  t.equal(seq.lastIndex, 13n);
});

// ---- the change log (FILE.log): a flush appends what changed; FILE is rewritten rarely ----

/** The files as a kill would leave them at this moment, copied to a directory of their own. */
function crashCopy(file: string): string {
  const to = join(tempDir(), 'state.json');
  copyFileSync(file, to);
  if (existsSync(`${file}.log`)) copyFileSync(`${file}.log`, `${to}.log`);
  return to;
}

t.test('a flush appends what changed to FILE.log and leaves FILE as it was; a restart replays it', async (t) => {
  const file = join(tempDir(), 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC });
  await app.mock.store.flush();
  const before = fileText(file);
  t.match(before, /^\{"LogId":"[0-9a-f]{16}","Conversations":\[/, 'the data file names its LogId');
  t.notOk(existsSync(`${file}.log`), 'no log until something changes');

  const sent = await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U2, MsgType: 10001, Content: '{"text":"three"}' });
  t.equal(sent.status, 200);
  await app.mock.store.flush();
  t.equal(fileText(file), before, 'the data file is not rewritten for a change');
  const lines = fileText(`${file}.log`).split('\n');
  t.equal(lines.length, 3, 'header, one record, final newline');
  t.equal(lines[0], `{"LogId":"${/"LogId":"(\w+)"/.exec(before)![1]}"}`, 'the log names the snapshot it follows');
  t.match(lines[1], new RegExp(`^\\{"AppId":${APP_ID},"ConversationShortId":${CONV},"Message":\\{"MessageId":${sent.body.Result.MessageId}.*,"SenderReadIndex":${BigInt(NOW) * 1000n}\\}$`), 'one message record with its sender\'s read position, ids exact');

  const again = await open(t, { data: crashCopy(file), fixtureDoc: DOC });
  t.equal(snapshot(again), snapshot(app), 'the restarted world equals the running one');
});

t.test('a kill after any flush: the files load to exactly the world of that flush (random operations)', async (t) => {
  const U = [U1, U2, U3, 'alice'] as const;
  const user = (i: number) => (typeof U[i] === 'string' ? { key: 'Str', v: U[i] } : { key: '', v: U[i] });
  const op = fc.oneof(
    fc.record({ kind: fc.constant('send'), u: fc.integer({ min: 0, max: 3 }), text: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('read'), u: fc.integer({ min: 0, max: 3 }), index: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('recall'), m: fc.integer({ min: 0, max: 10 }) }),
    fc.record({ kind: fc.constant('edit'), m: fc.integer({ min: 0, max: 10 }), text: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('create'), name: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('destroy'), c: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('add'), c: fc.integer({ min: 0, max: 4 }), u: fc.integer({ min: 5, max: 9 }) }),
    fc.record({ kind: fc.constant('flush') }),
  );
  let runs = 0;
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
    runs++;
    const file = join(tempDir(), 'state.json');
    const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), flushIntervalMs: 60_000, data: file, fixtureDoc: DOC });
    try {
      await app.ready();
      const convs = () => [...app.mock.store.conversations()].map((c) => c.shortId);
      const msgs = () => [...app.mock.store.conversations()].flatMap((c) => c.messages.map((m) => ({ c: c.shortId, m: m.messageId })));
      let flushed = snapshot(app);
      await app.mock.store.flush();
      for (const o of ops) {
        const pick = <T>(xs: T[], i: number) => xs[i % Math.max(1, xs.length)];
        if (o.kind === 'send') { const u = user(o.u); await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, [`Sender${u.key}`]: u.v, Sender: u.key ? 0 : u.v, MsgType: 10001, Content: o.text }); }
        if (o.kind === 'read') { const u = user(o.u); await call(app, 'ModifyParticipantReadIndex', { AppId: APP_ID, ConversationShortId: CONV, ParticipantUserId: u.key ? 0 : u.v, [`ParticipantUserId${u.key}`]: u.v, ReadIndex: o.index }); }
        const m = pick(msgs(), (o as any).m ?? 0);
        if (o.kind === 'recall' && m) await call(app, 'RecallMessage', { AppId: APP_ID, ConversationShortId: m.c, MessageId: m.m, ParticipantUserId: U1, RecallRole: 1 });
        if (o.kind === 'edit' && m) await call(app, 'ModifyMessage', { AppId: APP_ID, ConversationShortId: m.c, MessageId: m.m, Content: o.text, Ext: { k: o.text } });
        if (o.kind === 'create') await call(app, 'CreateConversation', { AppId: APP_ID, OwnerUserId: U1, ConversationCoreInfo: { ConversationType: 2, Name: o.name } });
        const c = pick(convs(), (o as any).c ?? 0);
        if (o.kind === 'destroy' && c !== undefined && c !== CONV) await call(app, 'DestroyConversation', { AppId: APP_ID, ConversationShortId: c, OwnerUserId: U1 });
        if (o.kind === 'add' && c !== undefined) await call(app, 'BatchAddConversationParticipant', { AppId: APP_ID, ConversationShortId: c, Operator: U1, ParticipantInfos: [{ ParticipantUserId: BigInt(o.u) }] });
        if (o.kind === 'flush') { await app.mock.store.flush(); flushed = snapshot(app); }
      }
      const copy = crashCopy(file);
      const again = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), data: copy, fixtureDoc: { Conversations: [] } });
      try {
        await again.ready();
        if (snapshot(again) !== flushed) throw new Error(`the files loaded to another world than that of the last flush:\n${snapshot(again)}\n!==\n${flushed}`);
      } finally {
        await again.close();
      }
    } finally {
      await app.close();
    }
  }), { numRuns: 25 });
  t.equal(runs, 25, '25 random histories, each checked after a simulated kill');
});

t.test('a torn last record (a kill during an append) is ignored and overwritten by the next append', async (t) => {
  const file = join(tempDir(), 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC });
  await app.mock.store.flush();
  await call(app, 'ModifyParticipantReadIndex', { AppId: APP_ID, ConversationShortId: CONV, ParticipantUserId: U3, ReadIndex: 1 });
  await app.mock.store.flush();
  const state = snapshot(app);
  const torn = crashCopy(file);
  appendFileSync(`${torn}.log`, '{"AppId":424242,"ConversationShortId":92233720368');
  const again = await open(t, { data: torn, fixtureDoc: DOC, flushIntervalMs: 60_000 });
  t.equal(snapshot(again), state, 'loaded up to the last whole record');
  await call(again, 'ModifyParticipantReadIndex', { AppId: APP_ID, ConversationShortId: CONV, ParticipantUserId: U3, ReadIndex: 2 });
  await again.mock.store.flush();
  const log = fileText(`${torn}.log`);
  t.notOk(log.includes('92233720368{') || log.includes('"ConversationShortId":92233720368\n') || /92233720368[^0-9]/.test(log.replace(/9223372036854775807/g, '')), 'the torn fragment is gone');
  t.ok(log.endsWith('\n') && log.split('\n').slice(0, -1).every((l) => { try { JSON.parse(l); return true; } catch { return false; } }), 'every line is a whole record');
  const third = await open(t, { data: crashCopy(torn), fixtureDoc: DOC });
  t.equal(snapshot(third), snapshot(again), 'the change after the torn record is loaded');
});

t.test('a log left from before the last compaction is not replayed; a bad record names the log and its line', async (t) => {
  const file = join(tempDir(), 'state.json');
  const app = await open(t, { data: file, fixtureDoc: DOC });
  await app.mock.store.flush();
  const state = snapshot(app);
  await call(app, 'ModifyParticipantReadIndex', { AppId: APP_ID, ConversationShortId: CONV, ParticipantUserId: U3, ReadIndex: 2 });
  await app.mock.store.flush();

  const stale = crashCopy(file);
  writeFileSync(`${stale}.log`, fileText(`${stale}.log`).replace(/^\{"LogId":"\w+"\}/, '{"LogId":"00000000deadbeef"}'));
  const fromStale = await open(t, { data: stale, fixtureDoc: DOC });
  t.equal(snapshot(fromStale), state, 'a log naming another LogId is ignored (a compaction cut short after FILE was renamed)');

  const bad = crashCopy(file);
  const lines = fileText(`${bad}.log`).split('\n');
  writeFileSync(`${bad}.log`, [lines[0], '{"Nonsense":1}', ...lines.slice(1)].join('\n'));
  const broken = await buildApp({ data: bad, fixtureDoc: DOC });
  t.teardown(() => broken.close());
  const err = await broken.ready().then(() => undefined, (e) => e);
  t.ok(err instanceof StartupError, `a StartupError: ${err}`);
  t.match(err?.message, /^data file log .*state\.json\.log line 2: not a change record/);
});

t.test('the log is compacted into FILE once it outgrows it', async (t) => {
  const file = join(tempDir(), 'state.json');
  const clock = new MockClock(() => NOW);
  const store = new Store(clock, new Random(1));
  const errors: unknown[] = [];
  store.setSink(new DataFileSink(file, (e) => errors.push(e), 60_000, undefined, 0));
  store.replace(conversationsFromFixture(DOC, NOW));
  await store.flush();
  const c = store.conversation(APP_ID, CONV)!;
  const logIds = new Set<string>();
  let sawLog = false;
  for (let i = 0; i < 60; i++) {
    store.appendMessage(c, { messageId: store.newId(), sender: U1, msgType: 1, content: `message ${i} ${'x'.repeat(100)}`, createTime: BigInt(NOW), status: 0, ext: {} });
    await store.flush();
    sawLog ||= existsSync(`${file}.log`);
    logIds.add(/"LogId":"(\w+)"/.exec(fileText(file))![1]);
  }
  t.ok(sawLog, 'changes went to the log');
  t.ok(logIds.size >= 3, `FILE was compacted ${logIds.size - 1} times, each under a new LogId`);
  t.ok(!existsSync(`${file}.log`) || fileText(`${file}.log`).length <= fileText(file).length + 1000, 'the log stays about the size of FILE at most');
  t.same(errors, []);
  const { conversations } = await initialConversations({ data: file }, NOW);
  t.equal(stringifyJson(conversations.map(conversationToFixture)), stringifyJson([...store.conversations()].map(conversationToFixture)), 'FILE and its log load to the world');
  await store.close();
});
