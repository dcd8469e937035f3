// TypeBox building blocks for the vendor's field types, and the compiled validator + int64 normaliser.
// Scalars are refinements with our own messages, so a failure reads "MessageIds[3]: must be a positive int64".
import Type, { type TSchema, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** True for an integer in int64 range, given as a JS number (short literal) or a BigInt (long literal). */
export function isInt64(v: unknown): boolean {
  if (typeof v === 'bigint') return v >= I64_MIN && v <= I64_MAX;
  return typeof v === 'number' && Number.isInteger(v) && v >= -9223372036854775808 && v < 9223372036854775808;
}

const INT64 = 'x-int64';

/** int64 (ids, indexes, cursors, timestamps): accepted as number or BigInt, handed to handlers as BigInt. */
export function Int64(opts: { min?: bigint; description?: string } = {}) {
  const min = opts.min;
  const rule = min === undefined ? 'must be an int64 integer' : min === 1n ? 'must be a positive int64 integer' : `must be an int64 integer >= ${min}`;
  // metadata only (x- keys): the refinement does the checking, so BigInt values pass
  const base = Type.Unsafe<bigint>({ [INT64]: true, 'x-minimum': min?.toString(), description: opts.description });
  return Type.Refine(base, (v: unknown) => isInt64(v) && (min === undefined || BigInt(v as number) >= min), () => rule);
}

/** A user, conversation or message id: a positive int64. */
export const Id = (description?: string) => Int64({ min: 1n, description });

/** int32 with bounds (AppId, enums, MsgType). */
export function Int32(opts: { min?: number; max?: number; description?: string } = {}) {
  const min = opts.min ?? -2147483648;
  const max = opts.max ?? INT32_MAX;
  const base = Type.Unsafe<number>({ 'x-int32': true, 'x-minimum': min, 'x-maximum': max, description: opts.description });
  return Type.Refine(base, (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
    () => `must be an int32 integer from ${min} to ${max}`);
}

/** The largest AppId (int32). */
export const INT32_MAX = 2147483647;
export const AppId = () => Int32({ min: 1, max: INT32_MAX, description: 'application id' });
export const Str = (opts: { maxLength?: number; description?: string } = {}) => Type.String(opts);
export const Bool = (description?: string) => Type.Boolean({ description });
/** map<string,string> (Ext). */
export const StrMap = (description?: string) => Type.Record(Type.String(), Type.String(), { description });
export const List = <T extends TSchema>(items: T, opts: { minItems?: number; maxItems?: number; description?: string } = {}) =>
  Type.Array(items, opts);
export const Obj = Type.Object;
export const Opt = Type.Optional;
/** Also accepts JSON null, which Go clients send for nil slices and maps (reference §1.5); handlers read null as absent. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export { Type };
export type { Static, TSchema };

// ---- normaliser: int64 fields become BigInt after validation, so handlers and the store see one type ----

type Normalise = (v: unknown) => unknown;

function isInt64Schema(s: TSchema): boolean {
  return (s as Record<string, unknown>)[INT64] === true;
}

function normaliserFor(schema: TSchema): Normalise | undefined {
  const s = schema as Record<string, any>;
  if (isInt64Schema(schema)) return (v) => (typeof v === 'bigint' ? v : BigInt(v as number));
  if (s.type === 'array' && s.items) {
    const inner = normaliserFor(s.items);
    return inner && ((v) => {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = inner(v[i]);
      return v;
    });
  }
  if (s.type === 'object' && s.properties) {
    const fields = Object.entries(s.properties as Record<string, TSchema>)
      .map(([k, p]) => [k, normaliserFor(p)] as const)
      .filter((e): e is readonly [string, Normalise] => e[1] !== undefined);
    if (fields.length === 0) return undefined;
    return (v) => {
      if (v === null || typeof v !== 'object') return v;
      const o = v as Record<string, unknown>;
      for (const [k, f] of fields) if (o[k] !== undefined && o[k] !== null) o[k] = f(o[k]);
      return o;
    };
  }
  if (Array.isArray(s.anyOf)) {
    const alts = (s.anyOf as TSchema[]).map(normaliserFor).filter((f): f is Normalise => f !== undefined);
    if (alts.length === 1) return alts[0];
  }
  return undefined;
}

export interface BodyValidator<T> {
  /** Validates and normalises in place; returns the typed body or throws a message naming the field and rule. */
  parse(value: unknown): T;
}

export class ValidationError extends Error {}

/** "/MessageIds/3" -> "MessageIds[3]", "/Info/Name" -> "Info.Name". */
function fieldName(path: string): string {
  return path.split('/').slice(1).reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** The sub-schema a "#/properties/M/items" error path points at. */
function schemaAt(root: TSchema, path: string | undefined): Record<string, any> | undefined {
  let s: any = root;
  for (const part of (path ?? '#').split('/').slice(1)) s = s?.[part];
  return s;
}

function describe(err: { instancePath: string; schemaPath?: string; keyword: string; message: string; params: Record<string, any> }, root: TSchema): string {
  if (err.keyword === 'required') {
    const missing: string[] = err.params.requiredProperties ?? [];
    const base = fieldName(err.instancePath);
    return missing.map((m) => `${base ? base + '.' : ''}${m}: is required`).join('; ');
  }
  if (err.keyword === 'minItems' || err.keyword === 'maxItems') {
    const s = schemaAt(root, err.schemaPath);
    if (typeof s?.minItems === 'number' && typeof s?.maxItems === 'number') {
      return `${fieldName(err.instancePath)}: must have ${s.minItems} to ${s.maxItems} items`;
    }
    return `${fieldName(err.instancePath)}: ${err.keyword === 'minItems' ? 'must have at least' : 'must have at most'} ${err.params.limit} items`;
  }
  const field = fieldName(err.instancePath) || 'body';
  return `${field}: ${err.message}`;
}

/** Values of at most this many nodes have their first error found by typebox's error walk (its messages, as they
 * always were); in larger ones, arrays and maps are searched here with compiled checks, so the cost of a refused body
 * is a few passes of compiled code over it, never typebox's error walk over all of it (524k MessageIds: 1.2 s). */
const SMALL_VALUE = 256;

type Checker = { Check(v: unknown): boolean; Errors(v: unknown): unknown[] };
const checkers = new WeakMap<object, Checker>();
const checkerOf = (s: TSchema): Checker => {
  let c = checkers.get(s);
  if (!c) checkers.set(s, (c = Compile(s) as unknown as Checker));
  return c;
};

/** True when value has at most `budget` nodes (stops counting past it). */
function smallValue(value: unknown, budget = { left: SMALL_VALUE }): boolean {
  if (--budget.left < 0) return false;
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    if (value.length > budget.left) return false;
    for (const v of value) if (!smallValue(v, budget)) return false;
    return true;
  }
  for (const k in value) if (!smallValue((value as Record<string, unknown>)[k], budget)) return false;
  return true;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const kindOf = (s: Record<string, any>): string | undefined => (s.type === 'array' ? 'array' : s.type === 'object' ? 'object' : s.type === 'null' ? 'null' : undefined);

function typeboxError(schema: TSchema, value: unknown, path: string): string {
  const errors = checkerOf(schema).Errors(value) as any[];
  // the first error names the field; a union's per-branch noise is skipped
  const first = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  return first ? describe({ ...first, instancePath: path + first.instancePath }, schema) : `${fieldName(path) || 'body'}: does not match the schema`;
}

/** The message of the first error in a value Check refused; path is the JSON pointer of value in the body. */
function firstError(schema: TSchema, value: unknown, path: string): string {
  const s = schema as Record<string, any>;
  const kind = Array.isArray(value) ? 'array' : isObject(value) ? 'object' : undefined;
  // a small value, or one whose kind the schema does not take (typebox refuses it at the top, walking nothing)
  if (smallValue(value) || (!Array.isArray(s.anyOf) && kindOf(s) !== kind)) return typeboxError(schema, value, path);
  if (Array.isArray(s.anyOf)) {
    const branches = (s.anyOf as TSchema[]).filter((b) => kindOf(b) === kind);
    if (branches.length === 1) return firstError(branches[0], value, path);
  } else if (s.type === 'array' && Array.isArray(value)) {
    if ((typeof s.minItems === 'number' && value.length < s.minItems) || (typeof s.maxItems === 'number' && value.length > s.maxItems)) {
      const keyword = value.length < s.minItems ? 'minItems' : 'maxItems';
      return describe({ keyword, instancePath: path, schemaPath: '#', message: '', params: { limit: s[keyword] } }, schema);
    }
    const items = checkerOf(s.items);
    for (let i = 0; i < value.length; i++) if (!items.Check(value[i])) return firstError(s.items, value[i], `${path}/${i}`);
  } else if (s.type === 'object' && isObject(value)) {
    const missing = ((s.required ?? []) as string[]).filter((k) => !Object.hasOwn(value, k));
    if (missing.length) return describe({ keyword: 'required', instancePath: path, message: '', params: { requiredProperties: missing } }, schema);
    for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, TSchema>)) {
      if (Object.hasOwn(value, k) && !checkerOf(p).Check(value[k])) return firstError(p, value[k], `${path}/${k}`);
    }
    for (const p of Object.values((s.patternProperties ?? {}) as Record<string, TSchema>)) {
      const c = checkerOf(p);
      for (const k of Object.keys(value)) if (!c.Check(value[k])) return firstError(p, value[k], `${path}/${k}`);
    }
  }
  return `${fieldName(path) || 'body'}: does not match the schema`;
}

