// The one-pass JSON parser (parseFast) against the marked-string parser it replaced on the hot path (parseMarked), on
// generated documents: valid ones written with every number form, escapes, odd keys and whitespace, and the same
// documents with one character inserted, deleted or replaced. Same verdict, same value (BigInt, InexactNumber, -0,
// key order), and parseJson throws the same message as parseMarked.
import t from 'tap';
import fc from 'fast-check';
import { parseJson, parseFast, parseMarked, stringifyJson, InexactNumber, JsonSyntaxError, MAX_DEPTH } from '../src/protocol/json.js';

const RUNS = Number(process.env.JSON_RUNS ?? 3000);

// ---- documents as text ----

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Every form of JSON number literal: short and long integers (around the 15-character bound), fractions, exponents. */
const numberLiteral = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.constantFrom('0', '-0', '-0.0', '0e0', '1E+2', '1e-2', '123456789012345', '-12345678901234', '-123456789012345',
    '1234567890123456', '9007199254740993', '9223372036854775807', '-9223372036854775808', '1.5', '1.0', '1e3',
    '12345678901234567.5', '1.00000000000000000001', '1e400', '-1e-400', '5e-324', '0.1', '100000000000000.0'),
  fc.tuple(fc.boolean(), fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(0, 22)).map(([a, b]) => a + b)),
    fc.option(digits(1, 20)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4))))
    .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`),
);

/** JSON string literals: plain, with escapes of every kind (also \u-escapes of ordinary characters), long ones. */
const stringLiteral = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.string({ minLength: 13, maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 12 }).map((s) => `"${[...s].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`),
  fc.constantFrom('"\\u0000123"', '"\\u0000"', '"\\"1.5"', '"\\/\\b\\f\\n\\r\\t\\\\"', '"\\ud800"', '"\ud800x"', '"é…😀"', '"a\\u00e9b"'),
);

/** Keys that matter: dropped ones (also spelt with escapes), array indexes, duplicates (a small pool), odd strings. */
const keyLiteral = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('"a"', '"b"', '"AppId"', '"MessageIds"', '"__proto__"', '"constructor"', '"\\u005f_proto__"',
    '"constructo\\u0072"', '"0"', '"1"', '"10"', '"toString"', '"hasOwnProperty"', '""', '"__proto"', '"prototype"') },
  { weight: 1, arbitrary: stringLiteral },
);

const valueLiteral: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberLiteral, stringLiteral, fc.constantFrom('true', 'false', 'null'),
    fc.tuple(ws, fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 5 }))
      .map(([w, items]) => `[${w}${items.map(([a, v, b]) => a + v + b).join(',')}]`),
    fc.tuple(ws, fc.array(fc.tuple(ws, keyLiteral, ws, ws, tie('value'), ws), { maxLength: 5 }))
      .map(([w, entries]) => `{${w}${entries.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`),
  ),
})).value;

const document = fc.tuple(ws, valueLiteral, ws).map(([a, v, b]) => a + v + b);

/** The same document with one character inserted, deleted or replaced (half the time next to a structural character,
 * where the grammar has most to say): mostly refused, sometimes still JSON. */
