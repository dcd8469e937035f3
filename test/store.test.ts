// The store through a real data file (lowdb + steno in a temp dir), and fixture loading errors.
import t, { type Test } from 'tap';
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { parseJson } from '../src/protocol/json.js';
import { StartupError } from '../src/store/load.js';
import { conversationsFromFixture } from '../src/store/fixtures.js';
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
        { MessageId: M1, Sender: U1, MsgType: 10001, Content: '{"text":"one"}', CreateTime: 1709040620191 },
        { MessageId: M2, Sender: U1, MsgType: 10001, Content: '{"text":"two"}', CreateTime: 1709040620192 },
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
  const doc = parseJson(fileText(file)) as any;
  const u3 = doc.Conversations.find((x: any) => x.ConversationShortId === CONV).Participants.find((p: any) => p.ParticipantUserId === U3);
  t.equal(u3.ReadIndex, 2, 'setReadIndex reached the file');

  c.members.get(U2)!.nickName = 'renamed';
  store.touched(c);
  await store.flush();
  t.ok(fileText(file).includes('"NickName":"renamed"'), 'touched reached the file');

  c.members.get(U2)!.nickName = 'untouched';
  await store.flush();
  t.notOk(fileText(file).includes('untouched'), 'a change not reported is not written (the rule: every mutation goes through a verb)');

  store.setReadIndex(c, 'alice', 1n);
  await app.close();
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
  const deadline = Date.now() + 2000;
  while (!fileText(file).includes('"ReadIndex":7') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.ok(fileText(file).includes('"ReadIndex":7'), 'written by the timer');
});

t.test('the file is valid JSON after every flush, and no temp file is left', async (t) => {
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
    const text = fileText(file);
    let doc: any;
    try { doc = parseJson(text); } catch (e) { t.fail(`flush ${i}: not valid JSON: ${(e as Error).message}`); return; }
    const p = doc.Conversations[0].Participants;
    if (p.find((x: any) => x.ParticipantUserId === U2).ReadIndex !== i) { t.fail(`flush ${i}: ReadIndex not written`); return; }
    if (i % 3 === 0 && p.find((x: any) => x.ParticipantUserId === U3).ReadIndex !== i) { t.fail(`flush ${i}: the in-flight change was lost`); return; }
  }
  t.pass('30 rounds');
  t.same(readdirSync(dir), ['state.json'], 'only the data file in the directory (steno renamed its temp file)');
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
  const app = await open(t, {
    fixtureDoc: { Conversations: [
      { AppId: 1, ConversationShortId: 10, ConversationType: 2, Participants: [{ ParticipantUserId: 1 }], Messages: [
        { MessageId: 101, Sender: 1, MsgType: 1, Content: 'a' },
        { MessageId: 102, Sender: 1, MsgType: 1, Content: 'b' },
        { MessageId: 103, Sender: 1, MsgType: 1, Content: 'c', IndexInConversation: 10, CreateTime: NOW + 5000 },
        { MessageId: 104, Sender: 1, MsgType: 1, Content: 'd' },
        { MessageId: 105, Sender: 1, MsgType: 1, Content: 'e', CreateTime: 1000 },
        { MessageId: 106, Sender: 1, MsgType: 1, Content: 'f' },
      ] },
    ] },
  });
  const c = app.mock.store.conversation(1, 10n)!;
  t.same(c.messages.map((m) => m.index), [1n, 2n, 10n, 11n, 12n, 13n], 'indexes continue from the previous message');
  t.same(c.messages.map((m) => m.createTime), [BigInt(NOW), BigInt(NOW), BigInt(NOW + 5000), BigInt(NOW + 5000), 1000n, BigInt(NOW)],
    'a missing CreateTime is the clock, never before the previous message\'s');
  t.equal(c.lastIndex, 13n);
  t.equal(c.members.get(1n)!.readIndex, 0n, 'ReadIndex defaults to 0');
});
