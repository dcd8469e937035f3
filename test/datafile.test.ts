// The data file under failure: a write that fails (disk full) or writes only part of what it was given, while
// requests keep changing the world. Every scenario ends with the files as a kill would leave them, loaded again.
// FileHandle.prototype.write is patched in this file only (tap runs each test file in its own process).
import t, { type Test } from 'tap';
import { open as fsOpen } from 'node:fs/promises';
import { mkdtempSync, copyFileSync, existsSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { MockClock } from '../src/protocol/clock.js';
import { call, snapshot as rawSnapshot } from './helpers.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';

/** The world as a string, conversations in (AppId, ConversationShortId) order: a reset of one AppId moves its
 * conversations to the end of the running world's order, not of the files'. */
function snapshot(app: FastifyInstance): string {
  const convs = parseJson(rawSnapshot(app)) as Array<{ AppId: number; ConversationShortId: bigint | number }>;
  const key = (c: { AppId: number; ConversationShortId: bigint | number }) => `${String(c.AppId).padStart(12, '0')}:${String(c.ConversationShortId).padStart(20, '0')}`;
  return stringifyJson(convs.sort((a, b) => (key(a) < key(b) ? -1 : 1)));
}

const NOW = 1_767_225_600_000;
const APP_ID = 424242;
const OTHER_APP = 515151;
const CONV = 9223372036854775807n;
const U1 = 9223372036854775806n, U2 = 9007199254740995n;
const DOC = { Conversations: [
  { AppId: APP_ID, ConversationShortId: CONV, ConversationType: 2, OwnerUserId: U1,
    Participants: [{ ParticipantUserId: U1, Role: 1 }, { ParticipantUserId: U2 }], Messages: [] },
  { AppId: OTHER_APP, ConversationShortId: 77n, ConversationType: 2, OwnerUserId: 1,
    Participants: [{ ParticipantUserId: 1, Role: 1 }], Messages: [{ MessageId: 78, Sender: 1, MsgType: 1, Content: 'kept' }] },
] };

const base = mkdtempSync(join(tmpdir(), 'volc-im-mock-datafile-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;
const newFile = () => join(mkdtempSync(join(base, `${++dirs}-`)), 'state.json');

/** The files as a kill would leave them now, copied aside. */
function crashCopy(file: string): string {
  const to = newFile();
  copyFileSync(file, to);
  if (existsSync(`${file}.log`)) copyFileSync(`${file}.log`, `${to}.log`);
  return to;
}

async function open(data: string, flushIntervalMs = 60_000): Promise<FastifyInstance> {
  const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), flushIntervalMs, data, fixtureDoc: DOC });
  await app.ready();
  return app;
}

/** Loads the files as they are now; the world as a string, or the start-up error. */
async function reload(file: string): Promise<string> {
  const app = await buildApp({ seed: 1, rateLimit: 0, clock: new MockClock(() => NOW), data: crashCopy(file), fixtureDoc: { Conversations: [] } });
  try {
    await app.ready();
    return snapshot(app);
  } catch (e) {
    return `start-up error: ${(e as Error).message}`;
  } finally {
    await app.close().catch(() => undefined);
  }
}

// ---- FileHandle.prototype.write, patched ----
const probe = await fsOpen(process.execPath, 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
const realWrite = proto.write;
/** fail: the next write waits at a gate, then fails with ENOSPC; short: every write writes at most half */
let mode: { kind: 'fail'; reached: () => void; gate: Promise<void> } | { kind: 'short' } | undefined;
proto.write = async function (this: unknown, buffer: Buffer, offset: number, length: number, position: number) {
  if (mode?.kind === 'fail' && Buffer.isBuffer(buffer)) {
    const m = mode;
    mode = undefined;
    m.reached();
    await m.gate;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  if (mode?.kind === 'short' && Buffer.isBuffer(buffer) && length > 1) return realWrite.call(this, buffer, offset, Math.ceil(length / 2), position);
  return realWrite.call(this, buffer, offset, length, position);
};
function failNextWrite() {
  let release!: () => void;
  let reached!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (release = r));
  mode = { kind: 'fail', reached, gate };
  return { atGate, release };
}
t.afterEach(() => { mode = undefined; });

/** A flush whose write fails (ENOSPC) while `meanwhile` runs; then a flush on a disk that is fine again. */
async function failingFlushDuring(t: Test, app: FastifyInstance, meanwhile: () => Promise<unknown>): Promise<void> {
  const { atGate, release } = failNextWrite();
  const failing = app.mock.store.flush().then(() => 'ok', (e) => String(e));
  await atGate;
  await meanwhile();
  release();
  t.match(await failing, /ENOSPC/, 'the flush failed');
  await app.mock.store.flush();
}

t.test('a conversation destroyed while a failing append is in flight stays destroyed', async (t) => {
  const file = newFile();
  const app = await open(file);
  await app.mock.store.flush();
  const G = (await call(app, 'CreateConversation', { AppId: APP_ID, OwnerUserId: U1, ConversationCoreInfo: { ConversationType: 2, Name: 'g' } })).body.Result.ConversationShortId;
  await app.mock.store.flush();
  await call(app, 'ModifyConversation', { AppId: APP_ID, ConversationCoreInfo: { ConversationShortId: G, Name: 'renamed' } });
  await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: G, Sender: U1, MsgType: 1, Content: 'hi' });
  await failingFlushDuring(t, app, async () => {
    t.equal((await call(app, 'DestroyConversation', { AppId: APP_ID, ConversationShortId: G, OwnerUserId: U1 })).status, 200);
  });
  t.equal(await reload(file), snapshot(app), 'after a kill: the world as it is (G destroyed)');
  t.notOk((await reload(file)).includes(String(G)), 'G is not in the files');
  await app.close();
  t.notOk((await reload(file)).includes(String(G)), 'nor after a graceful close');
});