const mutated = fc.tuple(document, fc.nat(), fc.boolean(), fc.constantFrom('insert', 'delete', 'replace', 'truncate'),
  fc.constantFrom(...'{}[]:,"\\ 0123456789.eE+-tfnlrsua\u0000\u001f\ufeffx\'')).map(([text, at, structural, how, ch]) => {
  let i = at % (text.length + 1);
  if (structural) {
    const next = text.slice(i).search(/[{}[\]:,"]/);
    if (next >= 0) i += next;
  }
  if (how === 'insert') return text.slice(0, i) + ch + text.slice(i);
  if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
  if (how === 'replace') return text.slice(0, i) + ch + text.slice(i + 1);
  return text.slice(0, i);
});

/** Texts at the edges of the grammar, written by hand. */
const EDGES = [
  '{"a":1,}', '[1,]', '[,1]', '{,}', '{"a"}', '{"a":}', '{a:1}', '[1 2]', '{"a":1 "b":2}', "'a'", 'tru', 'nul', 'falsey', '-', '1.',
  '.5', '1e', '1e+', '+1', '01', '-01', '00', '0x1', 'Infinity', '-Infinity', 'NaN', '"\u0000"', '"\u0000', '"abc', '"\\"', '"\\u12"',
  '"\\u12G4"', '"\\\"', '[1]]', '{}}', '{"a":1}{', '[', ']', '{', '}', ':', ',', '', ' ', '\n', '"\t"', '"\u2028"',
  '" "', ' 1 ', '[]', '{}', '-0', '0e5', '1E-0', '-0.0e+0', '[[]]', '{"":""}', '{"a":{"b":[{}]}}', '1234567890123456.',
  '12345678901234567e', '-12345678901234567', '123456789012345678901234567890', '1e1000000', '"\\/"', 'true false', 'null,',
  '\u00a0{}', '{}\u00a0', '\v{}', '\f{}', '{"a"\n:\r1\t}',
];

// ---- comparison ----

/** Equal as values of our parsers: same types, numbers by Object.is, BigInt by value, InexactNumber by literal, objects
 * with the same prototype and the same keys in the same order. Returns the path of the first difference. */
function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a === 'number') return Object.is(a, b) ? undefined : `${path}: ${a} vs ${b}`;
  if (a === null || typeof a !== 'object' || b === null) return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different prototypes`;
  if (a instanceof InexactNumber) return a.literal === (b as InexactNumber).literal ? undefined : `${path}: ${a.literal} vs ${(b as InexactNumber).literal}`;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  if (ka.join('\u0001') !== kb.join('\u0001')) return `${path}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
  if (Object.getOwnPropertyNames(a).length !== Object.getOwnPropertyNames(b).length) return `${path}: other own properties`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

type Outcome = { ok: true; value: unknown } | { ok: false; message: string };
function outcome(parse: () => unknown): Outcome {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return { ok: false, message: err.message };
  }
}

/** The text as an ASCII string literal (test names with U+2028 and the like would break the TAP stream). */
const show = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text)
  .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Throws (for fast-check) when the parsers disagree on text. */
function agree(text: string): void {
  for (const strictNumbers of [true, false]) {
    const ref = outcome(() => parseMarked(text, { strictNumbers }));
    const fast = parseFast(text, strictNumbers);
    const whole = outcome(() => parseJson(text, { strictNumbers }));
    const mode = strictNumbers ? 'strict' : 'loose';
    if (ref.ok) {
      if (fast === undefined) throw new Error(`${mode}: parseFast refused what parseMarked accepts: ${show(text)}`);
      const d = difference(fast, ref.value);
      if (d) throw new Error(`${mode}: values differ at ${d}: ${show(text)}`);
    } else if (fast !== undefined) {
      throw new Error(`${mode}: parseFast accepted what parseMarked refuses (${ref.message}): ${show(text)}`);
    }
    if (ref.ok !== whole.ok || (!ref.ok && !whole.ok && ref.message !== whole.message)) {
      throw new Error(`${mode}: parseJson and parseMarked answer differently: ${show(text)}`);
    }
  }
}

t.test('parseFast and parseMarked agree on valid documents', async (t) => {
  let valid = 0;
  fc.assert(fc.property(document, (text) => {
    agree(text);
    try { JSON.parse(text); valid++; } catch { /* a generated literal may be refused (none is) */ }
  }), { numRuns: RUNS });
  t.equal(valid, RUNS, 'every generated document is JSON');
});

t.test('parseFast and parseMarked agree on broken documents, and parseJson words the error as before', async (t) => {
  let refused = 0;
  fc.assert(fc.property(mutated, (text) => {
    agree(text);
    try { JSON.parse(text); } catch { refused++; }
  }), { numRuns: RUNS });
  t.ok(refused > RUNS / 2, `most mutated documents are refused (${refused} of ${RUNS})`);
});

