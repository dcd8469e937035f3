// The callback signature (docs/6348/293101): the values of EventType, EventData, EventTime, EventId, AppId, Version,
// Nonce and the secret key, sorted, concatenated, SHA-256, lower-case hex. The vendor's sample sorts with Go's
// sort.Strings, which compares bytes (UTF-8): so do we, not JavaScript's UTF-16 order (they differ once a value holds
// a character above U+FFFF next to one in U+E000-U+FFFF, as an emoji in EventData can).
import { createHash, timingSafeEqual } from 'node:crypto';

/** The eight fields of a callback body, in the vendor's table order (docs/6348/293099). */
export interface CallbackBody {
  EventType: string; EventData: string; EventTime: string; EventId: string; AppId: string; Version: string;
  Signature: string; Nonce: string;
}

export type UnsignedBody = Omit<CallbackBody, 'Signature'>;

const SIGNED = ['EventType', 'EventData', 'EventTime', 'EventId', 'AppId', 'Version', 'Nonce'] as const;

/** A UTF-16 code unit from which JavaScript's string order and UTF-8 byte order may disagree (surrogates and above). */
const HIGH = /[\uD800-\uFFFF]/;

/** Lower-case hex SHA-256 of the seven values and the secret key, sorted by their UTF-8 bytes and concatenated. */
export function callbackSignature(body: UnsignedBody, secretKey: string): string {
  const values = [
    String(body.EventType), String(body.EventData), String(body.EventTime), String(body.EventId), String(body.AppId),
    String(body.Version), String(body.Nonce), secretKey,
  ];
  // Below U+D800, UTF-16 code units order strings as their UTF-8 bytes do: the plain sort is the byte sort
  if (!values.some((v) => HIGH.test(v))) return createHash('sha256').update(values.sort().join(''), 'utf8').digest('hex');
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  parts.sort(Buffer.compare);
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/**
 * true when a callback body carries the signature secretKey gives it: for a receiver's own tests, and the same
 * function the emulator signs with. `body` is the request body as received (text or Buffer) or already parsed.
 */
export function verifyCallback(body: string | Buffer | Record<string, unknown>, secretKey: string): boolean {
  let obj: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try { obj = JSON.parse(body.toString()); } catch { return false; }
  }
  if (obj === null || typeof obj !== 'object') return false;
  const fields = obj as Record<string, unknown>;
  if (![...SIGNED, 'Signature'].every((k) => typeof fields[k] === 'string')) return false;
  const want = Buffer.from(callbackSignature(fields as unknown as UnsignedBody, secretKey), 'latin1');
  const given = Buffer.from(fields.Signature as string, 'latin1');
  return given.length === want.length && timingSafeEqual(given, want);
}