t.test('a message sent while a failing append is in flight: the files load, both messages in order', async (t) => {
  const file = newFile();
  const app = await open(file);
  await app.mock.store.flush();
  await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U1, MsgType: 1, Content: 'one' });
  await failingFlushDuring(t, app, () => call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U2, MsgType: 1, Content: 'two' }));
  t.equal(await reload(file), snapshot(app), 'after a kill');
  await app.close();
});

t.test('a reset while a failing append is in flight: the files hold the new world only', async (t) => {
  const file = newFile();
  const app = await open(file);
  await app.mock.store.flush();
  await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U1, MsgType: 1, Content: 'one' });
  await failingFlushDuring(t, app, async () => {
    t.equal((await app.inject({ method: 'POST', url: '/_mock/reset' })).statusCode, 200, 'reset');
  });
  t.equal(await reload(file), snapshot(app), 'after a kill');
  await app.close();
  t.equal(await reload(file), snapshot(app), 'after a graceful close');
});

t.test('a failed flush is tried again without another change', async (t) => {
  const file = newFile();
  const app = await open(file, 20);
  await app.mock.store.flush();
  const keepAlive = setInterval(() => {}, 1000); // the data file's timers are unref'd: keep this process up meanwhile
  t.teardown(() => clearInterval(keepAlive));
  const { atGate, release } = failNextWrite();
  await call(app, 'ModifyParticipantReadIndex', { AppId: APP_ID, ConversationShortId: CONV, ParticipantUserId: U2, ReadIndex: 1 });
  await atGate; // the timer's flush
  release();
  // the one real-time wait here: the retry timer (bounded; ends as soon as the change is on disk)
  const deadline = Date.now() + 3000;
  let loaded = await reload(file);
  while (loaded !== snapshot(app) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    loaded = await reload(file);
  }
  t.equal(loaded, snapshot(app), 'the read position reached the files');
  await app.close();
});

t.test('short writes (a disk filling up) are continued: every byte is written', async (t) => {
  const file = newFile();
  const app = await open(file);
  mode = { kind: 'short' };
  await app.mock.store.flush(); // the first write of FILE
  for (let i = 0; i < 5; i++) {
    await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U1, MsgType: 1, Content: `message ${i} ${'x'.repeat(50)}` });
    await app.mock.store.flush(); // appends
  }
  t.equal(await reload(file), snapshot(app), 'FILE and its log, written in halves, load to the world');
  await app.close();
  mode = undefined;
  t.equal(await reload(file), snapshot(app), 'and FILE alone after the close');
});

t.test('a reset of one AppId is appended to the log; FILE is not rewritten', async (t) => {
  const file = newFile();
  const app = await open(file);
  await app.mock.store.flush();
  const before = readFileSync(file, 'utf8');
  await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U1, MsgType: 1, Content: 'gone after the reset' });
  await call(app, 'SendMessage', { AppId: OTHER_APP, ConversationShortId: 77, Sender: 1, MsgType: 1, Content: 'stays' });
  await app.mock.store.flush();
  t.equal((await app.inject({ method: 'POST', url: `/_mock/reset?AppId=${APP_ID}` })).statusCode, 200);
  await app.mock.store.flush();
  t.equal(readFileSync(file, 'utf8'), before, 'FILE as it was');
  t.match(readFileSync(`${file}.log`, 'utf8'), /"Removed":\{"AppId":424242,"ConversationShortId":9223372036854775807\}/, 'the removal logged');
  const world = await reload(file);
  t.equal(world, snapshot(app), 'the files load to the world after the reset');
  t.notOk(world.includes('gone after the reset'));
  t.ok(world.includes('stays'), 'the other AppId untouched');
  await app.close();
});

t.test('a torn record after multi-byte text: cut at the right byte', async (t) => {
  const file = newFile();
  const app = await open(file);
  await app.mock.store.flush();
  await call(app, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U1, MsgType: 1, Content: '你好，世界 😀' });
  await app.mock.store.flush();
  const torn = crashCopy(file);
  appendFileSync(`${torn}.log`, '{"AppId":424242,"Conversa');
  const again = await open(torn);
  t.equal(snapshot(again), snapshot(app), 'loaded up to the last whole record');
  await call(again, 'SendMessage', { AppId: APP_ID, ConversationShortId: CONV, Sender: U2, MsgType: 1, Content: '再见' });
  await again.mock.store.flush();
  t.equal(await reload(torn), snapshot(again), 'the next append replaced the fragment exactly');
  await again.close();
  await app.close();
});
