// The page to look at the world (issue 8): GET /_mock/ui and its data route, then the page itself in headless Chromium.
import t, { type Test } from 'tap';
import http from 'node:http';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { makeApp, call, ok, snapshot, SEED_APP, SEED_CONV, SEED_MSG, GROUP_CONV, SEED_MSG_INDEX } from './helpers.js';
import { parseJson, stringifyJson } from '../src/protocol/json.js';

const CHROMIUM = '/usr/bin/chromium';

async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, text: res.body, headers: res.headers, body: res.headers['content-type']?.toString().startsWith('application/json') ? parseJson(res.body) as any : undefined };
}

const u = (id: bigint | number) => id.toString();

/** A live group and a group with string users and 25 messages, in AppId 777. */
function uiDoc() {
  const many = Array.from({ length: 25 }, (_, i) => ({
    MessageId: 1800000000000000001n + BigInt(i), SenderStr: 'alice', MsgType: 10001, Content: `m${i + 1}`, IndexInConversation: BigInt(i + 1),
  }));
  return {
    Conversations: [
      { AppId: 777, ConversationShortId: 1800000000000000100n, ConversationType: 100, OwnerUserId: 1, Name: 'live',
        Participants: [{ ParticipantUserId: 1, Role: 1, ReadIndex: 0 }],
        Messages: [{ MessageId: 1800000000000000200n, Sender: 1, MsgType: 10001, Content: 'on air', IndexInConversation: 1 }] },
      { AppId: 777, ConversationShortId: 1800000000000000300n, ConversationType: 2, OwnerUserIdStr: 'alice', Name: 'strings',
        Participants: [{ ParticipantUserIdStr: 'alice', Role: 1, ReadIndex: 25 }, { ParticipantUserIdStr: '7', ReadIndex: 24 }, { ParticipantUserId: 7, ReadIndex: 0 }],
        Messages: many },
      { AppId: 777, ConversationShortId: 1800000000000000400n, ConversationType: 2, OwnerUserId: 1, Status: 1,
        Participants: [{ ParticipantUserId: 1, Role: 1, ReadIndex: 2 }, { ParticipantUserId: 2, ReadIndex: 0 }],
        Messages: [
          { MessageId: 1800000000000000500n, Sender: 1, MsgType: 10001, Content: 'gone', IndexInConversation: 1, Status: 3 },
          { MessageId: 1800000000000000501n, Sender: 1, MsgType: 10001, Content: 'hidden', IndexInConversation: 2, DeleteType: 1 },
        ] },
    ],
  };
}

t.test('GET /_mock/ui/data: ids as exact strings, read receipts exactly as GetMessagesReadReceipt answers them', async (t) => {
  const app = await makeApp(t);
  const a = await get(app, '/_mock/ui/data');
  t.equal(a.status, 200);
  t.match(a.text, `"MessageId":"${SEED_MSG}"`, 'a MessageId is a JSON string, so the page never rounds it');
  t.same(a.body.AppIds, [SEED_APP]);
  t.equal(a.body.AppId, SEED_APP, 'the first AppId when none is asked for');
  t.same(a.body.Conversations.map((c: any) => c.ConversationShortId), [u(SEED_CONV), u(GROUP_CONV)]);
  const one = a.body.Conversations[0];
  t.match(one, { ConversationType: 1, OwnerUserId: '30340', Status: 0, MemberCount: 2, MessageCount: 1, ReceiptError: null });
  t.same(one.Members, [{ UserId: '30340', Role: 0, ReadIndex: String(SEED_MSG_INDEX), Marks: [] }, { UserId: '30341', Role: 0, ReadIndex: '0', Marks: [] }]);
  t.same(one.Messages[0], {
    MessageId: u(SEED_MSG), Sender: '30340', IndexInConversation: String(SEED_MSG_INDEX), MsgType: 10001, Content: '{"text":"hello"}', Status: 0,
    Deleted: null, ReadUserIds: [], UnReadUserIds: ['30341'],
  }, 'user 30341 has not read the seed message');

  // the group: every message's readers equal the action's answer
  const group = a.body.Conversations[1];
  t.equal(group.Name, 'Demo group');
  const ids = group.Messages.map((m: any) => BigInt(m.MessageId));
  const rr = await ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, MessageIds: ids });
  t.same(group.Messages.map((m: any) => [m.MessageId, m.ReadUserIds, m.UnReadUserIds]),
    rr.ReadReceipt.map((r: any) => [u(r.MessageId), r.ReadUserIds.map(u), r.UnReadUserIds.map(u)]));
  t.same(group.Messages[1].UnReadUserIds, ['30342', '30343'], 'concrete: message 2 unread by 30342 and 30343');

  // reading moves the page's answer too
  await ok(t, app, 'ModifyParticipantReadIndex', { AppId: SEED_APP, ConversationShortId: SEED_CONV, ParticipantUserId: 30341, ReadIndex: SEED_MSG_INDEX });
  const after = (await get(app, '/_mock/ui/data')).body.Conversations[0];
  t.same([after.Members[1], after.Messages[0].ReadUserIds, after.Messages[0].UnReadUserIds], [{ UserId: '30341', Role: 0, ReadIndex: String(SEED_MSG_INDEX), Marks: [] }, ['30341'], []]);
});

