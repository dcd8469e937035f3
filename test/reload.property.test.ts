// Anything the emulator accepts it can load back (issue 12 item 4): random control-plane sequences (state imports,
// clock moves, resets, faults) and writes through actions (bodies from each action's own schema), and after every
// step a copy is started from the data file as a kill would leave it: it always loads, and answers the same reads the
// same way. FUZZ_RUNS (default 15 sequences) runs more; FUZZ_SEED replays one.
import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { ACTIONS } from '../src/actions/index.js';
import { writesState } from '../src/actions/action.js';
import { MockClock, CLOCK_MAX_MS } from '../src/protocol/clock.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import { validArb, type World } from './arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const START_MS = 1_767_225_600_000;

const APP = 616161;
const GROUP = 1800000000000000301n;
const SINGLE = 1800000000000000302n;
const LIVE = 1800000000000000303n;
const M = [1700000000000000401n, 1700000000000000402n, 1700000000000000403n];
const USERS = [101n, 102n, 103n];

const baseDoc = (ext: Record<string, string>, createTime: bigint) => ({
  Conversations: [
    {
      AppId: APP, ConversationShortId: GROUP, ConversationType: 2, OwnerUserId: 101, IdempotentId: 'k1', Ext: ext, CreateTime: createTime,
      Participants: [{ ParticipantUserId: 101, Role: 1, ReadIndex: 1 }, { ParticipantUserId: 102, Ext: ext }, { ParticipantUserIdStr: 'alice' }],
      Messages: [
        { MessageId: M[0], Sender: 101, MsgType: 10001, Content: '{"text":"one"}', IndexInConversation: 1, CreateTime: 1709040720191, Ext: ext },
        { MessageId: M[1], SenderStr: 'alice', MsgType: 10001, Content: '{"text":"two"}', IndexInConversation: 2 },
      ],
    },
    {
      AppId: APP, ConversationShortId: SINGLE, ConversationType: 1, OwnerUserId: 101, OtherUserId: 102,
      Participants: [{ ParticipantUserId: 101 }, { ParticipantUserId: 102 }],
      Messages: [{ MessageId: M[2], Sender: 102, MsgType: 10001, Content: '{"text":"hi"}' }],
    },
    { AppId: APP, ConversationShortId: LIVE, ConversationType: 100, OwnerUserId: 101, CreatorUserId: 101, Participants: [{ ParticipantUserId: 101, Role: 1 }, { ParticipantUserId: 103 }] },
  ],
});

const WORLD: World = { appIds: [APP], conversationIds: [GROUP, SINGLE, LIVE], messageIds: M, userIds: [...USERS, 104n], userStrs: ['alice', 'bob'], maxIndex: 3 };
const WRITES = ACTIONS.filter(writesState);

type Step =
  | { kind: 'import'; ext: Record<string, string>; createTime: bigint; appOnly: boolean }
  | { kind: 'clock'; body: Record<string, number> }
  | { kind: 'realTime' }
  | { kind: 'reset'; to: 'fixtures' | 'empty'; appOnly: boolean }
  | { kind: 'fault'; action: string; code: string; status: number }
  | { kind: 'write'; action: string; body: unknown };

const extArb = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'k', 'toString', ''), fc.string({ maxLength: 4 }), { maxKeys: 3 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('import' as const), ext: extArb, createTime: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.constant(0n)), appOnly: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), body: fc.oneof(
    fc.record({ NowMs: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(CLOCK_MAX_MS, CLOCK_MAX_MS + 1, START_MS), fc.integer({ min: 0, max: CLOCK_MAX_MS })) }),
    fc.record({ AdvanceMs: fc.oneof(fc.integer({ min: -86_400_000, max: 86_400_000 }), fc.constantFrom(-START_MS - 1, CLOCK_MAX_MS, -CLOCK_MAX_MS, 8_000_000_000_000_000)) }),
  ) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'realTime' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), to: fc.constantFrom('fixtures' as const, 'empty' as const), appOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fault' as const), action: fc.constantFrom(...WRITES.map((a) => a.name)), code: fc.constantFrom('ServiceUnavailableTemp', 'InternalError'), status: fc.constantFrom(503, 500) }) },
  { weight: 6, arbitrary: fc.constantFrom(...WRITES).chain((def) => validArb(def.body, WORLD).map((body) => ({ kind: 'write' as const, action: def.name, body }))) },
);

