// int64-exact JSON. Number literals longer than 15 characters are exact BigInts in, BigInt is written as a plain
// integer out. Parsing is one pass of a small recursive-descent parser; a text it refuses goes to the older parser
// that rides on JSON.parse (long number literals swapped for marked strings, turned back afterwards), which words the
// error as JSON.parse does. json-bigint is the fallback of that parser, and of the writer where a marker could be
// ambiguous.
// With `strictNumbers` (vendor request bodies, fixture and data files: none has a float field) a literal with a
// fraction or an exponent (1.5, 1.0, 1e3) is marked too, whatever its length: the vendor's Go decoder refuses all three
// for int64 fields, so it becomes an InexactNumber, which no integer field accepts.
import { randomBytes } from 'node:crypto';
import JSONbig from 'json-bigint';

const native = JSONbig({ useNativeBigInt: true, protoAction: 'ignore', constructorAction: 'ignore' });
// BigNumber mode never throws on long floats; used only to locate the offending field on the error path.
const lenient = JSONbig({ protoAction: 'ignore', constructorAction: 'ignore' });

export class JsonSyntaxError extends Error {}

const MARK = '\u0000';
// parsing marks with a per-process nonce as well, so a client's own "\u0000…" string is never taken for a mark
const NONCE = `${randomBytes(6).toString('hex')}:`;
const PARSE_MARK = MARK + NONCE;
const ESCAPED_PARSE_MARK = `\\u0000${NONCE}`;

/** Deepest nesting of arrays and objects accepted. Our documents are a few levels deep; the bound keeps every
 * recursive walk of a parsed value (revive, json-bigint, JSON.stringify of the journal: ~5000 levels overflow
 * the stack) far from the stack limit, so a hostile body is a 400, never a crash. */
export const MAX_DEPTH = 1000;

/** Longest integer literal made a BigInt: int64's extremes have 19 digits, 20 characters with the sign. A longer one
 * can never be an int64, so it is kept as an InexactNumber (which no integer field accepts) instead of paying for
 * BigInt's parse, which grows with the square of the length (a 1M-digit literal took 0.3-0.5 s). */
export const MAX_INTEGER_LITERAL = 20;

/** Start and end of every number literal longer than 15 characters or written with a fraction or exponent, outside
 * strings; throws when nested deeper than MAX_DEPTH. */
function longNumbers(text: string, strictNumbers: boolean): number[] {
  const spans: number[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_DEPTH) throw new JsonSyntaxError(`nested deeper than ${MAX_DEPTH} levels at position ${i}`);
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    } else if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      let inexact = false;
      while (i + 1 < text.length && isNumberChar(text.charCodeAt(i + 1))) {
        i++;
        const d = text.charCodeAt(i);
        if (d === 46 /* . */ || d === 101 /* e */ || d === 69 /* E */) inexact = true;
      }
      if ((inexact && strictNumbers) || i + 1 - start > 15) spans.push(start, i + 1);
    }
  }
  return spans;
}

const isNumberChar = (c: number) => (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;

/** A literal that is not written as an integer: kept as a value no integer field accepts, so validation names the field. */
export class InexactNumber {
  constructor(readonly literal: string) {}
  toJSON(): number { return Number(this.literal); }
}

function revive(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) !== 0 || !value.startsWith(PARSE_MARK)) return value;
    const literal = value.slice(PARSE_MARK.length);
    return literal.length <= MAX_INTEGER_LITERAL && /^-?\d+$/.test(literal) ? BigInt(literal) : new InexactNumber(literal);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) setOwn(o, key, revive(o[key]));
  return o;
}

/** o[key] = value as an own data property: a `__proto__` key is data (an Ext key, as the vendor's Go maps keep it),
 * never the object's prototype. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * Parses int64-exact JSON. `__proto__` and `constructor` keys are kept as own data properties (prototypes untouched). Throws JsonSyntaxError on bad JSON.
 * strictNumbers: every literal written with a fraction or an exponent becomes an InexactNumber (for documents whose
 * numbers are all integers); otherwise only long non-integer literals do.
 * One pass of the parser below; what it refuses goes to the marked-string parser, which words the error (JSON.parse's
 * message, or the nesting bound's) exactly as before.
 */