t.test('GET /_mock/ui/data: AppId selector, pages of conversations, newest 20 messages, string users, live groups', async (t) => {
  const app = await makeApp(t, { fixtureDoc: uiDoc() });
  for (let i = 0; i < 3; i++) await ok(t, app, 'CreateConversation', { AppId: 888, OwnerUserId: 5, ConversationCoreInfo: { ConversationType: 2, Name: `g${i}` } });
  t.same((await get(app, '/_mock/ui/data')).body.AppIds, [777, 888], 'every AppId, ascending');
  const p1 = (await get(app, '/_mock/ui/data?AppId=888&Limit=2')).body;
  t.same([p1.Conversations.map((c: any) => c.Name), p1.HasMore, p1.Offset], [['g0', 'g1'], true, 0]);
  const p2 = (await get(app, '/_mock/ui/data?AppId=888&Limit=2&Offset=2')).body;
  t.same([p2.Conversations.map((c: any) => c.Name), p2.HasMore], [['g2'], false]);
  t.same((await get(app, '/_mock/ui/data?AppId=999')).body.Conversations, [], 'an unknown AppId is an empty page');

  const [live, strs, dissolved] = (await get(app, '/_mock/ui/data?AppId=777')).body.Conversations;
  t.match(dissolved, { Status: 1, ReceiptError: 'GetMessagesReadReceipt answers InvalidParameter.NotExistConversation' }, 'a dissolved conversation is still shown');
  t.same(dissolved.Messages.map((m: any) => [m.Status, m.Deleted]), [[3, null], [0, 'for all but the sender']]);
  t.equal(live.ReceiptError, 'GetMessagesReadReceipt answers InvalidParameter.UnsupportedConversationType');
  t.same([live.Messages[0].ReadUserIds, live.Messages[0].UnReadUserIds], [null, null], 'no receipts where the action gives none');
  t.equal(strs.OwnerUserId, '"alice"', 'a string user is shown JSON-quoted');
  t.same(strs.Members.map((m: any) => m.UserId), ['7', '"7"', '"alice"'], 'numeric ids first, and 7 is not "7"');
  t.same([strs.MessageCount, strs.Messages.length, strs.Messages[0].Content, strs.Messages[19].Content], [25, 20, 'm6', 'm25'], 'the newest 20');
  t.same([strs.Messages[19].ReadUserIds, strs.Messages[19].UnReadUserIds], [[], ['7', '"7"']]);
  t.same([strs.Messages[18].ReadUserIds, strs.Messages[18].UnReadUserIds], [['"7"'], ['7']]);
});

t.test('GET /_mock/ui/data is read-only, strict about its query and never journaled', async (t) => {
  const app = await makeApp(t);
  const before = snapshot(app);
  for (const q of ['Limit=0', 'Limit=101', 'Offset=-1', 'AppId=0', 'appid=1', 'AppId=1&AppId=2']) {
    const a = await get(app, `/_mock/ui/data?${q}`);
    t.equal(a.status, 400, `?${q} -> 400`);
    t.equal(a.body.Error.Code, 'InvalidParameter');
  }
  t.equal((await get(app, '/_mock/ui?nope=1')).status, 400, 'the page refuses unknown parameters too');
  await get(app, '/_mock/ui/data');
  t.equal(snapshot(app), before, 'nothing changed');
  t.equal(app.mock.journal.size, 0, 'control routes are not journaled');
});

