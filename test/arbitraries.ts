// One generic schema -> fast-check arbitrary, for every action's TypeBox body schema (test/property.test.ts).
// Our field types are marked in the schema: 'x-int64' (+ 'x-minimum' as a decimal string), 'x-int32'
// (+ 'x-minimum'/'x-maximum'), strings, booleans, Record maps (patternProperties), arrays (minItems/maxItems),
// objects (required), anyOf (Nullable). Valid values aim at a small real world (existing AppId, conversation,
// message and user ids) so handlers do real work; invalid bodies are a valid body with one schema-aware mutation.
import fc from 'fast-check';

/** A literal written into the JSON text as is (2^63, floats, deep nesting, broken syntax). */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text with BigInt exact, Raw verbatim, own keys only (so a "__proto__" own key is written too). */
export function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${toJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** An own property, even for "__proto__". */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The ids of the world the generated requests aim at. */
export interface World {
  appIds: number[];
  conversationIds: bigint[];
  messageIds: bigint[];
  userIds: bigint[];
  userStrs: string[];
  maxIndex: number;
}

type Schema = Record<string, any>;
const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

/** Odd strings: empty, NUL, lone surrogates, astral, RTL, long. */
export const ODD_STRINGS = ['', '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\ud83d\ude00', '\u202e\u200d', '\ufeff', '%s%n', '../../etc/passwd', 'x'.repeat(2000)];

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
);

/** Biased towards the world's ids; sometimes anything in range. */
function pick<T>(known: T[], other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: other });
}

function int64Arb(key: string, s: Schema, w: World): fc.Arbitrary<bigint | number> {
  const min = s['x-minimum'] === undefined ? I64_MIN : BigInt(s['x-minimum']);
  const any = fc.bigInt({ min, max: I64_MAX });
  const small = (lo: number, hi: number) => fc.integer({ min: Math.max(lo, Number(min)), max: hi });
  const withZero = <T>(a: fc.Arbitrary<T>) => (min <= 0n ? fc.oneof({ weight: 9, arbitrary: a }, { weight: 1, arbitrary: fc.constant(0n as T) }) : a);
  if (/ConversationShortId/.test(key)) return pick(w.conversationIds, any);
  if (/MessageId/.test(key)) return pick(w.messageIds, any);
  if (/User|Sender|Operator|Receiver|Owner/.test(key)) return withZero(pick(w.userIds, any));
  if (/Index|Cursor/.test(key)) return fc.oneof({ weight: 9, arbitrary: small(0, w.maxIndex + 2) }, { weight: 1, arbitrary: any });
  if (/Limit/.test(key)) return fc.oneof({ weight: 9, arbitrary: small(-1, 60) }, { weight: 1, arbitrary: any });
  if (/Time/.test(key)) return fc.oneof(small(0, 2_000_000_000_000), any);
  if (/Role/.test(key)) return fc.oneof(small(-1, 3), any);
  return any;
}

function int32Arb(key: string, s: Schema, w: World): fc.Arbitrary<number> {
  const min: number = s['x-minimum'];
  const max: number = s['x-maximum'];
  const any = fc.integer({ min, max });
  if (key === 'AppId') return pick(w.appIds, any);
  if (key === 'ConversationType') return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(1, 2, 100) }, { weight: 2, arbitrary: any });
  return fc.oneof(fc.integer({ min: Math.max(min, -2), max: Math.min(max, 5) }), any);
}

function stringArb(key: string, w: World): fc.Arbitrary<string> {
  if (/Str$/.test(key)) return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...w.userStrs, '') }, { weight: 4, arbitrary: oddString });
  if (key === 'IdempotentId' || key === 'ClientMsgId') return fc.oneof(fc.constantFrom('k1', 'k2', ''), oddString);
  if (key === 'Content') return fc.oneof(oddString.map((text) => JSON.stringify({ text })), oddString);
  return oddString;
}

/** A value the schema accepts. `key` is the property (or the array's property) it sits under. */
export function validArb(s: Schema, w: World, key = ''): fc.Arbitrary<unknown> {
  if (s['x-int64']) return int64Arb(key, s, w);
  if (s['x-int32']) return int32Arb(key, s, w);
  if (Array.isArray(s.anyOf)) {
    return fc.oneof(...s.anyOf.map((b: Schema) => ({ weight: b.type === 'null' ? 1 : 6, arbitrary: validArb(b, w, key) })));
  }
  switch (s.type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'string': return stringArb(key, w);
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? Infinity, minLength + 4);
      return fc.array(validArb(s.items, w, key), { minLength, maxLength });
    }
    case 'object': {
      if (s.patternProperties) {
        const value = Object.values(s.patternProperties)[0] as Schema;
        return fc.dictionary(oddString, validArb(value, w, key), { maxKeys: 3 });
      }
      const props = s.properties as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, validArb(p, w, k)]));
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
  }
  throw new Error(`no arbitrary for schema ${JSON.stringify(s)}`);
}

