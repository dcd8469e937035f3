// npm run bench: measures the emulator against a bare Fastify route on the same machine, prints one table and exits
// non-zero when a target is missed. Loopback only, bounded durations. Runs the compiled code in dist/.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, copyFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { stringifyJson } from '../dist/protocol/json.js';
import { ROOT, action, freePort, rssMb } from './lib.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const SEND_CONNECTIONS = Number(process.env.BENCH_SEND_CONNECTIONS ?? 8);
/** runs of each side of a ratio, taken in turns; the best of each is compared */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// the calibration row: a bare route that only spends this many µs of CPU per request (no work, no allocation)
const SPIN_US = 5;
const tmp = mkdtempSync(join(tmpdir(), 'volc-bench-'));
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); rmSync(tmp, { recursive: true, force: true }); });

const APP = 777001;
const seedBody = '{"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}';

/** A world of `convs` group conversations with `perConv` messages each, 5 members, as a fixture file. Written one
 * conversation at a time, so this process (which also runs the load generator) keeps no large heap to collect while
 * it measures latencies. */
function world(convs, perConv) {
  const file = join(tmp, `world-${convs}x${perConv}.json`);
  const fd = openSync(file, 'w');
  writeSync(fd, '{"Conversations":[\n');
  let msg = 1_800_000_000_000_000_000n;
  for (let i = 0; i < convs; i++) {
    const members = [1n, 2n, 3n, 4n, 5n].map((u) => ({ ParticipantUserId: 10_000_000_000n * BigInt(i + 1) + u, ReadIndex: BigInt(perConv / 2) }));
    const Messages = [];
    for (let j = 0; j < perConv; j++) {
      Messages.push({ MessageId: msg++, Sender: members[j % 5].ParticipantUserId, MsgType: 10001, Content: `{"text":"message ${j} of ${i}"}`, IndexInConversation: BigInt(j + 1), CreateTime: 1_767_225_600_000n + BigInt(j) });
    }
    const c = { AppId: APP, ConversationShortId: 1_700_000_000_000_000_000n + BigInt(i), ConversationType: 2, OwnerUserId: members[0].ParticipantUserId, Participants: members, Messages };
    writeSync(fd, (i ? ',\n' : '') + stringifyJson(c));
  }
  writeSync(fd, '\n]}\n');
  closeSync(fd);
  return { file, convs, perConv };
}

/** Starts a server process with its logs going to /dev/null (the same for the emulator and the baseline). */
async function startProcess(args, script = 'dist/server.js') {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [script, '--port', String(port), '--rate-limit', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const url = `http://127.0.0.1:${port}`;
  // first answer: the vendor endpoint, not just the socket
  let firstAnswer;
  for (;;) {
    if (exited) throw new Error(`${script} exited before answering`);
    const res = await fetch(url + action('GetMessagesReadReceipt'), { method: 'POST', body: seedBody }).catch(() => undefined);
    if (res) { firstAnswer = await res.text(); break; }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, url, firstAnswer, launchMs: performance.now() - started, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); children.delete(child); }) };
}

function load(url, opts, duration = DURATION) {
  return autocannon({ url, method: 'POST', duration, connections: CONNECTIONS, headers: { 'content-type': 'application/json' }, ...opts });
}

/** One second of the same load first, unmeasured: JIT and the validators (compiled on first use) warm up, as they
 * are in any test run after its first requests. */
async function measured(url, opts) {
  await load(url, opts, 1);
  return load(url, opts);
}

/** Servers (all started, only one loaded at a time) measured in turns, A B A B…; each keeps its best run, so a
 * moment of interference on the machine (the load generator shares it) does not decide a ratio. */
async function bestOf(rounds, ...servers) {
  const best = servers.map(() => undefined);
  for (let i = 0; i < rounds; i++) {
    for (const [k, [url, opts]] of servers.entries()) {
      const r = i === 0 ? await measured(url, opts) : await load(url, opts);
      if (!best[k] || r.requests.average > best[k].requests.average) best[k] = r;
    }
  }
  return best;
}