t.test('GET /_mock/ui is one self-contained page; with --admin-token it and its data need the token', async (t) => {
  const app = await makeApp(t, { adminToken: 's3cret' });
  t.equal((await get(app, '/_mock/ui')).status, 401, 'the page without the token -> 401');
  t.equal((await get(app, '/_mock/ui?token=wrong')).status, 401, 'the page with a wrong ?token= -> 401');
  t.equal((await get(app, '/_mock/ui', { authorization: 'Bearer s3cret' })).status, 200, 'the page with the Bearer header');
  t.equal((await get(app, '/_mock/ui/data?token=s3cret')).status, 401, '?token= opens the page only, not its data');
  const page = await get(app, '/_mock/ui?token=s3cret');
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers['content-security-policy'], /default-src 'none'/, 'nothing but itself');
  t.notMatch(page.text, /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\//, 'no external assets');
  t.match(page.text, 'Authorization'.toLowerCase(), 'its fetches carry a Bearer header');
  for (const auth of [undefined, 'Bearer wrong']) {
    const a = await get(app, '/_mock/ui/data', auth ? { authorization: auth } : {});
    t.equal(a.status, 401, `data with ${auth ?? 'no token'} -> 401`);
  }
  t.equal((await get(app, '/_mock/ui/data', { authorization: 'Bearer s3cret' })).status, 200);
  t.equal((await get(app, '/_mock/ui/', {})).status, 401, 'nothing else is open');
});

// ---- the page in a real browser ----