// ---- invalid values ----

const TWO_63 = 2n ** 63n;
/** Nesting the parser refuses (MAX_DEPTH is 1000 levels): a body is a 400, never a stack overflow. */
const TOO_DEEP = [1_001, 5_000, 100_000];
const nested = (depths: number[]) => ({
  array: fc.constantFrom(...depths).map((d) => new Raw('['.repeat(d) + ']'.repeat(d))),
  object: fc.constantFrom(...depths).map((d) => new Raw('{"a":'.repeat(d) + '1' + '}'.repeat(d))),
});
const { array: deepArray, object: deepObject } = nested(TOO_DEEP);
/** Nesting the parser accepts (an unknown key may hold it): it must still cost nothing but time. */
const { array: nestedArray, object: nestedObject } = nested([50, 900]);

/** A value no branch of the schema accepts (a deep nesting is accepted by no field of ours). */
export function wrongArb(s: Schema): fc.Arbitrary<unknown> {
  const branches: Schema[] = Array.isArray(s.anyOf) ? s.anyOf.filter((b: Schema) => b.type !== 'null') : [s];
  const nullable = Array.isArray(s.anyOf) && s.anyOf.some((b: Schema) => b.type === 'null');
  const t = branches[0];
  const options: unknown[] = [];
  if (!nullable) options.push(null);
  if (t['x-int64']) {
    const min = t['x-minimum'] === undefined ? I64_MIN : BigInt(t['x-minimum']);
    options.push('1', 1.5, -0.5, TWO_63, I64_MIN - 1n, 2n ** 64n, new Raw('1e300'), new Raw('12345678901234567.5'), new Raw('-1.0e-7'), true, {}, [1]);
    if (min > I64_MIN) options.push(min - 1n, new Raw((min - 1n).toString()));
  } else if (t['x-int32']) {
    options.push(t['x-minimum'] - 1, t['x-maximum'] + 1, TWO_63, I64_MIN - 1n, 2 ** 53 + 2, 1.5, '1', true, {}, [1], new Raw('1e400'));
  } else if (t.type === 'string') {
    options.push(1, 0, true, {}, [], ['a'], TWO_63);
  } else if (t.type === 'boolean') {
    options.push(0, 1, 'true', '', {}, []);
  } else if (t.type === 'object' && t.patternProperties) {
    // a map of int64 (BatchAddBlockParticipants' seconds) takes { k: 1 }; a map of strings takes { k: 'x' }
    const int64Values = (Object.values(t.patternProperties)[0] as Schema)?.['x-int64'];
    options.push('x', 1, [], true, int64Values ? { k: 'x' } : { k: 1 }, { k: null }, { k: { v: 'x' } }, { k: ['x'] });
  } else if (t.type === 'object') {
    options.push('x', 1, [], true);
  } else if (t.type === 'array') {
    options.push('x', 1, {}, true, [null], [{}]);
  }
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...options) }, { weight: 1, arbitrary: deepArray }, { weight: 1, arbitrary: deepObject });
}

/** Where a mutation can go: a property or array item path, its schema, and whether it and its ancestors are required. */
interface Site { path: (string | number)[]; schema: Schema; alwaysPresent: boolean; requiredHere: boolean }

function sitesOf(s: Schema, path: (string | number)[] = [], present = true): Site[] {
  const out: Site[] = [];
  const inner: Schema = Array.isArray(s.anyOf) ? s.anyOf.find((b: Schema) => b.type !== 'null') : s;
  if (inner?.type === 'object' && inner.properties) {
    for (const [k, p] of Object.entries(inner.properties as Record<string, Schema>)) {
      const req = (inner.required ?? []).includes(k) && present && !Array.isArray(s.anyOf);
      out.push({ path: [...path, k], schema: p, alwaysPresent: req, requiredHere: (inner.required ?? []).includes(k) });
      out.push(...sitesOf(p, [...path, k], req));
    }
  }
  if (inner?.type === 'array') {
    out.push({ path: [...path, 0], schema: inner.items, alwaysPresent: false, requiredHere: false });
    out.push(...sitesOf(inner.items, [...path, 0], false));
  }
  return out;
}

