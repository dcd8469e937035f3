// POST /_mock/client/send: a message sent as the user's client would send it (body: SendMessage's). The server API
// never fires BeforeSendMessage (docs/6348/337135); a client's send does: the AppId's server is asked first, and a
// refusal, an error or no answer within the timeout refuses the message with code 19 BIM_SERVER_CALLBACK_DENY
// (docs/6348/293452), nothing stored. A message let through (Content and Ext as the answer rewrote them) is stored
// exactly as SendMessage stores it, and fires the after-send event. Answers in the vendor envelope, Action SendMessage.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockRuntime } from '../app.js';
import { ApiError, invalid } from '../protocol/errors.js';
import { failure, success, requestId, VERSION, SERVICE, DEFAULT_REGION, type Metadata } from '../protocol/envelope.js';
import { parseJson, stringifyJson, JsonSyntaxError } from '../protocol/json.js';
import { compileBody, ValidationError } from '../protocol/schema.js';
import { isStrUser, BlockAction, ConversationType, type Conversation, type Member } from '../store/model.js';
import type { Store } from '../store/store.js';
import { activeBlock } from '../store/live.js';
import SendMessage from '../actions/messages/SendMessage.js';
import { checkApp, refuseWhileUnwritable, requireConversation, requireMember, requireUser } from '../actions/common.js';

/** Stands for the access key of a client's send, which has none (no --credentials entry binds it to AppIds). */
const CLIENT_KEY = 'client';

/** The client SDK's BIMErrorCode for a message the app server refused; carried as CodeN so every SDK sees an error. */
export const CALLBACK_DENY = { code: 'BIM_SERVER_CALLBACK_DENY', codeN: 19, status: 400 } as const;
/** The client SDK's BIMErrorCode for a sender muted in the group (docs/6348/1263422: "用户当前组内被禁言"). */
export const BANNED_TO_POST = { code: 'BIM_SERVER_USER_BANNED_TO_POST', codeN: 14, status: 403 } as const;

export function registerClientSend(app: FastifyInstance, runtime: MockRuntime): void {
  const validator = compileBody(SendMessage.body);
  app.post('/client/send', async (req, reply) => {
    const { store, clock, random, callbacks } = runtime;
    const meta: Metadata = { RequestId: requestId(clock.now(), random), Action: SendMessage.name, Version: VERSION, Service: SERVICE, Region: DEFAULT_REGION };
    reply.header('x-request-id', meta.RequestId);
    try {
      const input = validated(validator, req.body);
      checkApp(store, input.AppId, CLIENT_KEY); // strict apps: a client of an AppId the emulator does not know cannot send either
      refuseWhileUnwritable(store); // the message would be stored: not while the data file cannot keep it
      const conv = requireConversation(store, input.AppId, input.ConversationShortId);
      const sender = requireUser('Sender', input.Sender, input.SenderStr);
      const member = requireMember(conv, sender, 'Sender');
      const repeat = input.ClientMsgId ? conv.messagesByClientId.has(input.ClientMsgId) : false;
      if (!repeat) { // (a repeated ClientMsgId answers the message already stored, as SendMessage does, muted or not)
        refuseMuted(store, conv, member);
        const data: Record<string, unknown> = {
          AppId: conv.appId, ConversationShortId: conv.shortId, ConversationType: conv.type, MsgType: input.MsgType,
          Content: input.Content, Sender: isStrUser(sender) ? 0n : sender,
        };
        if (isStrUser(sender)) data.SenderStr = sender;
        Object.assign(data, { CreateTime: input.CreateTime || store.nowMs(), Status: 0, Ext: { ...(input.Ext ?? {}) } });
        if (input.RefMsgInfo) data.RefMsgInfo = { ...input.RefMsgInfo };
        const decision = await callbacks.beforeSend(conv.appId, data, conv.shortId);
        if (!decision.allowed) throw ApiError.custom(CALLBACK_DENY.code, CALLBACK_DENY.status, `BeforeSendMessage refused the message: ${decision.reason}`, CALLBACK_DENY.codeN);
        if (decision.content !== undefined) input.Content = decision.content;
        if (decision.ext !== undefined) input.Ext = decision.ext;
        // the world may have changed while the app's server decided: SendMessage's handler checks the conversation
        // and the sender again; a mute and the data file are checked here
        const now = store.conversation(input.AppId, input.ConversationShortId); // (a reset or a state load may have replaced it)
        const still = now?.members.get(sender);
        if (now && still) refuseMuted(store, now, still);
        refuseWhileUnwritable(store);
      }
      const result = SendMessage.handler({ requestId: meta.RequestId, accessKeyId: CLIENT_KEY, store }, input);
      return send(reply, 200, success(meta, result));
    } catch (err) {
      const e = err instanceof ApiError ? err : (req.log.error({ err }, 'client send failed'), new ApiError('InternalError'));
      return send(reply, e.status, failure(meta, e.code, e.message, e.codeN));
    }
  });
}

/** A client cannot post while muted (the server API can: mock-contract §10): a member whose BlockTime (mute-until,
 * seconds; BatchModifyConversationParticipant, fixtures) is still ahead, in any conversation, or, in a live group, one
 * with a mute block in force. */
function refuseMuted(store: Store, conv: Conversation, member: Member): void {
  const own = member.blockTime > store.nowSeconds() ? member.blockTime : undefined;
  const live = conv.type === ConversationType.LiveGroup ? activeBlock(store, conv, BlockAction.Mute, member.userId)?.blockTime : undefined;
  if (own === undefined && live === undefined) return;
  // the later end: 0 (a live mute until removed) outlasts any time
  const until = live === 0n || own === undefined ? live! : live === undefined || own > live ? own : live;
  throw ApiError.custom(BANNED_TO_POST.code, BANNED_TO_POST.status,
    `Sender ${member.userId} is muted in conversation ${conv.shortId} ${until === 0n ? 'until the mute is removed' : `until ${until} (seconds)`}`, BANNED_TO_POST.codeN);
}

function validated<T>(validator: { parse(v: unknown): T }, raw: unknown): T {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') throw new ApiError('InvalidParameter.BodyIsEmpty');
  let body: unknown;
  try {
    body = parseJson(text, { strictNumbers: true });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ApiError('InvalidParameter.Unmarshal', e.message);
    throw e;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('InvalidParameter.Unmarshal', 'the body must be a JSON object');
  try {
    return validator.parse(body);
  } catch (e) {
    if (e instanceof ValidationError) throw invalid(e.message);
    throw e;
  }
}

function send(reply: FastifyReply, status: number, payload: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(stringifyJson(payload));
}