const missing = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian: apt-get install -y chromium); the browser tests are skipped`;
let context: BrowserContext | undefined;
let profile: string | undefined;

async function browser(): Promise<BrowserContext> {
  if (context) return context;
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'volc-im-mock-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return context;
}
t.teardown(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The app listening on 127.0.0.1:0 and a page on it, both closed when the test ends. */
async function openPage(t: Test, app: FastifyInstance, path: string): Promise<Page> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const page = await (await browser()).newPage();
  page.setDefaultTimeout(30_000);
  t.teardown(() => page.close());
  page.on('pageerror', (e) => t.fail(`script error on the page: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}${path}`);
  return page;
}

/** Waits until the page has drawn at least n answers (it polls: the count keeps growing while it is live). */
const loads = (page: Page, n: number) => page.waitForFunction((n) => Number(document.body.getAttribute('data-loaded') || 0) >= n, n);
const loaded = (page: Page) => page.evaluate(() => Number(document.body.getAttribute('data-loaded') || 0));
const cell = (page: Page, conv: bigint, msg: bigint, cls: string) =>
  page.locator(`section[data-conv="${conv}"] tr[data-msg="${msg}"] td.${cls}`).textContent();

t.test('in Chromium: the seed world, exact ids, who has not read what', { skip: missing }, async (t) => {
  const app = await makeApp(t);
  const page = await openPage(t, app, '/_mock/ui');
  await loads(page, 1);
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'msgid'), '1709040620191372977', 'the MessageId exactly (JSON.parse would show 1709040620191373000)');
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'unreaders'), '30341', 'user 30341 has NOT read it');
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'readers'), '', 'nobody else has');
  t.equal(await cell(page, GROUP_CONV, 1709040730191372002n, 'readers'), '30340');
  t.equal(await cell(page, GROUP_CONV, 1709040730191372002n, 'unreaders'), '30342, 30343');
  t.match(await page.locator(`section[data-conv="${GROUP_CONV}"] h3`).textContent(), `group “Demo group” ${GROUP_CONV}`);
  t.equal(await page.locator(`section[data-conv="${GROUP_CONV}"] tr[data-user="30343"] td:nth-child(3)`).textContent(), '0', 'read positions');
  t.equal(await page.locator('#appid').inputValue(), String(SEED_APP));
  t.equal(await page.locator('#journal').textContent(), 'No requests yet.');

  // the page's int64-safe parse, where the journal's bodies go through it
  t.same(await page.evaluate(() => {
    const w = window as any;
    const v = w.parseExact('{"a":1709040620191372977,"b":"1709040620191372977x","c":-9223372036854775808,"d":1.2345678901234567891,"e":12,"f":"q\\"1709040620191372977"}');
    return [w.idText(v.a), v.b, w.idText(v.c), typeof v.d, v.e, v.f, w.showJson(v)];
  }), ['1709040620191372977', '1709040620191372977x', '-9223372036854775808', 'number', 12, 'q"1709040620191372977',
    '{"a":1709040620191372977,"b":"1709040620191372977x","c":-9223372036854775808,"d":1.2345678901234567,"e":12,"f":"q\\"1709040620191372977"}']);
});

t.test('in Chromium: live, a conversation created through the API and its request appear without a reload', { skip: missing }, async (t) => {
  const app = await makeApp(t);
  const page = await openPage(t, app, '/_mock/ui');
  await loads(page, 1);
  t.ok(await page.locator('#live').isChecked(), 'live is on by default');
  await page.evaluate(() => { (window as any).sameDocument = true; });
  const created = await call(app, 'CreateConversation', { AppId: SEED_APP, OwnerUserId: 30340, ConversationCoreInfo: { ConversationType: 2, Name: 'from the API' } });
  t.equal(created.status, 200);
  const shortId: bigint = created.body.Result.ConversationShortId;
  t.ok(shortId > 2n ** 53n, `a generated id above 2^53: ${shortId}`);
  const html = '<img src=x onerror="document.title=1">';
  const sent = await ok(t, app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: shortId, Sender: 30340, MsgType: 10001, Content: html });
  await ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });

  await page.waitForSelector(`section[data-conv="${shortId}"] tr[data-msg="${sent.MessageId}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#journal tr.request').length === 3);
  t.equal(await page.evaluate(() => (window as any).sameDocument), true, 'arrived without a reload');
  t.match(await page.locator(`section[data-conv="${shortId}"] h3`).textContent(), `group “from the API” ${shortId}`, 'the exact id');
  t.equal(await cell(page, shortId, sent.MessageId, 'content'), html, 'content is shown as text');
  t.equal(await page.locator('#convs img').count(), 0, 'never as markup');
  const rows = page.locator('#journal tr.request');
  const newest = rows.first();
  t.equal(await newest.getAttribute('data-request'), (await app.inject({ url: '/_mock/requests?Limit=1' }).then((r) => parseJson(r.body) as any)).Requests[0].RequestId);
  t.match(await newest.textContent(), 'GetMessagesReadReceipt');
  t.match(await newest.locator('td.body .preview').textContent(), `"ConversationShortId":${SEED_CONV}`, 'the body preview keeps int64 exact');
  t.equal(await newest.locator('pre.pretty').count(), 0, 'bodies are shown pretty on demand only');
  await newest.locator('td.body button').click();
  t.equal(await newest.locator('pre.pretty').textContent(),
    `{\n  "AppId": ${SEED_APP},\n  "ConversationShortId": ${SEED_CONV},\n  "MessageIds": [\n    ${SEED_MSG}\n  ]\n}`, 'pretty and int64-exact');
  t.equal(await rows.nth(2).getAttribute('data-request'), created.body.ResponseMetadata.RequestId, 'the CreateConversation call, with its RequestId');

  // the Body column takes the room (the RequestId moved into the details)
  const [bodyBox, tableBox] = [await newest.locator('td.body').boundingBox(), await page.locator('#journal table').boundingBox()];
  t.ok(bodyBox!.width > tableBox!.width * 0.4, `the Body column is ${Math.round(bodyBox!.width)} of ${Math.round(tableBox!.width)} px`);
  await ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  await page.waitForFunction(() => document.querySelectorAll('#journal tr.request').length === 4);
  t.equal(await page.locator('#journal pre.pretty').count(), 1, 'an opened body stays open across live updates');
  await shoot(t, page, 1280);
});