/** Sets a value at a path, creating containers on the way (a created parent stays invalid: it lacks its own fields). */
function setAt(body: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: any = body;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    const want = typeof path[i + 1] === 'number' ? [] : {};
    if (cur[k] === null || typeof cur[k] !== 'object' || Array.isArray(cur[k]) !== Array.isArray(want)) cur[k] = want;
    cur = cur[k];
  }
  cur[path[path.length - 1]] = value;
}

function removeAt(body: Record<string, unknown>, path: (string | number)[]): void {
  let cur: any = body;
  for (const k of path.slice(0, -1)) cur = cur[k];
  delete cur[path[path.length - 1]];
}

const clone = (v: unknown): any => {
  if (Array.isArray(v)) return v.map(clone);
  if (v !== null && typeof v === 'object' && !(v instanceof Raw)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(o, k, clone((v as any)[k]));
    return o;
  }
  return v;
};

/** Whole-text invalid bodies: not JSON, or JSON that is not an object. */
const BAD_TEXT = [
  '[]', '"AppId"', '1', 'null', 'true', '{', '{"AppId":}', '{"AppId":00001}', '{"AppId":1,}', "{'AppId':1}", '{"AppId":NaN}',
  '\ufeff{"AppId":1}', '{"AppId":1}{"AppId":2}', '{"AppId":1', '\u0000', '{"AppId":"\\ud800"', '{"a":"\\u00"}',
];

export type Mutation = { kind: string; body?: unknown; text?: string };

/** A valid body with one mutation that makes it invalid for the schema. */
export function invalidArb(s: Schema, w: World): fc.Arbitrary<Mutation> {
  const sites = sitesOf(s);
  const removable = sites.filter((x) => x.alwaysPresent);
  const arrays = sites.filter((x) => x.schema.type === 'array' || (Array.isArray(x.schema.anyOf) && x.schema.anyOf.some((b: Schema) => b.type === 'array')));
  const bounded = arrays.map((x) => ({ ...x, arr: (x.schema.anyOf?.find((b: Schema) => b.type === 'array') ?? x.schema) as Schema }))
    .filter((x) => x.arr.maxItems !== undefined || (x.arr.minItems ?? 0) > 0);
  const valid = validArb(s, w) as fc.Arbitrary<Record<string, unknown>>;
  const kinds: fc.Arbitrary<Mutation>[] = [
    fc.tuple(valid, fc.constantFrom(...sites)).chain(([body, site]) => wrongArb(site.schema).map((v) => {
      const b = clone(body);
      setAt(b, site.path, v);
      return { kind: `wrong ${site.path.join('.')}`, body: b };
    })),
    fc.constantFrom(...BAD_TEXT).map((text) => ({ kind: 'bad text', text })),
    valid.map((body) => ({ kind: 'truncated', text: toJson(body).slice(0, -1) })),
  ];
  if (removable.length) {
    kinds.push(fc.tuple(valid, fc.constantFrom(...removable)).map(([body, site]) => {
      const b = clone(body);
      removeAt(b, site.path);
      return { kind: `missing ${site.path.join('.')}`, body: b };
    }));
  }
  if (bounded.length) {
    kinds.push(fc.tuple(valid, fc.constantFrom(...bounded), fc.integer({ min: 1, max: 2000 })).map(([body, site, extra]) => {
      const b = clone(body);
      const items = site.arr.maxItems !== undefined ? site.arr.maxItems + extra : 0;
      // the items themselves are valid ids/strings: only the count is wrong
      const item = site.arr.items['x-int64'] ? 1n : site.arr.items.type === 'string' ? 'a' : {};
      setAt(b, site.path, site.arr.maxItems !== undefined ? new Array(items).fill(item) : []);
      return { kind: `count ${site.path.join('.')}`, body: b };
    }));
  }
  return fc.oneof(...kinds);
}

/** Top-level keys the schema does not know, including prototype names. The mock ignores them, as the vendor's Go
 * decoder does (clients send fields the mock does not model); they must change nothing else. */
export function extrasArb(s: Schema): fc.Arbitrary<[string, unknown][]> {
  const known = new Set(Object.keys(s.properties ?? {}));
  return fc.array(fc.tuple(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'Extra'), fc.string({ maxLength: 6 }))
      .filter((k) => !known.has(k)),
    fc.oneof(fc.constant({ polluted: true }), fc.constant('x'), fc.constant(1), fc.constant(null), fc.constant([{ polluted: 1 }]), nestedArray, nestedObject),
  ), { maxLength: 2 });
}

/** body + extra keys, as own properties (a "__proto__" key included). */
export function withExtras(body: unknown, extras: [string, unknown][]): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = clone(body);
  for (const [k, v] of extras) setOwn(b, k, v);
  return b;
}
