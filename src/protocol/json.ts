// int64-exact JSON: integer literals longer than 15 characters become BigInt, BigInt is written as a plain integer.
// A number literal with a fraction or an exponent (1.5, 1.0, 1e3) is never an integer on the wire: the vendor's Go
// decoder refuses all three for int64 fields, so it is parsed as a JsonFloat, which no integer field accepts.
import { randomBytes } from 'node:crypto';
import JSONbig from 'json-bigint';

const native = JSONbig({ useNativeBigInt: true, protoAction: 'ignore', constructorAction: 'ignore' });

export class JsonSyntaxError extends Error {}

/** A number literal written with a fraction or an exponent, kept as written. */
export class JsonFloat {
  constructor(readonly literal: string) {}
  valueOf(): number { return Number(this.literal); }
  toJSON(): number { return Number(this.literal); }
  toString(): string { return this.literal; }
}

// float literals are swapped for marked strings before parsing and turned into JsonFloat after; the nonce keeps a
// client's own string from ever looking like a mark
const MARK = `\u0000float:${randomBytes(6).toString('hex')}:`;
const MAYBE_FLOAT = /[0-9][.eE]/;

/** The text with every float literal outside strings replaced by a marked string; undefined when there is none. */
function markFloats(text: string): string | undefined {
  if (!MAYBE_FLOAT.test(text)) return undefined;
  let out: string[] | undefined;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i;
      let float = false;
      for (; j < text.length && /[-+.eE0-9]/.test(text[j]); j++) if (text[j] === '.' || text[j] === 'e' || text[j] === 'E') float = true;
      if (float) {
        (out ??= []).push(text.slice(last, i), JSON.stringify(MARK + text.slice(i, j)));
        last = j;
      }
      i = j - 1;
    }
  }
  return out && out.join('') + text.slice(last);
}

function unmark(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith(MARK) ? new JsonFloat(v.slice(MARK.length)) : v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unmark(v[i]);
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = unmark(o[k]);
  }
  return v;
}

/** Parses int64-exact JSON. `__proto__` and `constructor` keys are dropped. Throws JsonSyntaxError on bad JSON. */
export function parseJson(text: string): unknown {
  // JSON.parse is the strict judge of syntax (json-bigint accepts leading zeros such as the doc's "AppId":00000)
  try {
    JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
  const marked = markFloats(text);
  try {
    return marked === undefined ? native.parse(text) : unmark(native.parse(marked));
  } catch (err) {
    const e = err as { message?: string; at?: number };
    throw new JsonSyntaxError(e.at !== undefined ? `${e.message} at position ${e.at}` : String(e.message ?? err));
  }
}

/** Writes JSON with BigInt as exact integers. */
export function stringifyJson(value: unknown, indent?: number): string {
  return native.stringify(value, null, indent);
}