export function parseJson(text: string, opts: ParseOptions = {}): unknown {
  const value = parseFast(text, opts.strictNumbers === true, opts.maxArrayItems);
  return value !== undefined ? value : parseMarked(text, opts);
}

export interface ParseOptions {
  strictNumbers?: boolean;
  /** an array with more items is refused (JsonSyntaxError) as soon as the parser reaches the item past the bound,
   * before the rest of it is read (vendor bodies: no vendor array is anywhere near it) */
  maxArrayItems?: number;
}

// ---- one-pass parser: a recursive descent over the text, producing the same values as parseMarked ----

let src = '';
let pos = 0;
let strictMode = false;
let maxItems = Infinity;
/** thrown (and caught in parseFast) on anything the grammar or the nesting bound refuses */
const REFUSED: unique symbol = Symbol('refused');

/** The one-pass parser alone: the value, or undefined when the text is not JSON JSON.parse would accept or is
 * nested deeper than MAX_DEPTH (parseMarked then says why). Exported for the tests that compare it with parseMarked. */
export function parseFast(text: string, strictNumbers: boolean, maxArrayItems = Infinity): unknown {
  src = text;
  pos = 0;
  strictMode = strictNumbers;
  maxItems = maxArrayItems;
  try {
    const value = parseValue(0);
    if (skipSpace() === text.length) return value;
    return undefined;
  } catch (err) {
    if (err === REFUSED) return undefined;
    throw err;
  } finally {
    src = ''; // the text is not kept alive by the parser
  }
}

/** Skips JSON whitespace; returns the position of the next character. */
function skipSpace(): number {
  let c = src.charCodeAt(pos);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = src.charCodeAt(++pos);
  return pos;
}

function parseValue(depth: number): unknown {
  skipSpace();
  const c = src.charCodeAt(pos);
  if (c === 34 /* " */) return parseString();
  if (c === 123 /* { */) return parseObject(depth + 1);
  if (c === 91 /* [ */) return parseArray(depth + 1);
  if (c === 45 /* - */ || (c >= 48 && c <= 57)) return parseNumber();
  if (c === 116 /* t */ && src.startsWith('true', pos)) { pos += 4; return true; }
  if (c === 102 /* f */ && src.startsWith('false', pos)) { pos += 5; return false; }
  if (c === 110 /* n */ && src.startsWith('null', pos)) { pos += 4; return null; }
  throw REFUSED;
}

function parseObject(depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw REFUSED;
  pos++;
  const o: Record<string, unknown> = {};
  if (src.charCodeAt(skipSpace()) === 125 /* } */) { pos++; return o; }
  for (;;) {
    if (src.charCodeAt(skipSpace()) !== 34) throw REFUSED;
    const key = parseString(true);
    if (src.charCodeAt(skipSpace()) !== 58 /* : */) throw REFUSED;
    pos++;
    const value = parseValue(depth);
    // as JSON.parse: the last of duplicate keys wins, in the place of the first
    setOwn(o, key, value);
    const c = src.charCodeAt(skipSpace());
    pos++;
    if (c === 125) return o;
    if (c !== 44 /* , */) throw REFUSED;
  }
}

function parseArray(depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw REFUSED;
  pos++;
  const a: unknown[] = [];
  if (src.charCodeAt(skipSpace()) === 93 /* ] */) { pos++; return a; }
  for (;;) {
    if (a.length === maxItems) throw new JsonSyntaxError(`an array has more than ${maxItems} items (at position ${pos})`);
    a.push(parseValue(depth));
    const c = src.charCodeAt(skipSpace());
    pos++;
    if (c === 93) return a;
    if (c !== 44) throw REFUSED;
  }
}