function readReceiptRequests(w) {
  let n = 0;
  return [{ method: 'POST', path: action('GetMessagesReadReceipt'), setupRequest: (req) => {
    const i = n++ % w.convs;
    const base = 1_800_000_000_000_000_000n + BigInt(i * w.perConv);
    const ids = [0, 1, 2].map((k) => base + BigInt((n * 7 + k * 13) % w.perConv));
    return { ...req, body: `{"AppId":${APP},"ConversationShortId":${1_700_000_000_000_000_000n + BigInt(i)},"MessageIds":[${ids.join(',')}]}` };
  } }];
}

/** Runs this file as the latency probe (BENCH_PROBE=url,convs,perConv): 200 read receipts a second over 4 connections
 * for DURATION, printing autocannon's result as JSON. */
function probe(url, w) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_PROBE: `${url},${w.convs},${w.perConv}` }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => { children.delete(child); code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`latency probe exited ${code}`)); });
  });
}

if (process.env.BENCH_PROBE) {
  const [url, convs, perConv] = process.env.BENCH_PROBE.split(',');
  const res = await load(url, { connections: 4, overallRate: 200, requests: readReceiptRequests({ convs: Number(convs), perConv: Number(perConv) }) });
  process.stdout.write(JSON.stringify({ latency: res.latency, non2xx: res.non2xx, errors: res.errors }));
  process.exit(0);
}

const rows = [];
const row = (figure, value, target, pass, unit = '') => rows.push({ figure, value, target, pass, unit });

// 1. baseline vs emulator on the seed request
// BENCH_ONLY=data skips the bare-route comparison; BENCH_ONLY=send runs only the data-file scenario;
// BENCH_ONLY=callbacks runs only the callbacks scenario
const only = process.env.BENCH_ONLY;
if (!only) {
// the emulator first: its launch is measured, and its answer to the seed request is what the bare route sends
const emu = await startProcess([]);
writeFileSync(join(tmp, 'answer.json'), emu.firstAnswer);
const bare = await startProcess([join(tmp, 'answer.json')], 'bench/bare.mjs');
// calibration: the same bare route spending SPIN_US µs of CPU per request, measured in the same turns
const spin = await startProcess([join(tmp, 'answer.json'), '--spin-us', String(SPIN_US)], 'bench/bare.mjs');
const seed = (s) => [s.url + action('GetMessagesReadReceipt'), { body: seedBody }];
const [bareRun, emuRun, spinRun] = await bestOf(ROUNDS, seed(bare), seed(emu), seed(spin));
await Promise.all([bare.stop(), emu.stop(), spin.stop()]);
const ratio1 = emuRun.requests.average / bareRun.requests.average;
row('GetMessagesReadReceipt req/s vs bare Fastify', `${Math.round(emuRun.requests.average)} / ${Math.round(bareRun.requests.average)} = ${ratio1.toFixed(2)}x`, '>= 0.85x', ratio1 >= 0.85);
const ratioSpin = spinRun.requests.average / bareRun.requests.average;
row(`bare Fastify + ${SPIN_US} µs busy CPU per request (calibration)`, `${Math.round(spinRun.requests.average)} / ${Math.round(bareRun.requests.average)} = ${ratioSpin.toFixed(2)}x`, '-', null);
row('launch to first answer, default fixtures', `${Math.round(emu.launchMs)} ms`, '<= 500 ms', emu.launchMs <= 500);

}
// 2. 1k vs 100k messages
if (only !== 'callbacks') {
const small = world(10, 100);
const big = world(1000, 100);
if (only !== 'send') {
const s = await startProcess(['--fixtures', small.file]);
const b = await startProcess(['--fixtures', big.file]);
const [sRun, bRun] = await bestOf(ROUNDS, [s.url, { requests: readReceiptRequests(small) }], [b.url, { requests: readReceiptRequests(big) }]);
const rss = rssMb(b.child);
await s.stop();
await b.stop();
const ratio2 = bRun.requests.average / sRun.requests.average;
row('GetMessagesReadReceipt req/s, 100k vs 1k messages', `${Math.round(bRun.requests.average)} / ${Math.round(sRun.requests.average)} = ${ratio2.toFixed(2)}x`, '>= 0.9x', ratio2 >= 0.9);
row('RSS with 100k messages', `${Math.round(rss)} MB`, '<= 300 MB', rss <= 300);
}

// 3. SendMessage with a data file of 100k messages, read receipts measured meanwhile
const dataFile = join(tmp, 'data.json');
copyFileSync(big.file, dataFile);
const d = await startProcess(['--data', dataFile]);
row('launch to first answer, 100k-message data file', `${Math.round(d.launchMs)} ms`, '<= 3000 ms', d.launchMs <= 3000);
let sent = 0;
const sendRequests = [{ method: 'POST', path: action('SendMessage'), setupRequest: (req) => {
  const i = sent++ % big.convs;
  return { ...req, body: `{"AppId":${APP},"ConversationShortId":${1_700_000_000_000_000_000n + BigInt(i)},"Sender":${10_000_000_000n * BigInt(i + 1) + 1n},"MsgType":10001,"Content":"{\\"text\\":\\"bench\\"}"}` };
} }];
// 3 s unmeasured first: besides JIT, the first flush rewrites the generated data file once (it has no LogId yet);
// from then on a flush appends only the new messages to FILE.log
await Promise.all([load(d.url, { connections: SEND_CONNECTIONS, requests: sendRequests }, 3), load(d.url, { connections: 4, requests: readReceiptRequests(big) }, 3)]);
const sendRun = load(d.url, { connections: SEND_CONNECTIONS, requests: sendRequests });
// the latency probe runs in a process of its own: sharing an event loop with the saturating SendMessage generator
// would add the generator's own queueing to every latency it measures
const readRun = probe(d.url, big);
const [sendRes, readRes] = await Promise.all([sendRun, readRun]);
await d.stop();
const sendOk = sendRes.non2xx === 0 && sendRes.errors === 0;
row('SendMessage req/s, --data with 100k messages', `${Math.round(sendRes.requests.average)}${sendOk ? '' : ` (${sendRes.non2xx} non-2xx!)`}`, '>= 2000', sendRes.requests.average >= 2000 && sendOk);
const readOk = readRes.non2xx === 0 && readRes.errors === 0;
row('GetMessagesReadReceipt p99 during that load', `${readRes.latency.p99} ms${readOk ? '' : ` (${readRes.non2xx} non-2xx, ${readRes.errors} errors!)`}`, '<= 20 ms', readRes.latency.p99 <= 20 && readOk);
}

