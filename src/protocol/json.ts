// int64-exact JSON: numbers longer than 15 characters become BigInt, BigInt is written as a plain integer.
import JSONbig from 'json-bigint';

const native = JSONbig({ useNativeBigInt: true, protoAction: 'ignore', constructorAction: 'ignore' });
// BigNumber mode never throws on long floats; used only to locate the offending field on the error path.
const lenient = JSONbig({ protoAction: 'ignore', constructorAction: 'ignore' });

export class JsonSyntaxError extends Error {}

/** Parses int64-exact JSON. `__proto__` and `constructor` keys are dropped. Throws JsonSyntaxError on bad JSON. */
export function parseJson(text: string): unknown {
  // JSON.parse is the strict judge of syntax (json-bigint accepts leading zeros such as the doc's "AppId":00000)
  try {
    JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
  try {
    return native.parse(text);
  } catch (err) {
    // json-bigint throws a real SyntaxError only when BigInt() refuses a long non-integer literal
    // (e.g. 1.00000000000000000001): the JSON is valid, the number is the client's error. Parse it in
    // BigNumber mode so schema validation names the field.
    if (err instanceof SyntaxError && /BigInt/.test(err.message)) return lenient.parse(text);
    const e = err as { message?: string; at?: number };
    throw new JsonSyntaxError(e.at !== undefined ? `${e.message} at position ${e.at}` : String(e.message ?? err));
  }
}

/** Writes JSON with BigInt as exact integers. */
export function stringifyJson(value: unknown, indent?: number): string {
  return native.stringify(value, null, indent);
}