/** At the opening quote. A string without escapes is a slice of the text; one with escapes, or long enough for V8 to
 * make the slice a view that would keep the whole text alive, is decoded (and copied) by JSON.parse. */
function parseString(key = false): string {
  const start = pos;
  let escaped = false;
  for (let c = src.charCodeAt(++pos); c !== 34; c = src.charCodeAt(++pos)) {
    if (c === 92 /* \ */) { escaped = true; pos++; } else if (c < 32 || c !== c) throw REFUSED; // control char, or NaN: the end of the text
  }
  pos++;
  // (a key is always sliced: property names are interned, never views)
  if (!escaped && (key || pos - start < 15)) return src.slice(start + 1, pos - 1);
  try {
    return JSON.parse(src.slice(start, pos)) as string;
  } catch {
    throw REFUSED;
  }
}

/** At a minus sign or digit. Integers of up to 15 characters are numbers, longer ones BigInt (up to
 * MAX_INTEGER_LITERAL characters; longer ones InexactNumber); a fraction or exponent
 * makes an InexactNumber under strictNumbers or when longer than 15 characters, a number otherwise. */
function parseNumber(): unknown {
  const start = pos;
  let c = src.charCodeAt(pos);
  if (c === 45) c = src.charCodeAt(++pos);
  let n = 0;
  if (c === 48 /* 0 */) {
    c = src.charCodeAt(++pos);
  } else if (c >= 49 && c <= 57) {
    do { n = n * 10 + (c - 48); c = src.charCodeAt(++pos); } while (c >= 48 && c <= 57);
  } else {
    throw REFUSED;
  }
  let integer = true;
  if (c === 46 /* . */) {
    integer = false;
    c = src.charCodeAt(++pos);
    if (!(c >= 48 && c <= 57)) throw REFUSED;
    do c = src.charCodeAt(++pos); while (c >= 48 && c <= 57);
  }
  if (c === 101 /* e */ || c === 69 /* E */) {
    integer = false;
    c = src.charCodeAt(++pos);
    if (c === 43 /* + */ || c === 45) c = src.charCodeAt(++pos);
    if (!(c >= 48 && c <= 57)) throw REFUSED;
    do c = src.charCodeAt(++pos); while (c >= 48 && c <= 57);
  }
  const length = pos - start;
  if (integer) {
    if (length <= 15) return src.charCodeAt(start) === 45 ? -n : n; // exact: 15 digits stay below 2^53
    if (length > MAX_INTEGER_LITERAL) return new InexactNumber(src.slice(start, pos));
    return BigInt(src.slice(start, pos));
  }
  const literal = src.slice(start, pos);
  return strictMode || length > 15 ? new InexactNumber(literal) : Number(literal);
}

// ---- marked-string parser: JSON.parse with long literals swapped for marked strings, then a revive walk ----

/** The parser before parseFast: its fallback, and the judge of errors (JSON.parse's message, or the nesting bound's).
 * Exported for the tests that compare the two. */