/** An array reachable from the root through object properties (or a union) that is longer than its maxItems: its
 * message. Checked before the compiled check, which reads every item of an array before its length. */
function oversize(schema: TSchema, value: unknown, path: string): string | undefined {
  const s = schema as Record<string, any>;
  if (Array.isArray(s.anyOf)) {
    for (const b of s.anyOf as TSchema[]) {
      const m = oversize(b, value, path);
      if (m) return m;
    }
  } else if (s.type === 'array' && Array.isArray(value) && typeof s.maxItems === 'number' && value.length > s.maxItems) {
    return describe({ keyword: 'maxItems', instancePath: path, schemaPath: '#', message: '', params: { limit: s.maxItems } }, schema);
  } else if (s.type === 'object' && s.properties && isObject(value)) {
    for (const [k, p] of Object.entries(s.properties as Record<string, TSchema>)) {
      const m = Object.hasOwn(value, k) ? oversize(p, value[k], `${path}/${k}`) : undefined;
      if (m) return m;
    }
  }
  return undefined;
}

/** A validator compiled on first use, so start-up does not pay for actions nobody calls. */
export function compileBody<S extends TSchema>(schema: S): BodyValidator<Static<S>> {
  let normalise: Normalise | undefined;
  return {
    parse(value) {
      normalise ??= normaliserFor(schema) ?? ((v: unknown) => v);
      const tooLong = oversize(schema, value, '');
      if (tooLong) throw new ValidationError(tooLong);
      if (!checkerOf(schema).Check(value)) throw new ValidationError(firstError(schema, value, ''));
      return normalise(value) as Static<S>;
    },
  };
}