// 4. SendMessage with callbacks on (every message delivered to a local receiver) vs off; p99 while the receiver is down
if (!only || only === 'callbacks') {
  const { callbackRows } = await import('./callbacks.mjs');
  await callbackRows({ world, startProcess, bestOf, load, row, startReceiver: async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bench/receiver.mjs', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    children.add(child);
    const url = `http://127.0.0.1:${port}`;
    for (;;) { if (await fetch(`${url}/count`).then(() => true, () => false)) break; await new Promise((r) => setTimeout(r, 5)); }
    return { url: `${url}/callback`, count: async () => Number(await (await fetch(`${url}/count`)).text()), stop: () => { child.kill('SIGTERM'); children.delete(child); } };
  } });
}

const w = [0, 0, 0, 0];
const cells = rows.map((r) => [r.figure, r.value, r.target, r.pass === null ? 'info' : r.pass ? 'ok' : 'MISSED']);
for (const c of cells) c.forEach((v, i) => { w[i] = Math.max(w[i], v.length); });
const line = (c) => `| ${c.map((v, i) => v.padEnd(w[i])).join(' | ')} |`;
console.log(`\nvolc-im-mock benchmark (${DURATION}s per run, ${CONNECTIONS} connections, rate limit off, node ${process.version})\n`);
console.log(line(['figure', 'measured', 'target', 'result']));
console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
const missed = rows.filter((r) => r.pass === false).length;
// shorter runs are for trying the script: JIT warm-up and noise decide their figures, so they give no verdict
if (DURATION < 8 || ROUNDS < 2) {
  console.log(`\nshort run (BENCH_SECONDS=${DURATION}, BENCH_ROUNDS=${ROUNDS}; the verdict needs at least 8 and 2): not a verdict`);
  process.exit(2);
}
console.log(missed ? `\n${missed} target(s) missed` : '\nall targets met');
process.exit(missed ? 1 : 0);