export function parseMarked(text: string, opts: { strictNumbers?: boolean } = {}): unknown {
  const spans = longNumbers(text, opts.strictNumbers === true);
  // (a key may spell __proto__ with escapes)
  const unsafeKeys = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  if (spans.length === 0) {
    let value: unknown;
    try {
      value = JSON.parse(text); // JSON.parse is the strict judge of syntax (json-bigint accepts "AppId":00000)
    } catch (err) {
      throw new JsonSyntaxError((err as Error).message);
    }
    return unsafeKeys ? revive(value) : value;
  }
  let marked = '';
  let last = 0;
  for (let k = 0; k < spans.length; k += 2) {
    if (!NUMBER.test(text.slice(spans[k], spans[k + 1]))) return strictParse(text);
    marked += `${text.slice(last, spans[k])}"${ESCAPED_PARSE_MARK}${text.slice(spans[k], spans[k + 1])}"`;
    last = spans[k + 1];
  }
  marked += text.slice(last);
  let value: unknown;
  try {
    value = JSON.parse(marked);
  } catch {
    return strictParse(text); // the error, with positions in the client's text
  }
  return revive(value);
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function strictParse(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
  return slowParse(text);
}

function slowParse(text: string): unknown {
  try {
    return native.parse(text);
  } catch (err) {
    // BigInt() refused a long non-integer literal: parse in BigNumber mode so validation names the field
    if (err instanceof SyntaxError && /BigInt/.test(err.message)) return fromBigNumbers(lenient.parse(text));
    throw new JsonSyntaxError(String((err as { message?: string }).message ?? err));
  }
}

/** BigNumber (json-bigint's lenient mode) -> BigInt for integers, InexactNumber otherwise. */
function fromBigNumbers(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const big = value as { isInteger?: () => boolean; toFixed?: () => string };
  if (typeof big.isInteger === 'function' && typeof big.toFixed === 'function') {
    return big.isInteger() ? BigInt(big.toFixed()) : new InexactNumber(big.toFixed());
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) o[key] = fromBigNumbers(o[key]);
  return o;
}

const BIGINT_MARKED = /"\\u0000(-?\d+)"/g;

/** Writes JSON with BigInt as exact integers. Compact output goes through a small serializer (about 3x faster than
 * JSON.stringify with a replacer); indented output (documents for people) through the replacer. */
export function stringifyJson(value: unknown, indent?: number): string {
  if (indent === undefined) return serialize(value) as string;
  let ambiguous = false;
  const text = JSON.stringify(value, (key, v) => {
    if (typeof v === 'bigint') return MARK + v.toString();
    if ((typeof v === 'string' && v.charCodeAt(0) === 0) || key.charCodeAt(0) === 0) ambiguous = true;
    return v;
  }, indent);
  if (ambiguous) return native.stringify(value, null, indent);
  return text === undefined ? text as unknown as string : text.replace(BIGINT_MARKED, '$1');
}

/** JSON.stringify's rules (undefined and functions skipped in objects, null in arrays, toJSON honoured, non-finite
 * numbers as null), plus BigInt written as a plain integer. */
function serialize(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': return quote(v);
    case 'number': return Number.isFinite(v) ? '' + v : 'null';
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return serialize((v as { toJSON(): unknown }).toJSON());
      if (Array.isArray(v)) {
        const n = v.length;
        if (n === 0) return '[]';
        let out = '[' + (serialize(v[0]) ?? 'null');
        for (let i = 1; i < n; i++) out += ',' + (serialize(v[i]) ?? 'null');
        return out + ']';
      }
      let out = '';
      for (const key of Object.keys(v)) {
        const item = serialize((v as Record<string, unknown>)[key]);
        if (item === undefined) continue;
        out += (out === '' ? '{' : ',') + keyPrefix(key) + item;
      }
      return out === '' ? '{}' : out + '}';
    }
    default: return undefined;
  }
}

/** `"key":` for keys met, kept: the same few keys are written in every answer, and quoting them again was a third of
 * the writer's time. Bounded in number and length (our field names are short; an Ext map or a journaled body brings
 * keys of its own, which are quoted each time once the table is full or when longer than 64 characters). */
const KEY_PREFIXES = new Map<string, string>();
const KEY_PREFIXES_MAX = 2048;

function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key);
  if (prefix === undefined) {
    prefix = quote(key) + ':';
    if (key.length <= 64 && KEY_PREFIXES.size < KEY_PREFIXES_MAX) KEY_PREFIXES.set(key, prefix);
  }
  return prefix;
}

/** A string as JSON.stringify writes it. Short strings with nothing to escape (keys, ids, names: nearly all) are
 * checked here, which costs about half the call into JSON.stringify; anything else is left to JSON.stringify. */
