// Property-based tests for every emulated action (issue 7): bodies derived from each action's own schema
// (test/arbitraries.ts), aimed at a small real world. Valid bodies answer 200 or a documented business error;
// invalid ones answer 400 in the vendor envelope; nothing answers 5xx; no refused request changes state.
// FUZZ_RUNS (default 1200) is the total number of cases across all actions; `npm run fuzz` runs 10,000.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import type { FastifyInstance } from 'fastify';
import { makeApp, snapshot } from './helpers.js';
import { ACTIONS } from '../src/actions/index.js';
import { ERRORS } from '../src/protocol/errors.js';
import { parseJson } from '../src/protocol/json.js';
import { conversationsFromFixture } from '../src/store/fixtures.js';
import { validArb, invalidArb, extrasArb, withExtras, toJson, type World, type Mutation } from './arbitraries.js';

const TOTAL = Number(process.env.FUZZ_RUNS ?? 1200);
const PER_PROPERTY = Math.max(1, Math.ceil(TOTAL / (2 * ACTIONS.length)));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const APP = 515151;
const GROUP = 1800000000000000101n;
const SINGLE = 1800000000000000102n;
const LIVE = 1800000000000000103n;
const M = [1700000000000000201n, 1700000000000000202n, 1700000000000000203n, 1700000000000000204n, 1700000000000000205n];
const text = (s: string) => JSON.stringify({ text: s });

/** Small on purpose: a snapshot of it is cheap, so every refused request can be checked against it. */
const WORLD_DOC = {
  Conversations: [
    {
      AppId: APP, ConversationShortId: GROUP, ConversationType: 2, OwnerUserId: 101, IdempotentId: 'k1',
      Participants: [{ ParticipantUserId: 101, Role: 1, ReadIndex: 2 }, { ParticipantUserId: 102, ReadIndex: 1 }, { ParticipantUserId: 103 }, { ParticipantUserIdStr: 'alice' }],
      Messages: [
        { MessageId: M[0], Sender: 101, MsgType: 10001, Content: text('one'), IndexInConversation: 1, CreateTime: 1709040720191 },
        { MessageId: M[1], Sender: 102, MsgType: 10001, Content: text('two'), IndexInConversation: 2, CreateTime: 1709040730191, ClientMsgId: 'k2' },
        { MessageId: M[2], SenderStr: 'alice', MsgType: 10001, Content: text('three'), IndexInConversation: 3, CreateTime: 1709040740191 },
      ],
    },
    {
      AppId: APP, ConversationShortId: SINGLE, ConversationType: 1, OwnerUserId: 101, OtherUserId: 102,
      Participants: [{ ParticipantUserId: 101 }, { ParticipantUserId: 102 }],
      Messages: [{ MessageId: M[3], Sender: 102, MsgType: 10001, Content: text('hi'), IndexInConversation: 1 }],
    },
    {
      AppId: APP, ConversationShortId: LIVE, ConversationType: 100, OwnerUserId: 101,
      Participants: [{ ParticipantUserId: 101, Role: 1 }, { ParticipantUserId: 102 }],
      Messages: [{ MessageId: M[4], Sender: 101, MsgType: 10001, Content: text('live'), IndexInConversation: 1 }],
    },
  ],
};

const WORLD: World = {
  appIds: [APP], conversationIds: [GROUP, SINGLE, LIVE], messageIds: M,
  userIds: [101n, 102n, 103n, 104n], userStrs: ['alice', 'bob'], maxIndex: 3,
};

