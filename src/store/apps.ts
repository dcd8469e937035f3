// Apps (mock-contract §5): every AppId is its own namespace. Strict apps (--apps, or an Apps list in the fixtures)
// make any other AppId answer InvalidParameter.NotExistAppId; a credential bound to AppIds (--credentials
// AK:SK:1+2) may call those only. Each AppId has an AppKey: the fixture's, or one derived from the AppId and the seed.
import { createHmac } from 'node:crypto';
import { appToDoc, appKeyBytes, type App } from './extras.js';
import type { Emit } from './users.js';

export class Apps {
  private readonly byId = new Map<number, App>();
  /** --apps: AppIds allowed besides the documents' Apps (empty = none given) */
  private configured = new Set<number>();
  /** access key id -> the AppIds it may call */
  private bindings = new Map<string, ReadonlySet<number>>();

  constructor(private readonly emit: Emit, private readonly seed: bigint) {}

  configure(opts: { apps?: readonly number[]; bindings?: ReadonlyMap<string, ReadonlySet<number>> }): void {
    this.configured = new Set(opts.apps ?? []);
    this.bindings = new Map(opts.bindings ?? []);
  }

  get(appId: number): App | undefined { return this.byId.get(appId); }

  *all(appId?: number): Iterable<App> {
    if (appId !== undefined) { const a = this.byId.get(appId); if (a) yield a; return; }
    yield* [...this.byId.values()].sort((a, b) => a.appId - b.appId);
  }

  /** True when only listed AppIds are served. */
  get strict(): boolean { return this.configured.size > 0 || this.byId.size > 0; }

  /** The AppIds served in strict mode, ascending. */
  listed(): number[] { return [...new Set([...this.configured, ...this.byId.keys()])].sort((a, b) => a - b); }

  /** Why appId may not be called with this access key: undefined when it may. */
  refusal(appId: number, accessKeyId: string): 'NotExistAppId' | 'NoPermissionForApp' | undefined {
    if (this.strict && !this.configured.has(appId) && !this.byId.has(appId)) return 'NotExistAppId';
    const bound = this.bindings.get(accessKeyId);
    if (bound && !bound.has(appId)) return 'NoPermissionForApp';
    return undefined;
  }

  /** The AppKey (base64) and whether the fixtures gave it. */
  appKey(appId: number): { appKey: string; derived: boolean } {
    const given = this.byId.get(appId)?.appKey;
    if (given !== undefined) return { appKey: given, derived: false };
    const key = createHmac('sha256', `volc-im-mock appkey ${this.seed}`).update(String(appId)).digest();
    return { appKey: key.toString('base64'), derived: true };
  }

  appKeyBytes(appId: number): Buffer { return appKeyBytes(this.appKey(appId).appKey)!; }

  put(a: App): void {
    this.byId.set(a.appId, a);
    this.emit('Apps', appToDoc(a));
  }

  /** The Apps of a whole document (appId undefined), or of one AppId's part of one. One AppId's part without an App
   * record keeps the record there was: an AppId listed by strict apps stays listed (and keeps its AppKey), as the
   * whole world's strictness does not turn off because one AppId was replaced. */
  replace(apps: App[], appId?: number): void {
    if (appId === undefined) this.byId.clear();
    else if (apps.some((a) => a.appId === appId)) this.byId.delete(appId);
    for (const a of apps) if (appId === undefined || a.appId === appId) this.byId.set(a.appId, a);
  }
}
