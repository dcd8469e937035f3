// npm run soak: a long mixed load against the compiled server (dist/), to find leaks. Loopback only, bounded in time
// (SOAK_SECONDS, default 600) and in state. Prints RSS (VmRSS of the server process) after a warm-up and at the end,
// a trend in between, and exits non-zero when the end is more than 10% above the start, or on any 5xx.
//
// Keeping state bounded: SendMessage grows the world (messages are real state), so RSS would grow without any leak.
// The load runs in one AppId seeded from a fixture file, and that AppId is put back to its fixtures every
// RESET_MS through the control plane (POST /_mock/reset?AppId=N, which re-reads the configured fixture file). So
// the world oscillates between the fixtures and at most RESET_MS worth of new messages, and every path that forgets
// state (index removal, id release, journal pruning by AppId, data file rewrite) runs thousands of times. The
// journal keeps its default bound (--journal-size 1000) and the data file (--data) is written all along.
//
// Hostile cases (volc-im-mock #12) ride in the mix: bodies of nested arrays (64 KB, 32,400 arrays each) fill the
// journal while a reader pages through it (GET /_mock/requests, default page and ?Limit=1000) every JOURNAL_READ_MS;
// every call of one entry names a new made-up 2 KB access key id and another sends a 5 KB Authorization header (rate
// limiting is on, at a QPS nothing reaches, so each key gets a bucket); and the mock clock is frozen for every other
// RESET_MS period (POST /_mock/clock, then DELETE), so idle buckets cannot be dropped by time.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stringifyJson } from '../dist/protocol/json.js';
import { ROOT, action, freePort, rssMb } from './lib.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
// the heap settles within the first quarter of a run (a 120 s run with 12 s of warm-up sampled 135 MB at the start,
// then 154-172 MB all along): RSS is compared from there
const WARMUP_SECONDS = Math.max(3, Math.min(60, Math.round(SECONDS / 4)));
/** made-up access keys sent before the warm-up, under a frozen clock: more than the rate limiter's 10,000 buckets */
const MADE_UP_KEYS = 12_000;
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 16);
const LIMIT_RATIO = 1.10;
const JOURNAL_READ_MS = 1_000;
const RESET_MS = 2_000;
const SAMPLE_MS = Math.max(5_000, (SECONDS * 1000) / 12);
if (!(SECONDS > 0 && SECONDS <= 3600)) throw new Error(`SOAK_SECONDS=${process.env.SOAK_SECONDS}: must be from 1 to 3600`);

const tmp = mkdtempSync(join(tmpdir(), 'volc-soak-'));
let child;
process.on('exit', () => { child?.kill('SIGKILL'); rmSync(tmp, { recursive: true, force: true }); });
process.on('SIGINT', () => process.exit(130));

const APP = 880088;
const CONVS = 20;
const MEMBERS = 5;
const PER_CONV = 20;
const conv = (i) => 1_700_000_000_000_000_000n + BigInt(i);
const user = (i, u) => 10_000n * BigInt(i + 1) + BigInt(u + 1);
const msg = (i, j) => 1_800_000_000_000_000_000n + BigInt(i * PER_CONV + j);

function fixtures() {
  const Conversations = [];
  for (let i = 0; i < CONVS; i++) {
    const Participants = Array.from({ length: MEMBERS }, (_, u) => ({ ParticipantUserId: user(i, u), ReadIndex: 1 }));
    const Messages = Array.from({ length: PER_CONV }, (_, j) => ({
      MessageId: msg(i, j), Sender: user(i, j % MEMBERS), MsgType: 10001, Content: `{"text":"m${j}"}`, IndexInConversation: j + 1,
    }));
    Conversations.push({ AppId: APP, ConversationShortId: conv(i), ConversationType: 2, OwnerUserId: user(i, 0), Participants, Messages });
  }
  const file = join(tmp, 'soak-fixtures.json');
  writeFileSync(file, stringifyJson({ Conversations }));
  return file;
}