/** One body per action that the world above answers with 200. */
const AIMED: Record<string, Record<string, unknown>> = {
  CreateConversation: { AppId: APP, OwnerUserId: 101n, ConversationCoreInfo: { ConversationType: 2, Name: 'g' }, OtherUserId: 0n },
  BatchGetConversations: { AppId: APP, ConversationShortId: [GROUP, SINGLE] },
  ModifyConversation: { AppId: APP, ConversationCoreInfo: { ConversationShortId: GROUP, Name: 'renamed' } },
  DestroyConversation: { AppId: APP, ConversationShortId: GROUP, OwnerUserId: 101n },
  GetUserConversations: { AppId: APP, ParticipantUserId: 101n, ParticipantUserIdStr: '', Cursor: 0n, Limit: 10n },
  GetConversationSetting: { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 102n },
  ModifyConversationSetting: { AppId: APP, ConversationSettingInfo: { ConversationShortId: GROUP, ParticipantUserId: 102n, IsMute: true } },
  BatchAddConversationParticipant: { AppId: APP, ConversationShortId: GROUP, Operator: 101n, ParticipantInfos: [{ ParticipantUserId: 104n }] },
  BatchDeleteConversationParticipant: { AppId: APP, ConversationShortId: GROUP, Operator: 101n, ParticipantUserIds: [103n] },
  BatchGetConversationParticipant: { AppId: APP, ConversationShortId: GROUP, ParticipantUserIds: [101n, 102n] },
  ScanConversationParticipantList: { AppId: APP, ConversationShortId: GROUP, Cursor: 0n, Limit: 10n },
  IsUserInConversation: { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103n },
  GetConversationUserCount: { AppId: APP, ConversationShortId: GROUP },
  ModifyParticipantReadIndex: { AppId: APP, ConversationShortId: GROUP, ParticipantUserId: 103n, ReadIndex: 3n },
  GetParticipantReadIndex: { AppId: APP, ConversationShortId: GROUP },
  SendMessage: { AppId: APP, ConversationShortId: GROUP, Sender: 102n, MsgType: 10001, Content: text('aimed') },
  BatchSendMessage: { AppId: APP, Sender: 101n, Receiver: [103n], MsgType: 10001, Content: text('aimed') },
  GetMessages: { AppId: APP, ConversationShortId: GROUP, MessageIds: [M[0], M[1]] },
  GetConversationMessages: { AppId: APP, ConversationShortId: GROUP, Cursor: 0n, Limit: 10n },
  GetMessagesReadReceipt: { AppId: APP, ConversationShortId: GROUP, MessageIds: [M[0]] },
  DeleteConversationMessage: { AppId: APP, ConversationShortId: GROUP, MessageId: M[1], DeleteType: 1 },
  DeleteMessage: { AppId: APP, ConversationShortId: GROUP, MessageId: M[1], ParticipantUserId: 103n },
  RecallMessage: { AppId: APP, ConversationShortId: GROUP, MessageId: M[1], ParticipantUserId: 102n },
  ModifyMessage: { AppId: APP, ConversationShortId: GROUP, MessageId: M[1], Content: text('edited') },
  RegisterUsers: { AppId: APP, Users: [{ UserId: 101n, NickName: 'a', Tags: ['k:v'] }] },
  UnRegisterUsers: { AppId: APP, UserIds: [101n] },
  BatchUpdateUser: { AppId: APP, Users: [{ UserId: 101n, NickName: 'a', Portrait: '', Ext: {}, Tags: [] }] },
  BatchGetUser: { AppId: APP, UserIds: [101n, 102n] },
  BatchUpdateUserTags: { AppId: APP, UserIds: [101n], Tags: ['k:v'], Op: 0 },
  QueryOnlineStatus: { AppId: APP, UserIds: [101n] },
  AddFriend: { AppId: APP, UserId: 101n, FriendUserIds: [102n] },
  DeleteFriend: { AppId: APP, UserId: 101n, DeleteUserIds: [102n] },
  UpdateFriend: { AppId: APP, UserId: 101n, FriendInfos: [{ FriendUserId: 102n, Alias: 'b' }] },
  ListFriend: { AppId: APP, UserId: 101n, Cursor: 0n, Limit: 10n, NeedTotal: true },
  IsFriend: { AppId: APP, UserId: 101n, FriendUserIds: [102n] },
  AddBlackList: { AppId: APP, UserId: 101n, BlackListInfos: [{ BlackListUserId: 103n }] },
  RemoveBlackList: { AppId: APP, UserId: 101n, BlackListUserIds: [103n] },
  UpdateBlackList: { AppId: APP, UserId: 101n, BlackListInfos: [{ BlackListUserId: 103n, BlackListUserExt: { k: 'v' } }] },
  GetBlackList: { AppId: APP, UserId: 101n, Cursor: 0n, Limit: 10n },
  IsInBlackList: { AppId: APP, UserId: 101n, BlackListUserIds: [103n] },
  GetAppToken: { AppId: APP, UserId: 101n, ExpireTime: 4102444800000n },
  UserBroadcast: { AppId: APP, Sender: 101n, MsgType: 10001, Content: text('all'), MsgTTL: 60n },
  // live groups
  BatchAddBlockParticipants: { AppId: APP, ConversationShortId: LIVE, ParticipantBlockInfos: { 102: 60n }, BlockAction: 1 },
  BatchDeleteBlockParticipants: { AppId: APP, ConversationShortId: LIVE, ParticipantUserIds: [102n] },
  BatchGetBlockParticipants: { AppId: APP, ConversationShortId: LIVE, Cursor: 0n, Limit: 10n },
  BatchAddWhitelistParticipant: { AppId: APP, ConversationShortId: LIVE, Operator: 101n, ParticipantUserIds: [102n] },
  BatchRemoveWhitelistParticipant: { AppId: APP, ConversationShortId: LIVE, Operator: 101n, ParticipantUserIds: [102n] },
  BatchGetWhitelistParticipant: { AppId: APP, ConversationShortId: LIVE, Cursor: 0n, Limit: 10n },
  BatchAddManager: { AppId: APP, ConversationShortId: LIVE, Operator: 101n, ManagerUserIds: [102n] },
  BatchRemoveManager: { AppId: APP, ConversationShortId: LIVE, Operator: 101n, RemoveManagerUserIds: [102n] },
  BatchModifyConversationParticipant: { AppId: APP, ConversationShortId: GROUP, Operator: 101n, ParticipantInfos: [{ ParticipantUserId: 102n, Role: 2n }] },
  BatchUpdateLiveParticipants: { AppId: APP, ConversationShortId: LIVE, ParticipantInfos: [{ UserId: 102n, NickName: 'n', Marks: ['vip'] }] },
  QueryLiveParticipantStatus: { AppId: APP, ConversationShortId: LIVE, ParticipantUserIds: [102n, 104n] },
  MarkConversation: { AppId: APP, ConversationShortId: LIVE, MarkTypes: ['hot'] },
  GetConversationMarks: { AppId: APP, ConversationShortId: LIVE },
  BatchSendGroupMessage: { AppId: APP, Sender: 101n, ConversationType: 2, ConversationShortIds: [GROUP], MsgType: 10001, Content: text('aimed') },
};