t.test('parseFast and parseMarked agree on edges of the grammar', async (t) => {
  for (const text of EDGES) t.doesNotThrow(() => agree(text), show(text));
});

t.test('parseFast and parseMarked agree at and past the nesting bound', async (t) => {
  const cases: string[] = [];
  for (const d of [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 5_000]) {
    cases.push('['.repeat(d) + ']'.repeat(d), '{"a":'.repeat(d) + '1' + '}'.repeat(d), '['.repeat(d) + '12345678901234567' + ']'.repeat(d));
    cases.push('['.repeat(d) + ']'.repeat(d - 1), `{"x":1,}${'['.repeat(d)}`, `[${'['.repeat(d)}${']'.repeat(d)},1.5]`);
  }
  for (const text of cases) t.doesNotThrow(() => agree(text), `${text.slice(0, 12)}... (${text.length} characters)`);
  t.equal(parseFast('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH), true) !== undefined, true, 'MAX_DEPTH levels are accepted');
  t.throws(() => parseJson('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1)), /nested deeper than 1000 levels at position 1000/);
});

t.test('parseFast: values as the protocol needs them', async (t) => {
  const v = parseFast('{"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977,-0,1.5]}', true) as any;
  t.same(Object.keys(v), ['AppId', 'ConversationShortId', 'MessageIds']);
  t.equal(v.AppId, 666675);
  t.equal(v.ConversationShortId, 1691070514797524328n);
  t.equal(v.MessageIds[0], 1709040620191372977n);
  t.ok(Object.is(v.MessageIds[1], -0));
  t.ok(v.MessageIds[2] instanceof InexactNumber && v.MessageIds[2].literal === '1.5');
  t.equal(parseFast('123456789012345', true), 123456789012345, '15 characters: a number');
  t.equal(parseFast('-12345678901234', true), -12345678901234);
  t.equal(parseFast('-123456789012345', true), -123456789012345n, '16 characters with the sign: a BigInt');
  t.equal(parseFast('1.5', false), 1.5, 'loose: a short fraction is a number');
  const dup = parseFast('{"a":1,"b":2,"a":3,"__proto__":{"x":1},"constructor":4,"\\u005f_proto__":5}', true) as any;
  t.same(Object.keys(dup), ['a', 'b', '__proto__', 'constructor'], 'the last duplicate wins in the place of the first; __proto__ and constructor kept as data');
  t.equal(dup.a, 3);
  t.same(Object.getOwnPropertyDescriptor(dup, '__proto__')?.value, 5, '"__proto__" (also spelt with an escape) is an own property');
  t.equal(dup.constructor, 4);
  t.equal(Object.getPrototypeOf(dup), Object.prototype);
  t.equal(({} as any).x, undefined, 'Object.prototype untouched');
  t.equal(parseFast('"\\u0000123"', true), '\u0000123');
  t.equal(parseFast('', true), undefined);
  t.equal(parseFast('{"a":1} x', true), undefined);
  t.equal(parseFast('"a\u0001"', true), undefined, 'a raw control character in a string is refused, as JSON.parse does');
  t.equal(parseFast('"\\x"', true), undefined, 'an unknown escape is refused');
  t.equal(parseFast('01', true), undefined);
  t.equal(parseFast('\ufeff{}', true), undefined, 'a byte order mark is not whitespace, as for JSON.parse');
});

t.test('stringifyJson writes what JSON.stringify writes, BigInt aside', async (t) => {
  const str = fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('\ud800', 'a\udfffb', '😀', '\u2028\u2029', '"\\/', '\u007f\u0080', 'x'.repeat(64), `${'x'.repeat(64)}"`, '\u001f', ''));
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' },
      str, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(str, tie('value'), { maxKeys: 4 })),
  })).value;
  fc.assert(fc.property(json, (v) => stringifyJson(v) === JSON.stringify(v)), { numRuns: RUNS });
  t.equal(stringifyJson({ a: 1n, b: [-9223372036854775808n], c: '\ud800' }), '{"a":1,"b":[-9223372036854775808],"c":"\\ud800"}');
});