/** A screenshot at this width (kept in the temp dir when KEEP_UI_SCREENSHOT is set, to look at). */
async function shoot(t: Test, page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  const shot = join(process.env.KEEP_UI_SCREENSHOT ? tmpdir() : mkdtempSync(join(tmpdir(), 'volc-ui-')), `volc-im-mock-ui-${width}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  t.ok(statSync(shot).size > 10_000, `a screenshot at ${width} px: ${shot}`);
  if (!process.env.KEEP_UI_SCREENSHOT) rmSync(shot);
}

t.test('in Chromium: filters (AppId, Action, errors only) and the pause toggle', { skip: missing }, async (t) => {
  const app = await makeApp(t);
  for (const body of [
    { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] },
    { AppId: 999, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] }, // another AppId, an error
  ]) await call(app, 'GetMessagesReadReceipt', body);
  await call(app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 1, MsgType: 1, Content: 'x' }); // an error
  await ok(t, app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 30340, MsgType: 1, Content: 'y' });
  const page = await openPage(t, app, '/_mock/ui');
  await loads(page, 1);
  const appIds = () => page.locator('#journal tr.request td:nth-child(3)').allTextContents();
  t.same(await appIds(), [String(SEED_APP), String(SEED_APP), String(SEED_APP)], 'requests of the selected AppId only');
  await page.fill('#action', 'SendMessage');
  await page.dispatchEvent('#action', 'change');
  await page.waitForFunction(() => document.querySelectorAll('#journal tr.request').length === 2);
  t.same(await page.locator('#journal tr.request td:nth-child(2)').allTextContents(), ['SendMessage', 'SendMessage'], 'Action filter');
  await page.check('#errors');
  await page.waitForFunction(() => document.querySelectorAll('#journal tr.request').length === 1);
  t.match(await page.locator('#journal tr.request td:nth-child(5)').textContent(), /^InvalidParameter/, 'errors only: the failed SendMessage');
  t.not(await page.locator('#journal tr.request td:nth-child(4)').textContent(), '200', 'the one left is an error');

  // paused: no fetch under way and none scheduled; Refresh still fetches; live again: the next answer comes in
  await page.uncheck('#live');
  await page.waitForFunction(() => !(window as any).inFlight);
  t.equal(await page.evaluate(() => (window as any).timer), null, 'paused: no poll scheduled');
  const before = await loaded(page);
  await ok(t, app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 30340, MsgType: 1, Content: 'z' });
  await page.click('#refresh');
  await loads(page, before + 1);
  t.equal(await page.evaluate(() => (window as any).timer), null, 'a Refresh while paused schedules nothing');
  await page.check('#live');
  await page.uncheck('#errors');
  await page.waitForFunction(() => document.querySelectorAll('#journal tr.request').length === 3);
  await loads(page, before + 3);
  t.not(await page.evaluate(() => (window as any).timer), null, 'live again: polling');
  t.pass('live again: the new SendMessage is listed');
});

t.test('in Chromium: usable at 420 px; a vanished server is shown as such', { skip: missing }, async (t) => {
  const app = await makeApp(t);
  await ok(t, app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  const page = await openPage(t, app, '/_mock/ui');
  await page.setViewportSize({ width: 420, height: 900 });
  await loads(page, 1);
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 420), `no sideways scrolling of the page (${await page.evaluate(() => document.documentElement.scrollWidth)} px)`);
  const row = page.locator('#journal tr.request').first();
  const box = await row.boundingBox();
  t.ok(box!.x >= 0 && box!.x + box!.width <= 420, 'a request fits the width');
  await row.locator('td.body button').click();
  t.match(await row.locator('pre.pretty').textContent(), `"ConversationShortId": ${SEED_CONV}`);
  await shoot(t, page, 420);

  await page.setViewportSize({ width: 420, height: 900 });
  await app.close();
  await page.waitForSelector('body.offline #offline');
  const banner = await page.locator('#offline').textContent();
  t.match(banner, /is not answering/, `the banner says the server is gone: ${banner}`);
  t.match(banner, /may be out of date/, 'and that what is shown is stale');
  t.ok(await page.locator('#offline').isVisible(), 'visibly');
  if (process.env.KEEP_UI_SCREENSHOT) await page.screenshot({ path: join(tmpdir(), 'volc-im-mock-ui-offline.png'), fullPage: true });
});

t.test('in Chromium: with --admin-token the page opens as /_mock/ui?token=T', { skip: missing }, async (t) => {
  const app = await makeApp(t, { adminToken: 's3cret' });
  const page = await openPage(t, app, '/_mock/ui?token=s3cret');
  await loads(page, 1);
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'unreaders'), '30341');
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'msgid'), '1709040620191372977');
  await page.reload();
  await loads(page, 1);
  t.equal(await cell(page, SEED_CONV, SEED_MSG, 'msgid'), '1709040620191372977', 'a reload keeps working');
});

// ---- the state gained with users, relations, presence, live groups and callbacks ----

async function control(t: Test, app: FastifyInstance, method: 'PUT' | 'GET', url: string, body?: unknown) {
  const res = await app.inject({ method, url, headers: body === undefined ? {} : { 'content-type': 'application/json' }, payload: body === undefined ? undefined : stringifyJson(body) });
  t.equal(res.statusCode, 200, `${method} ${url}`);
  return parseJson(res.body) as any;
}

/** A live group of SEED_APP: owner 1, manager 2 (marks vip, red), members 3 and 4; 3 muted until BlockTime, 4 banned
 * until removed, 5 whitelisted, the conversation marked hot. */
async function liveGroup(t: Test, app: FastifyInstance) {
  const id = BigInt((await ok(t, app, 'CreateConversation', { AppId: SEED_APP, OwnerUserId: 1, ConversationCoreInfo: { ConversationType: 100, Name: 'stage' } })).ConversationShortId);
  const base = { AppId: SEED_APP, ConversationShortId: id };
  await ok(t, app, 'BatchAddConversationParticipant', { ...base, Operator: 1, ParticipantInfos: [2, 3, 4, 5].map((u) => ({ ParticipantUserId: u })) });
  await ok(t, app, 'BatchAddManager', { ...base, Operator: 1, ManagerUserIds: [2] });
  await ok(t, app, 'BatchUpdateLiveParticipants', { ...base, ParticipantInfos: [{ UserId: 2, NickName: 'two', AvatarUrl: 'https://a/2.png', Marks: ['vip', 'red'] }] });
  await ok(t, app, 'BatchAddBlockParticipants', { ...base, BlockAction: 0, ParticipantBlockInfos: { 3: 3600 } });
  await ok(t, app, 'BatchAddBlockParticipants', { ...base, BlockAction: 1, ParticipantBlockInfos: { 4: 0 } });
  await ok(t, app, 'BatchAddWhitelistParticipant', { ...base, Operator: 1, ParticipantUserIds: [5] });
  await ok(t, app, 'MarkConversation', { ...base, MarkTypes: ['hot'] });
  return id;
}

t.test('GET /_mock/ui/data: a live group carries its blocks in force, whitelist, marks and members\' marks', async (t) => {
  const app = await makeApp(t);
  const id = await liveGroup(t, app);
  const [block3] = (await ok(t, app, 'BatchGetBlockParticipants', { AppId: SEED_APP, ConversationShortId: id, BlockAction: 0, Cursor: 0, Limit: 20 })).Participants;
  const live = (await get(app, '/_mock/ui/data')).body.Conversations.find((c: any) => c.ConversationShortId === u(id));
  t.same(live.Live, {
    Muted: { Count: 1, Shown: [{ UserId: '3', BlockTime: String(block3.BlockTime) }] },
    Banned: { Count: 1, Shown: [{ UserId: '4', BlockTime: '0' }] },
    Whitelist: { Count: 1, Shown: [{ UserId: '5', Operator: '1' }] },
    MarkTypes: ['hot'],
  });
  t.same(live.Members.map((m: any) => [m.UserId, m.Role, m.Marks]), [['1', 1, []], ['2', 2, ['vip', 'red']], ['3', 0, []], ['5', 0, []]], 'the banned member is gone');
  t.equal((await get(app, '/_mock/ui/data')).body.Conversations[0].Live, null, 'other conversations have no Live');
  // the mute ends by the mock clock: no longer shown
  await app.inject({ method: 'POST', url: '/_mock/clock', payload: { AdvanceMs: 3_600_000 } });
  const after = (await get(app, '/_mock/ui/data')).body.Conversations.find((c: any) => c.ConversationShortId === u(id));
  t.same([after.Live.Muted, after.Live.Banned.Count], [{ Count: 0, Shown: [] }, 1], 'an ended mute is not listed');
  // AppIds with users only are selectable
  await ok(t, app, 'RegisterUsers', { AppId: 4242, Users: [{ UserId: 1, NickName: 'x' }] });
  t.same((await get(app, '/_mock/ui/data')).body.AppIds, [4242, SEED_APP], 'an AppId with users but no conversations');
});

/** A receiver on 127.0.0.1:0: answers 200 CheckCode "0" to the first `okCount` events, 500 after that. */
async function receiver(t: Test, okCount: number) {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (n <= okCount) res.writeHead(200, { 'content-type': 'application/json' }).end('{"CheckCode":"0"}');
      else res.writeHead(500).end('no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/im/callback`;
}

const BIG_USER = 9007199254740993n; // 2^53 + 1: JSON.parse would show 9007199254740992

t.test('in Chromium: users, friends, blacklists, presence, a live group\'s moderation and callback deliveries', { skip: missing }, async (t) => {
  const app = await makeApp(t);
  const page = await openPage(t, app, '/_mock/ui');
  await loads(page, 1);
  for (const id of ['users', 'friends', 'blacklists', 'presence']) t.equal(await page.locator(`#${id}`).textContent(), 'none', `${id}: none yet`);
  t.match(await page.locator('#deliveries').textContent(), 'No deliveries yet');
  await page.evaluate(() => { (window as any).sameDocument = true; });

  await ok(t, app, 'RegisterUsers', { AppId: SEED_APP, Users: [{ UserId: 10001, NickName: 'Ann', Tags: ['level:1', 'vip'] }, { UserId: BIG_USER, NickName: 'Big' }] });
  await ok(t, app, 'RegisterUsers', { AppId: 4242, Users: [{ UserId: 777, NickName: 'elsewhere' }] });
  await ok(t, app, 'AddFriend', { AppId: SEED_APP, UserId: 10001, FriendUserIds: [BIG_USER] });
  await ok(t, app, 'AddBlackList', { AppId: SEED_APP, UserId: BIG_USER, BlackListInfos: [{ BlackListUserId: 10001 }] });
  await control(t, app, 'PUT', '/_mock/presence', { AppId: SEED_APP, UserId: 10001, Connections: [{ ConnId: 'c1', Platform: 'web' }, { ConnId: 'c2', Platform: 'ios' }] });
  const liveId = await liveGroup(t, app);
  const url = await receiver(t, 1);
  await control(t, app, 'PUT', '/_mock/callbacks', { AppId: SEED_APP, Url: url, SecretKey: 'k', Events: ['SendMessage'] });
  await ok(t, app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: SEED_CONV, Sender: 30340, MsgType: 10001, Content: '{"text":"one"}' });
  await ok(t, app, 'SendMessage', { AppId: SEED_APP, ConversationShortId: GROUP_CONV, Sender: 30340, MsgType: 10001, Content: '{"text":"two"}' });
  await app.inject({ method: 'POST', url: '/_mock/callbacks/flush' });
  const deliveries = (await control(t, app, 'GET', `/_mock/callbacks/deliveries?AppId=${SEED_APP}`)).Deliveries;
  t.same(deliveries.map((d: any) => d.Status), ['ok', 'error', 'error', 'error'], 'one ok, one failing thrice');

  // all of it arrives while the page is live
  await page.waitForSelector(`#users tr[data-user="${BIG_USER}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#deliveries tr.delivery').length === 4);
  t.equal(await page.evaluate(() => (window as any).sameDocument), true, 'arrived without a reload');
  const rowText = (sel: string) => page.locator(sel).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
  t.same((await rowText('#users tbody tr')).map((r) => r.slice(0, 3)), [['10001', 'Ann', 'level:1, vip'], [String(BIG_USER), 'Big', '']], 'users, ids exact, the other AppId not shown');
  t.match((await rowText('#users tbody tr'))[0][3], /^2026-01-01 00:00:00/, 'CreateTime by the mock clock');
  t.same(await rowText('#friends tbody tr'), [['10001', String(BIG_USER), '', '0'], [String(BIG_USER), '10001', '', '0']], 'both sides of the friendship');
  t.same(await rowText('#blacklists tbody tr'), [[String(BIG_USER), '10001', '0']]);
  t.same(await rowText('#presence tbody tr'), [['10001', '2', 'web, ios']], 'online with 2 connections');

  const live = page.locator(`section[data-conv="${liveId}"]`);
  t.equal(await live.locator('.managers').textContent(), 'managers: 2');
  t.match(await live.locator('.mutes .block[data-user="3"]').textContent(), /^3 until 2026-01-01 01:00:00Z$/, 'muted until, by the mock clock');
  t.equal(await live.locator('.bans').textContent(), 'banned: 4 until removed');
  t.equal(await live.locator('.whitelist').textContent(), 'whitelist: 5');
  t.equal(await live.locator('.convmarks').textContent(), 'marks: hot');
  t.equal(await live.locator('tr[data-user="2"] td.marks').textContent(), 'vip, red', 'a member\'s marks');
  t.equal(await page.locator(`section[data-conv="${SEED_CONV}"] .live`).count(), 0, 'no live block on a one-to-one conversation');

  const rows = page.locator('#deliveries tr.delivery');
  t.same((await rowText('#deliveries tr.delivery')).map((r) => [r[1], r[3], r[4], r[5]]),
    [['SendMessage', '3', '500', url], ['SendMessage', '2', '500', url], ['SendMessage', '1', '500', url], ['SendMessage', '1', '200', url]], 'newest first');
  t.match(await rows.first().locator('td.status').textContent(), /^\u2716 error/, 'an error is marked');
  t.equal(await rows.first().getAttribute('class'), 'delivery failed');
  t.equal(await rows.last().locator('td.status').textContent(), 'ok');
  t.equal(await rows.last().getAttribute('class'), 'delivery');
  t.equal(await rows.last().locator('pre.pretty').count(), 0, 'bodies on demand only');
  await rows.last().locator('td.body button').click();
  t.match(await rows.last().locator('pre.pretty').first().textContent(), '"EventType": "SendMessage"');
  t.match(await rows.last().locator('pre.eventdata').textContent(), `"ConversationShortId": ${SEED_CONV}`, 'EventData parsed, int64 exact');
  await page.setViewportSize({ width: 1280, height: 900 });
  await shoot(t, page, 1280);
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(50);
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 420), `420 px: no sideways scrolling of the page (${await page.evaluate(() => document.documentElement.scrollWidth)} px)`);
  const card = await rows.first().boundingBox();
  t.ok(card!.x >= 0 && card!.x + card!.width <= 420, 'a delivery fits the width as a card');
  await shoot(t, page, 420);
  if (process.env.KEEP_UI_SCREENSHOT) {
    for (const [name, sel] of [['live', `section[data-conv="${liveId}"]`], ['users', '#users'], ['deliveries', '#deliveries']]) {
      await page.locator(sel).screenshot({ path: join(tmpdir(), `volc-im-mock-ui-420-${name}.png`) });
    }
  }
});

t.test('in Chromium: tables are bounded at 100 rows and say how many more', { skip: missing }, async (t) => {
  // an AppId with users only (selectable all the same), 205 of them
  const app = await makeApp(t, { fixtureDoc: { Conversations: [], Users: Array.from({ length: 205 }, (_, i) => ({ AppId: 5, UserId: 20000 + i })) } });
  const page = await openPage(t, app, '/_mock/ui');
  await loads(page, 1);
  t.equal(await page.locator('#appid').inputValue(), '5');
  t.equal(await page.locator('#users tbody tr').count(), 100, 'the first 100');
  t.equal(await page.locator('#users .more').textContent(), 'first 100 of 205 shown, 105 more');
});