const INVALID_CODES = new Set(['InvalidParameter', 'InvalidParameter.Unmarshal', 'InvalidParameter.BodyIsEmpty']);

interface Stats { cases: number; byAnswer: Map<string, number> }
const stats = new Map<string, Stats>();
let totalCases = 0;

function count(action: string, answer: string) {
  const s = stats.get(action) ?? { cases: 0, byAnswer: new Map() };
  stats.set(action, s);
  s.cases++;
  s.byAnswer.set(answer, (s.byAnswer.get(answer) ?? 0) + 1);
  totalCases++;
}

async function post(app: FastifyInstance, action: string, payload: string) {
  const res = await app.inject({
    method: 'POST', url: `/?Action=${action}&Version=2020-12-01`, headers: { 'content-type': 'application/json' }, payload,
  });
  let body: any;
  try {
    body = parseJson(res.body);
  } catch {
    throw new Error(`${action}: answer is not JSON: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  return { status: res.statusCode, body, requestIdHeader: res.headers['x-request-id'] };
}

/** The vendor envelope, whatever the status. */
function checkEnvelope(action: string, a: { status: number; body: any; requestIdHeader: unknown }): string {
  const meta = a.body?.ResponseMetadata;
  const where = `${action} answered ${a.status} ${toJson(a.body).slice(0, 300)}`;
  if (!meta || typeof meta.RequestId !== 'string' || meta.RequestId.length !== 34) throw new Error(`no envelope: ${where}`);
  if (meta.Action !== action || meta.Version !== '2020-12-01' || meta.Service !== 'rtc' || typeof meta.Region !== 'string') throw new Error(`bad metadata: ${where}`);
  if (a.requestIdHeader !== meta.RequestId) throw new Error(`X-Request-Id differs: ${where}`);
  if (a.status >= 500) throw new Error(`5xx: ${where}`);
  if (a.status === 200) {
    if (meta.Error !== undefined || a.body.Result === undefined) throw new Error(`200 without Result: ${where}`);
    return '200';
  }
  const err = meta.Error;
  if ('Result' in a.body || !err || typeof err.Code !== 'string' || typeof err.Message !== 'string') throw new Error(`bad error shape: ${where}`);
  if (!(err.Code in ERRORS)) throw new Error(`Code not in the catalog: ${where}`);
  if (/\/work\/|node_modules|at .*\.(ts|js):\d+/.test(err.Message)) throw new Error(`internal detail in Message: ${where}`);
  return `${a.status} ${err.Code}`;
}

function noPollution() {
  const leaked = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASE_PROTO_KEYS.has(k));
  if (leaked.length || ({} as any).polluted !== undefined) throw new Error(`Object.prototype polluted: ${leaked.join(', ')}`);
}
const BASE_PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

t.test('every emulated action: valid and invalid bodies from its schema', async (t) => {
  const app = await makeApp(t, { fixtureDoc: WORLD_DOC });
  const base = snapshot(app);
  const resetWorld = () => app.mock.store.replace(conversationsFromFixture(WORLD_DOC, app.mock.clock.now()));

  for (const def of ACTIONS) {
    const check = Compile(def.body);
    await t.test(def.name, async (t) => {
      const answers: string[] = [];
      const valid = fc.tuple(validArb(def.body, WORLD), extrasArb(def.body)).map(([body, ex]) => withExtras(body, ex));
      await holds(t, 'valid', fc.asyncProperty(valid, async (body) => {
        const payload = toJson(body);
        if (!check.Check(parseJson(payload))) throw new Error(`generator bug: not valid for the schema: ${payload.slice(0, 300)}`);
        const a = await post(app, def.name, payload);
        const answer = checkEnvelope(def.name, a);
        noPollution();
        count(def.name, answer);
        answers.push(answer);
        if (answer === '200') { resetWorld(); return; }
        if (!(a.status === 400 && answer.startsWith('400 InvalidParameter')) && answer !== '403 AccessDenied') {
          throw new Error(`valid body answered ${answer}: ${payload.slice(0, 300)}`);
        }
        if (snapshot(app) !== base) throw new Error(`refused valid body (${answer}) changed state: ${payload.slice(0, 300)}`);
      }));
      t.ok(answers.length === PER_PROPERTY, `${PER_PROPERTY} valid bodies; answers: ${summary(answers)}`);

      const bad: string[] = [];
      // unknown keys (prototype names included) ride along and must not rescue or break anything
      const invalid = fc.tuple(invalidArb(def.body, WORLD), extrasArb(def.body)).map(([m, ex]) => (m.body ? { ...m, body: withExtras(m.body, ex) } : m));
      await holds(t, 'invalid', fc.asyncProperty(invalid, async (m: Mutation) => {
        const payload = m.text ?? toJson(m.body);
        let parsed: unknown;
        try { parsed = parseJson(payload); } catch { parsed = undefined; }
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && check.Check(parsed)) {
          throw new Error(`generator bug: ${m.kind} is valid for the schema: ${payload.slice(0, 300)}`);
        }
        const a = await post(app, def.name, payload);
        const answer = checkEnvelope(def.name, a);
        noPollution();
        count(def.name, answer);
        bad.push(answer);
        if (a.status !== 400 || !INVALID_CODES.has(a.body.ResponseMetadata.Error.Code)) {
          throw new Error(`invalid body (${m.kind}) answered ${answer}: ${payload.slice(0, 300)}`);
        }
        if (snapshot(app) !== base) throw new Error(`invalid body (${m.kind}) changed state: ${payload.slice(0, 300)}`);
      }));
      t.equal(bad.length, PER_PROPERTY, `${PER_PROPERTY} invalid bodies, all 400: ${summary(bad)}`);
    });
  }

  // huge but valid: every list without maxItems filled to ~50,000 items (within 1 MiB) answers, never 5xx
  await t.test('lists without maxItems at 50,000 items (20,000 objects)', async (t) => {
    for (const def of ACTIONS) {
      for (const [key, prop] of Object.entries(def.body.properties as Record<string, any>)) {
        const list = prop.type === 'array' ? prop : prop.anyOf?.find((b: any) => b.type === 'array');
        if (!list || list.maxItems !== undefined) continue;
        const [body] = fc.sample(validArb(def.body, WORLD), { numRuns: 1, seed: 7 }) as Record<string, unknown>[];
        const item = (i: number) => (list.items['x-int64'] ? WORLD.userIds[i % 4] + BigInt(i) * 1000n : list.items.type === 'string' ? `u${i}` : { ParticipantUserId: 200n + BigInt(i) });
        // aimed at the group, as a member, so the handler walks the whole list
        Object.assign(body, { AppId: APP }, def.body.properties.ConversationShortId?.['x-int64'] ? { ConversationShortId: GROUP } : {});
        if ('Sender' in def.body.properties) Object.assign(body, { Sender: 101n, SenderStr: null });
        body[key] = Array.from({ length: list.items.type === 'object' ? 20_000 : 50_000 }, (_, i) => item(i));
        const started = Date.now();
        const a = await post(app, def.name, toJson(body));
        const answer = checkEnvelope(def.name, a);
        t.ok(a.status < 500, `${def.name}.${key} x${(body[key] as unknown[]).length}: ${answer} in ${Date.now() - started} ms`);
        resetWorld();
      }
    }
  });

  // handlers did real work: one body per action aimed at the world answers 200, whatever the generators drew
  // (random bodies reach 200 only by luck for actions that need a matching owner, sender and message at once)
  await t.test('every action answers 200 to a body aimed at the world', async (t) => {
    t.same(ACTIONS.map((a) => a.name).filter((n) => !(n in AIMED)), [], 'an aimed body for every action');
    for (const def of ACTIONS) {
      const body = AIMED[def.name];
      if (!body) continue;
      t.ok(Compile(def.body).Check(parseJson(toJson(body))), `${def.name}: the aimed body is valid for the schema`);
      const a = await post(app, def.name, toJson(body));
      t.equal(checkEnvelope(def.name, a), '200', `${def.name}: ${toJson(a.body.ResponseMetadata.Error ?? 'ok')}`);
      resetWorld();
    }
  });
  const succeeded = ACTIONS.filter((a) => stats.get(a.name)?.byAnswer.get('200'));
  t.comment(`random valid bodies reached 200 for ${succeeded.length} of ${ACTIONS.length} actions`);
  t.comment(`fuzz: ${totalCases} cases over ${ACTIONS.length} actions (FUZZ_RUNS=${TOTAL}, ${PER_PROPERTY} per property)`);
  t.equal(totalCases, 2 * PER_PROPERTY * ACTIONS.length, `fuzz: ${totalCases} cases run`);
});

/** Runs a property; a failure becomes one tap failure with the seed and a shortened counterexample. */
async function holds(t: Test, what: string, property: fc.IAsyncProperty<any>): Promise<void> {
  const out = await fc.check(property, { numRuns: PER_PROPERTY, seed: SEED, endOnFailure: true });
  if (!out.failed) return;
  const short = (x: string) => x.replace(/([[\]{}])\1{19,}/g, (m) => `${m[0]}x${m.length}`).slice(0, 800);
  const shown = short(fc.stringify(out.counterexample));
  const message = short(String((out.errorInstance as Error)?.message ?? out.errorInstance));
  t.fail(`${what} bodies: ${message}\nseed ${out.seed}, path ${out.counterexamplePath}: ${shown}`);
}

function summary(answers: string[]): string {
  const m = new Map<string, number>();
  for (const a of answers) m.set(a, (m.get(a) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k} x${v}`).join(', ');
}
