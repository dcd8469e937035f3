// The world as a fixture document (mock-contract §7): GET/PUT /_mock/state and POST /_mock/reset.
import type { FastifyInstance } from 'fastify';
import type { MockRuntime } from '../app.js';
import { conversationsFromFixtureText, conversationToFixture, FixtureError } from '../store/fixtures.js';
import { JsonSyntaxError } from '../protocol/json.js';
import { initialConversations } from '../store/load.js';
import type { Conversation } from '../store/model.js';
import { DEFAULT_FIXTURES } from '../config.js';
import { ControlError, badRequest, queryOf, intQuery, sendJson, refuseWhileUnwritable, APPID_MAX } from './http.js';

/** The fixtures the app was built with, read again (never the data file): fresh objects for a fresh world. */
async function fixtureConversations(runtime: MockRuntime): Promise<Conversation[]> {
  const { fixtures, fixtureDoc } = runtime.options;
  try {
    const { conversations } = await initialConversations({ fixtures: fixtures ?? DEFAULT_FIXTURES, fixtureDoc }, runtime.clock.now());
    return conversations;
  } catch (e) {
    throw new ControlError(500, 'InternalError', `the fixtures cannot be loaded again: ${(e as Error).message}`);
  }
}

/** Back to the fixtures (or empty), with journal, faults, rate buckets and the seeded generator; or one AppId only. */
export async function reset(runtime: MockRuntime, to: 'fixtures' | 'empty', appId?: number): Promise<number> {
  const conversations = to === 'empty' ? [] : await fixtureConversations(runtime);
  runtime.store.replace(conversations, appId);
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
    const appId = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    return sendJson(reply, 200, { Conversations: [...runtime.store.conversations(appId)].map(conversationToFixture) });
  });

  app.put('/state', async (req, reply) => {
    const appId = intQuery(queryOf(req, ['AppId']), 'AppId', 1, APPID_MAX);
    let conversations: Conversation[];
    // read exactly as the data file is read (the same parser and rules): what is imported can be loaded back
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    if (text.trim() === '') throw badRequest('body: a JSON body is required');
    try {
      conversations = conversationsFromFixtureText(text, runtime.clock.now());
    } catch (e) {
      if (e instanceof FixtureError) throw badRequest(`state document: ${e.message}`);
      if (e instanceof JsonSyntaxError) throw badRequest(`body: not valid JSON: ${e.message}`);
      throw e;
    }
    const stray = appId === undefined ? undefined : conversations.findIndex((c) => c.appId !== appId);
    if (stray !== undefined && stray >= 0) throw badRequest(`Conversations[${stray}].AppId: must be ${appId} (?AppId=${appId} replaces that AppId only)`);
    refuseWhileUnwritable(runtime.store.persistenceFailure());
    runtime.store.replace(conversations, appId);
    return sendJson(reply, 200, { ConversationCount: conversations.length });
  });
}
