// The callbacks rows of the benchmark: SendMessage req/s with every message's after-send event delivered to a local
// receiver vs with callbacks off (>= 0.8x), counting that every message was delivered and none dropped; and the API's
// p99 at a steady 500 SendMessage/s while the receiver is down (connection refused: three attempts per event),
// against the same load with callbacks off (<= 2x).
import { action, freePort } from './lib.mjs';

const APP = 777001;
const STEADY_RATE = 500;

function sendRequests(w) {
  let sent = 0;
  return [{ method: 'POST', path: action('SendMessage'), setupRequest: (req) => {
    const i = sent++ % w.convs;
    return { ...req, body: `{"AppId":${APP},"ConversationShortId":${1_700_000_000_000_000_000n + BigInt(i)},"Sender":${10_000_000_000n * BigInt(i + 1) + 1n},"MsgType":10001,"Content":"{\\"text\\":\\"bench\\"}"}` };
  } }];
}

async function control(url, method, path) {
  const res = await fetch(url + path, { method });
  return res.json();
}

export async function callbackRows({ world, startProcess, bestOf, load, row, startReceiver }) {
  const w = world(1000, 10);
  const receiver = await startReceiver();
  const off = await startProcess(['--fixtures', w.file]);
  const on = await startProcess(['--fixtures', w.file, '--callback-url', receiver.url, '--callback-secret', 'bench-secret']);
  const [offRun, onRun] = await bestOf(2, [off.url, { connections: 8, requests: sendRequests(w) }], [on.url, { connections: 8, requests: sendRequests(w) }]);
  // every message the emulator with callbacks took must have reached the receiver, none dropped
  await control(on.url, 'POST', '/_mock/callbacks/flush?TimeoutMs=120000');
  const received = await receiver.count();
  const journal = await control(on.url, 'GET', '/_mock/callbacks/deliveries?Status=dropped&Limit=1');
  const failed = await control(on.url, 'GET', '/_mock/callbacks/deliveries?Status=error&Limit=1');
  const sentOn = (await control(on.url, 'GET', '/_mock/state?AppId=777001')).Conversations.reduce((n, c) => n + c.Messages.length, 0) - w.convs * w.perConv;
  const allDelivered = received === sentOn && journal.Deliveries.length === 0 && failed.Deliveries.length === 0;
  const ratio = onRun.requests.average / offRun.requests.average;
  row('SendMessage req/s, callbacks on (local receiver) vs off', `${Math.round(onRun.requests.average)} / ${Math.round(offRun.requests.average)} = ${ratio.toFixed(2)}x${allDelivered ? '' : ` (delivered ${received} of ${sentOn}!)`}`, '>= 0.8x, all delivered', ratio >= 0.8 && allDelivered);
  await Promise.all([on.stop(), off.stop()]);
  receiver.stop();

  // the receiver down: nothing listens on its port
  const dead = `http://127.0.0.1:${await freePort()}/callback`;
  const down = await startProcess(['--fixtures', w.file, '--callback-url', dead]);
  const base = await startProcess(['--fixtures', w.file]);
  const steady = (url) => [url, { connections: 4, overallRate: STEADY_RATE, requests: sendRequests(w) }];
  const [baseRun, downRun] = await bestOf(2, steady(base.url), steady(down.url));
  const pending = (await control(down.url, 'GET', '/_mock/callbacks/deliveries?Limit=1')).Pending;
  await Promise.all([down.stop(), base.stop()]);
  const p99 = downRun.latency.p99 / Math.max(baseRun.latency.p99, 1);
  const okDown = downRun.non2xx === 0 && downRun.errors === 0;
  row(`SendMessage p99 at ${STEADY_RATE}/s, receiver down vs callbacks off`, `${downRun.latency.p99} / ${baseRun.latency.p99} ms (${pending} events pending)${okDown ? '' : ' (errors!)'}`, '<= 2x', p99 <= 2 && okDown);
}