async function request(app: FastifyInstance, method: string, url: string, body?: unknown) {
  const res = await app.inject({ method: method as 'POST', url, headers: { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  return { status: res.statusCode, text: res.body };
}

async function apply(app: FastifyInstance, step: Step): Promise<number> {
  switch (step.kind) {
    case 'import': return (await request(app, 'PUT', `/_mock/state${step.appOnly ? `?AppId=${APP}` : ''}`, baseDoc(step.ext, step.createTime))).status;
    case 'clock': return (await request(app, 'POST', '/_mock/clock', step.body)).status;
    case 'realTime': return (await request(app, 'DELETE', '/_mock/clock')).status;
    case 'reset': return (await request(app, 'POST', `/_mock/reset?To=${step.to}${step.appOnly ? `&AppId=${APP}` : ''}`)).status;
    case 'fault': return (await request(app, 'POST', '/_mock/faults', { Action: step.action, Times: 1, Error: { Code: step.code, HttpStatus: step.status } })).status;
    case 'write': return (await request(app, 'POST', `/?Action=${step.action}&Version=2020-12-01`, step.body)).status;
  }
}

/** What the reads answer: the state document (conversations in id order) and a few vendor reads' Results. */
async function reads(app: FastifyInstance): Promise<string> {
  const state = parseJson((await request(app, 'GET', '/_mock/state')).text) as { Conversations: Array<{ AppId: number; ConversationShortId: bigint | number }> };
  const key = (c: { AppId: number; ConversationShortId: bigint | number }) => `${String(c.AppId).padStart(12, '0')}:${String(c.ConversationShortId).padStart(20, '0')}`;
  const out: unknown[] = [state.Conversations.sort((a, b) => (key(a) < key(b) ? -1 : 1))];
  const vendor = async (action: string, body: unknown) => {
    const r = parseJson((await request(app, 'POST', `/?Action=${action}&Version=2020-12-01`, body)).text) as any;
    return r.Result ?? r.ResponseMetadata?.Error?.Code;
  };
  for (const user of USERS) for (const DataType of [0, 1, 2]) {
    out.push(await vendor('GetUserConversations', { AppId: APP, ParticipantUserId: user, Cursor: 0, Limit: 20, DataType }));
  }
  for (const id of WORLD.conversationIds) {
    out.push(await vendor('GetConversationMessages', { AppId: APP, ConversationShortId: id, Cursor: 0, Limit: 50, Reverse: 0 }));
    out.push(await vendor('GetMessagesReadReceipt', { AppId: APP, ConversationShortId: id, MessageIds: M }));
  }
  return stringifyJson(out);
}

/** The files as a kill would leave them, copied aside, started, read, closed. */
async function reloaded(data: string, dir: string, n: number): Promise<string> {
  const copy = join(dir, `copy-${n}.json`);
  copyFileSync(data, copy);
  if (existsSync(`${data}.log`)) copyFileSync(`${data}.log`, `${copy}.log`);
  const app = await buildApp({ data: copy, clock: new MockClock(() => START_MS), seed: 1, rateLimit: 0, flushIntervalMs: 3_600_000 });
  try {
    await app.ready();
    return await reads(app);
  } finally {
    await app.close();
  }
}

t.test('after any accepted sequence, a copy started from the data file loads and answers the same reads', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'volc-im-mock-reload-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  let run = 0;
  let reloads = 0;
  const property = fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
    const dir = mkdtempSync(join(base, `${++run}-`));
    const data = join(dir, 'state.json');
    const app = await buildApp({ data, clock: new MockClock(() => START_MS), seed: 1, rateLimit: 0, flushIntervalMs: 3_600_000, fixtureDoc: baseDoc({}, 1_700_000_000n) });
    try {
      await app.ready();
      for (const [i, step] of steps.entries()) {
        const status = await apply(app, step);
        if (status >= 500 && step.kind !== 'write') throw new Error(`step ${i} ${step.kind} answered ${status}`);
        await app.mock.store.flush();
        const want = await reads(app);
        const got = await reloaded(data, dir, i);
        reloads++;
        if (got !== want) throw new Error(`after step ${i} (${step.kind}${step.kind === 'write' ? ` ${step.action}` : ''}) the copy answers differently:\nwant ${want}\ngot  ${got}`);
      }
      const want = await reads(app);
      await app.close();
      const got = await reloaded(data, dir, steps.length);
      if (got !== want) throw new Error('after a graceful close the file answers differently');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const out = await fc.check(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });
  if (out.failed) t.fail(fc.defaultReportMessage(out) ?? 'failed');
  else t.pass(`${RUNS} sequences, ${reloads} reloads (FUZZ_RUNS=${RUNS})`);
});