let n = 0;
const pick = (k) => (n * 2654435761) % k; // a cheap spread over conversations, users and messages
/** The mix: writes, reads, read positions and ~10% invalid bodies. */
const REQUESTS = [
  ['SendMessage', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"Sender":${user(i, pick(MEMBERS))},"MsgType":10001,"Content":"{\\"text\\":\\"soak ${n}\\"}"}`],
  ['GetMessagesReadReceipt', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"MessageIds":[${msg(i, pick(PER_CONV))},${msg(i, (n + 7) % PER_CONV)}]}`],
  ['ModifyParticipantReadIndex', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"ParticipantUserId":${user(i, pick(MEMBERS))},"ReadIndex":${1 + pick(PER_CONV + 40)}}`],
  ['GetConversationMessages', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"Cursor":0,"Limit":20,"Reverse":${n % 2}}`],
  ['SendMessage', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"Sender":${user(i, 0)},"MsgType":10001,"Content":"${'x'.repeat(512)}","Ext":{"k":"v${n}"}}`],
  ['GetMessagesReadReceipt', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"MessageIds":[${msg(i, pick(PER_CONV))}]}`],
  ['GetMessages', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"MessageIds":[${msg(i, 0)},${msg(i, pick(PER_CONV))}]}`],
  ['GetParticipantReadIndex', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)}}`],
  ['SendMessage', () => `{"AppId":${APP},"ConversationShortId":"not a number","Sender":1}`], // invalid: 400
  ['GetMessagesReadReceipt', () => `{"AppId":${APP},"MessageIds":[${'1,'.repeat(150)}1]}`], // invalid: 400
  ['ModifyParticipantReadIndex', () => '{"AppId":1,'], // not JSON: 400
  ['GetMessagesReadReceipt', () => NESTED], // nested arrays, kept by the journal: 400
  ['GetParticipantReadIndex', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)}}`, () => credential(`${'k'.repeat(2000)}${n}`)], // a new made-up key
  ['GetMessages', (i) => `{"AppId":${APP},"ConversationShortId":${conv(i)},"MessageIds":[${msg(i, 0)}]}`, () => credential('k'.repeat(5000))], // 400: too long
];
const NESTED = `{"AppId":${APP},"X":[${Array(36).fill('['.repeat(900) + ']'.repeat(900)).join(',')}]}`;
const credential = (ak) => `HMAC-SHA256 Credential=${ak}/20260101/cn-north-1/rtc/request, SignedHeaders=x-date, Signature=00`;

const toRequest = ([name, body, authorization]) => ({
  method: 'POST', path: action(name), headers: { 'content-type': 'application/json' },
  setupRequest: (req) => {
    n++;
    return { ...req, body: body(pick(CONVS)), headers: authorization ? { ...req.headers, authorization: authorization() } : req.headers };
  },
});
const requests = REQUESTS.map(toRequest);
const madeUpKey = toRequest(REQUESTS.find(([, , authorization]) => authorization && authorization().length < 4096));

async function load(url, seconds) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
  return result;
}

let resets = 0;
async function reset(url) {
  const res = await fetch(`${url}/_mock/reset?AppId=${APP}`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`reset answered ${res.status}: ${await res.text()}`);
  await res.text();
  // every other period with the mock clock frozen: nothing becomes idle by time
  const clock = ++resets % 2 ? await fetch(`${url}/_mock/clock`, { method: 'POST', body: JSON.stringify({ NowMs: Date.now() }) })
    : await fetch(`${url}/_mock/clock`, { method: 'DELETE' });
  if (clock.status !== 200) throw new Error(`clock answered ${clock.status}: ${await clock.text()}`);
  await clock.text();
}

const journalReads = { pages: 0, failures: 0, largest: 0 };
async function readJournal(url) {
  for (const qs of ['', '?Limit=1000']) {
    const res = await fetch(`${url}/_mock/requests${qs}`);
    const text = await res.text();
    if (res.status !== 200) journalReads.failures++;
    journalReads.pages++;
    journalReads.largest = Math.max(journalReads.largest, text.length);
  }
}

const fixtureFile = fixtures();
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
child = spawn(process.execPath, ['dist/server.js', '--port', String(port), '--host', '127.0.0.1', '--rate-limit', '1000000', '--journal-size', '1000',
  '--fixtures', fixtureFile, '--data', join(tmp, 'data.json'), '--log-level', 'error'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
child.on('exit', (code, signal) => { if (!stopping) { console.error(`server exited during the soak: ${code ?? signal}`); process.exit(1); } });
let stopping = false;
for (let i = 0; ; i++) {
  if (i > 400) throw new Error('server did not become ready');
  const res = await fetch(`${url}/_mock/ready`).catch(() => undefined);
  if (res?.status === 200) break;
  await new Promise((r) => setTimeout(r, 25));
}

console.log(`soak: ${SECONDS} s of mixed load after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, AppId ${APP} reset every ${RESET_MS} ms`);
// the rate limiter's table filled past its bound while nothing can become idle by time
await fetch(`${url}/_mock/clock`, { method: 'POST', body: JSON.stringify({ NowMs: Date.now() }) }).then((r) => r.text());
const keys = await autocannon({ url, connections: CONNECTIONS, amount: MADE_UP_KEYS, requests: [madeUpKey] });
await fetch(`${url}/_mock/clock`, { method: 'DELETE' }).then((r) => r.text());
console.log(`made-up keys: ${keys['2xx']} calls with a new 2 KB access key id each under a frozen clock, ${keys.non2xx} not 2xx; RSS ${rssMb(child).toFixed(1)} MB`);
const resetting = setInterval(() => { reset(url).catch((e) => console.error(`reset failed: ${e.message}`)); }, RESET_MS);
let reading = false;
const reader = setInterval(() => {
  if (reading) return;
  reading = true;
  readJournal(url).catch(() => { journalReads.failures++; }).finally(() => { reading = false; });
}, JOURNAL_READ_MS);
await load(url, WARMUP_SECONDS);
await reset(url);
await new Promise((r) => setTimeout(r, 500));
const startMb = rssMb(child);
console.log(`RSS start (after warm-up): ${startMb.toFixed(1)} MB`);

const samples = [];
const sampler = setInterval(() => samples.push(rssMb(child).toFixed(0)), SAMPLE_MS);
const run = await load(url, SECONDS);
clearInterval(sampler);
clearInterval(resetting);
clearInterval(reader);
await reset(url);
await new Promise((r) => setTimeout(r, 500));
const endMb = rssMb(child);

const journal = await (await fetch(`${url}/_mock/requests?Limit=1000`)).json();
stopping = true;
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

const total = run['1xx'] + run['2xx'] + run['3xx'] + run['4xx'] + run['5xx'];
console.log(`requests: ${total} (${Math.round(run.requests.average)}/s), 2xx ${run['2xx']}, 4xx ${run['4xx']}, 5xx ${run['5xx']}, errors ${run.errors}, timeouts ${run.timeouts}`);
console.log(`latency: p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, max ${run.latency.max} ms`);
console.log(`journal: last page ${journal.Requests.length} records (page bound 1000 records, 8 MiB of bodies); ${journalReads.pages} pages read during the load, largest ${(journalReads.largest / 2 ** 20).toFixed(1)} MB, ${journalReads.failures} failed`);
console.log(`RSS trend (MB): ${samples.join(' ')}`);
console.log(`RSS start ${startMb.toFixed(1)} MB, end ${endMb.toFixed(1)} MB, growth ${(endMb - startMb).toFixed(1)} MB (${((endMb / startMb - 1) * 100).toFixed(1)}%, limit ${Math.round((LIMIT_RATIO - 1) * 100)}%)`);

const failures = [];
if (endMb > startMb * LIMIT_RATIO) failures.push(`RSS grew by ${(endMb - startMb).toFixed(1)} MB (more than ${Math.round((LIMIT_RATIO - 1) * 100)}%)`);
if (journalReads.failures > 0) failures.push(`${journalReads.failures} journal reads failed`);
if (keys.non2xx > 0 || keys.errors > 0) failures.push(`${keys.non2xx} made-up key calls were not 2xx, ${keys.errors} errors`);
if (run['5xx'] > 0) failures.push(`${run['5xx']} answers were 5xx`);
if (run.errors > 0) failures.push(`${run.errors} connection errors`);
if (journal.Requests.length > 1000) failures.push('the journal outgrew its bound');
if (failures.length) {
  console.log(`soak FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
