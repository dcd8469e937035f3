// What an action file declares: the wire name, documented QPS, request and result schemas, and a handler that
// receives the validated body (int64 fields as BigInt) and returns the Result object or throws an ApiError.
import type { Static, TSchema } from '../protocol/schema.js';
import type { CallContext } from '../protocol/dispatch.js';
import type { Store } from '../store/store.js';

export interface ActionContext extends CallContext { readonly store: Store }

export interface ActionDef<B extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly name: string;
  /** documented requests per second (reference §4); 100 where none is documented */
  readonly qps: number;
  /** Limits counted in something other than calls (mock-contract §4): the tokens one call takes, from its validated
   * body (BatchSendMessage: one per receiver). The bucket then holds `burst` tokens and refills at `qps` a second.
   * Read after validation, before the handler; a refused call changes nothing. A cap that is not a per-second bucket per
   * access key (UserBroadcast's 20 calls a day per AppId) is not expressed by it: that belongs to the action. */
  readonly cost?: (body: Static<B>) => number;
  readonly burst?: number;
  readonly body: B;
  readonly result: R;
  /** Whether the action changes state (even on some calls only). Default true: an action that does not say is
   * treated as one that writes. Calls of a writing action are refused with 503 ServiceUnavailableTemp, before the
   * handler and changing nothing, while the data file cannot be written (reads go on). Read-only actions say false. */
  readonly writes?: boolean;
  handler(ctx: ActionContext, body: Static<B>): Static<R>;
}

/** The `writes` of a definition, its default applied. */
export const writesState = (def: Pick<ActionDef, 'writes'>): boolean => def.writes ?? true;

export function defineAction<B extends TSchema, R extends TSchema>(def: ActionDef<B, R>): ActionDef<B, R> {
  return def;
}
