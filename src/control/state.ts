// The world as a fixture document (mock-contract §7): GET/PUT /_mock/state and POST /_mock/reset.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import { worldFromFixtureText, conversationToFixture, FixtureError, type World } from '../store/fixtures.js';
import { JsonSyntaxError } from '../protocol/json.js';
import { initialConversations } from '../store/load.js';
import { Callbacks } from '../callbacks/index.js';
import { CallbackConfigError } from '../callbacks/config.js';
import { extrasToDoc, noExtras, EXTRA_KINDS } from '../store/extras.js';
import type { Store } from '../store/store.js';
import { DEFAULT_FIXTURES } from '../config.js';
import { ControlError, badRequest, queryOf, intQuery, sendJson, refuseWhileUnwritable, APPID_MAX } from './http.js';

/** The fixtures the app was built with, read again (never the data file): fresh objects for a fresh world. */
async function fixtureWorld(runtime: MockRuntime): Promise<World> {
  const { fixtures, fixtureDoc } = runtime.options;
  try {
    const { conversations, extras } = await initialConversations({ fixtures: fixtures ?? DEFAULT_FIXTURES, fixtureDoc, index: runtime.store.indexMode }, runtime.clock.now());
    return { conversations, extras };
  } catch (e) {
    throw new ControlError(500, 'InternalError', `the fixtures cannot be loaded again: ${(e as Error).message}`);
  }
}

/** Back to the fixtures (or empty), with journal, faults, rate buckets, the seeded generator and the clock; or one AppId only. */
export async function reset(runtime: MockRuntime, to: 'fixtures' | 'empty', appId?: number): Promise<number> {
  // a frozen or moved clock does not outlive the scenario (contract §8): back to real time before the fixtures are
  // read again, so messages they leave undated are dated by the real clock, as on a fresh start
  if (appId === undefined) runtime.clock.useRealTime();
  // an empty world keeps its Apps (AppKeys, callbacks, strict apps): they are the apps' settings, not their data
  const { conversations, extras } = to === 'empty'
    ? { conversations: [], extras: { ...noExtras(), apps: [...runtime.store.applications.all(appId)] } }
    : await fixtureWorld(runtime);
  runtime.store.replace(conversations, appId, false, extras);
  runtime.store.broadcasts.clear(appId);
  runtime.callbacks.reset(appId); // configuration as started, queue and delivery journal emptied
  runtime.callbacks.applyApps(runtime.store.applications.all(appId)); // and the apps' own (Apps[].Callback)
  if (appId === undefined) {
    runtime.journal.remove();
    runtime.faults.reset();
    runtime.rateLimiter.clear();
    runtime.random.reset(); // the same requests after a reset give the same ids (--seed)
  } else {
    // rate buckets are per (Action, access key), not per AppId: they stay
    runtime.journal.remove((r) => r.appId === appId);
    runtime.faults.clear(appId);
  }
  return [...runtime.store.conversations(appId)].length;
}

export function registerStateRoutes(app: FastifyInstance, runtime: MockRuntime): void {
  app.post('/reset', async (req, reply) => {
    const q = queryOf(req, ['To', 'AppId']);
    const to = q.To ?? 'fixtures';
    if (to !== 'fixtures' && to !== 'empty') throw badRequest(`?To=${to}: must be fixtures or empty`);
    const appId = intQuery(q, 'AppId', 1, APPID_MAX);
    refuseWhileUnwritable(runtime.store.persistenceFailure());
    return sendJson(reply, 200, { ConversationCount: await reset(runtime, to, appId) });
  });

  app.get('/state', async (req, reply) => {
    const query = queryOf(req, ['AppId', 'Conversations']);
    const appId = intQuery(query, 'AppId', 1, APPID_MAX);
    // ?Conversations=0: the users, relations, presence and apps only (what the page polls), without every message
    const withConversations = intQuery(query, 'Conversations', 0, 1) !== 0;
    return sendJson(reply, 200, stateDocument(runtime.store, appId, withConversations));
  });

  app.put('/state', async (req, reply) => {
    const appId = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    let world: World;
    // read exactly as the data file is read (the same parser and rules): what is imported can be loaded back
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    if (text.trim() === '') throw badRequest('body: a JSON body is required');
    try {
      world = worldFromFixtureText(text, runtime.clock.now(), undefined, runtime.store.indexMode);
    } catch (e) {
      if (e instanceof FixtureError) throw badRequest(`state document: ${e.message}`);
      if (e instanceof JsonSyntaxError) throw badRequest(`body: not valid JSON: ${e.message}`);
      throw e;
    }
    const { conversations, extras } = world;
    const stray = appId === undefined ? undefined : conversations.findIndex((c) => c.appId !== appId);
    if (stray !== undefined && stray >= 0) throw badRequest(`Conversations[${stray}].AppId: must be ${appId} (?AppId=${appId} replaces that AppId only)`);
    if (appId !== undefined) {
      const lists = extrasToDoc(extras);
      for (const kind of EXTRA_KINDS) {
        const i = lists[kind].findIndex((r) => r.AppId !== appId);
        if (i >= 0) throw badRequest(`${kind}[${i}].AppId: must be ${appId} (?AppId=${appId} replaces that AppId only)`);
      }
    }
    try {
      Callbacks.checkApps(extras.apps);
    } catch (e) {
      if (e instanceof CallbackConfigError) throw badRequest(`state document: ${e.message}`);
      throw e;
    }
    refuseWhileUnwritable(runtime.store.persistenceFailure());
    runtime.store.replace(conversations, appId, false, extras);
    runtime.callbacks.registry.reset(appId); // the imported Apps' callbacks replace the previous ones, not add to them
    runtime.callbacks.applyApps(extras.apps);
    return sendJson(reply, 200, { ConversationCount: conversations.length });
  });
}

/** The state as a fixture document (mock-contract §7): conversations, then the other kinds' lists. The page reads
 * users, friends and blacklists of one AppId from GET /_mock/state?AppId=N. */
export function stateDocument(store: Store, appId?: number, withConversations = true): Record<string, unknown> {
  const doc: Record<string, unknown> = withConversations ? { Conversations: [...store.conversations(appId)].map(conversationToFixture) } : {};
  for (const [kind, rows] of Object.entries(extrasToDoc(store.extras(appId)))) if (rows.length) doc[kind] = rows;
  return doc;
}
