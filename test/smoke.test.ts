import t from 'tap';
import { makeApp, call, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';

t.test('seed request answers the documented Result', async (t) => {
  const app = await makeApp(t);
  const a = await call(app, 'GetMessagesReadReceipt', { AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] });
  t.equal(a.status, 200);
  t.same(a.body.Result, { ReadReceipt: [{ MessageId: SEED_MSG, ConversationShortId: SEED_CONV, ReceiverIsRead: false, ReadUserIds: [], UnReadUserIds: [30341] }] });
});
