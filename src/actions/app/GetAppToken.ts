// GetAppToken (docs/6348/1208779): a client login token for (AppId, UserId or UserIdStr, ExpireTime ms), the AppId's
// AppKey encryption of the three (token.ts). Deterministic for the same inputs; POST /_mock/tokens/verify reads it back.
import { Obj, Opt, Str, Int64, AppId } from '../../protocol/schema.js';
import { invalid } from '../../protocol/errors.js';
import { defineAction } from '../action.js';
import { requireUser } from '../common.js';
import { mintToken, MAX_USER_ID_STR_BYTES } from './token.js';

export default defineAction({
  name: 'GetAppToken',
  qps: 50,
  writes: false,
  body: Obj({
    AppId: AppId(),
    UserId: Int64({ min: 0n, description: 'the user (0 when UserIdStr is given)' }),
    UserIdStr: Opt(Str()),
    ExpireTime: Int64({ min: 1n, description: 'expiry, Unix time in ms' }),
  }),
  result: Obj({ AppId: AppId(), UserId: Int64({ min: 0n }), UserIdStr: Opt(Str()), Token: Str() }),
  handler({ store }, body) {
    const user = requireUser('UserId', body.UserId, body.UserIdStr);
    if (typeof user === 'string' && Buffer.byteLength(user) > MAX_USER_ID_STR_BYTES) throw invalid(`UserIdStr: must be at most ${MAX_USER_ID_STR_BYTES} bytes`);
    const Token = mintToken(store.applications.appKeyBytes(body.AppId), { appId: body.AppId, user, expireTime: body.ExpireTime });
    return typeof user === 'string' ? { AppId: body.AppId, UserId: 0n, UserIdStr: user, Token } : { AppId: body.AppId, UserId: user, Token };
  },
});