function quote(s: string): string {
  if (s.length > 64) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // control characters, quote, backslash, and surrogates (a lone one is escaped)
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

// ---- a check that allocates nothing: is this text JSON? ----

/**
 * True when text (a string, or its UTF-8 bytes) is one JSON value that JSON.parse accepts, nested at most maxDepth
 * levels. Builds no value and uses no recursion: the journal checks the bodies of a page this way and writes them out
 * as they came, instead of parsing them (1,000 kept bodies of nested arrays, parsed at once, took the heap past 4 GB).
 * It reads bytes (a string is encoded first): every byte of 0x80 and above is a part of a character only strings may
 * hold, so the verdict is the one of the decoded text.
 */
export function isJsonText(text: string | Uint8Array, maxDepth = MAX_DEPTH): boolean {
  bytes = typeof text === 'string' ? Buffer.from(text) : text;
  end = bytes.length;
  try {
    return scanJson(maxDepth);
  } finally {
    bytes = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
let bytes: Uint8Array = EMPTY;
let end = 0;
/** the byte at i, or -1 past the end */
const at = (i: number): number => (i < end ? bytes[i] : -1);

function scanJson(maxDepth: number): boolean {
  const inObject = new Uint8Array(maxDepth + 1); // per level: 1 in an object, 0 in an array
  let depth = 0;
  let i = 0;
  for (;;) {
    // a value starts at i (after whitespace)
    i = space(i);
    const c = at(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return false;
      inObject[depth] = c === 123 ? 1 : 0;
      i = space(i + 1);
      if (at(i) === (c === 123 ? 125 : 93)) { depth--; i++; } // empty
      else if (c === 123) { i = key(i); if (i < 0) return false; continue; }
      else continue;
    } else if (c === 34 /* " */) {
      i = string(i);
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      i = number(i);
    } else if (c === 116 /* t */ && at(i + 1) === 114 && at(i + 2) === 117 && at(i + 3) === 101) {
      i += 4;
    } else if (c === 110 /* n */ && at(i + 1) === 117 && at(i + 2) === 108 && at(i + 3) === 108) {
      i += 4;
    } else if (c === 102 /* f */ && at(i + 1) === 97 && at(i + 2) === 108 && at(i + 3) === 115 && at(i + 4) === 101) {
      i += 5;
    } else {
      return false;
    }
    if (i < 0) return false;
    // after a value: a comma, or the end of containers, or the end of the text
    for (;;) {
      i = space(i);
      if (depth === 0) return i === end;
      const d = at(i);
      if (d === 44 /* , */) {
        i = inObject[depth] ? key(space(i + 1)) : i + 1;
        if (i < 0) return false;
        break;
      }
      if (d !== (inObject[depth] ? 125 : 93)) return false;
      depth--;
      i++;
    }
  }
}

function space(i: number): number {
  let c = at(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = at(++i);
  return i;
}

/** At a key's opening quote: the position after its colon, or -1. */
function key(i: number): number {
  if (at(i) !== 34) return -1;
  i = string(i);
  if (i < 0) return -1;
  i = space(i);
  return at(i) === 58 /* : */ ? i + 1 : -1;
}

/** At an opening quote: the position after the closing one, or -1. */
function string(i: number): number {
  for (i++; ; i++) {
    const c = at(i);
    if (c === 34) return i + 1;
    if (c < 32) return -1; // a control character, or the end (-1)
    if (c === 92 /* \ */) {
      const e = at(++i);
      if (e === 117 /* u */) {
        for (let k = 0; k < 4; k++) if (!isHex(at(++i))) return -1;
      } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) {
        return -1;
      }
    }
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** At a minus sign or digit: the position after the literal, or -1. */
function number(i: number): number {
  if (at(i) === 45) i++;
  if (at(i) === 48) i++;
  else if (isDigit(at(i))) while (isDigit(at(i))) i++;
  else return -1;
  if (at(i) === 46 /* . */) {
    if (!isDigit(at(++i))) return -1;
    while (isDigit(at(i))) i++;
  }
  const e = at(i);
  if (e === 101 || e === 69) {
    const s = at(++i);
    if (s === 43 || s === 45) i++;
    if (!isDigit(at(i))) return -1;
    while (isDigit(at(i))) i++;
  }
  return i;
}
