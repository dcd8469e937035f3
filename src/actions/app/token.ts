// The client login token GetAppToken mints (volcengine-im-api §8.1, a third party's layout, unverified): a 24-byte
// big-endian block (version u16 = 1, type u16 = 1, AppId u32, UserId u64, expiry ms u64), PKCS#7-padded and encrypted
// with AES-CBC (key = the AppKey's bytes, IV = the key's first 16 bytes); then crc32(ciphertext) u32 and AppId u32 in
// front, the whole base62-encoded (digits, A-Z, a-z; as one big-endian number). String user ids (UserIdStr) have no
// known layout; the mock's own: type u16 = 2, AppId u32, expiry u64, then the id's UTF-8 bytes.
import { createCipheriv, createDecipheriv } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Longest token decoded (a UserIdStr of up to 256 bytes fits). */
const MAX_TOKEN_CHARS = 512;
export const MAX_USER_ID_STR_BYTES = 256;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function base62(buf: Buffer): string {
  let n = BigInt(`0x${buf.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 62n)] + out; n /= 62n; }
  return out || '0';
}

function unbase62(text: string): Buffer | undefined {
  let n = 0n;
  for (const ch of text) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 62n + BigInt(d);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const raw = Buffer.from(hex, 'hex');
  // leading zero bytes are lost in the number: the real length is 8 (crc, AppId) + a whole number of AES blocks
  const length = raw.length <= 8 ? 24 : 8 + Math.ceil((raw.length - 8) / 16) * 16;
  return Buffer.concat([Buffer.alloc(length - raw.length), raw]);
}

const cipherName = (key: Buffer) => `aes-${key.length * 8}-cbc`;

export interface TokenClaims { appId: number; user: bigint | string; expireTime: bigint }

export function mintToken(key: Buffer, claims: TokenClaims): string {
  const str = typeof claims.user === 'string';
  const userBytes = str ? Buffer.from(claims.user as string, 'utf8') : undefined;
  const plain = Buffer.alloc(str ? 16 + userBytes!.length : 24);
  plain.writeUInt16BE(1, 0);
  plain.writeUInt16BE(str ? 2 : 1, 2);
  plain.writeUInt32BE(claims.appId, 4);
  if (str) {
    plain.writeBigUInt64BE(BigInt.asUintN(64, claims.expireTime), 8);
    userBytes!.copy(plain, 16);
  } else {
    plain.writeBigUInt64BE(BigInt.asUintN(64, claims.user as bigint), 8);
    plain.writeBigUInt64BE(BigInt.asUintN(64, claims.expireTime), 16);
  }
  const cipher = createCipheriv(cipherName(key), key, key.subarray(0, 16));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(crc32(ct), 0);
  head.writeUInt32BE(claims.appId, 4);
  return base62(Buffer.concat([head, ct]));
}

/** The AppId a token names (before its key is known), or a reason it is not a token. */
export function tokenAppId(token: string): { appId: number; raw: Buffer } | string {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return `must be 1 to ${MAX_TOKEN_CHARS} characters`;
  const raw = unbase62(token);
  if (!raw) return 'not base62';
  if (raw.length < 24 || (raw.length - 8) % 16 !== 0) return 'not a token of this layout (length)';
  if (crc32(raw.subarray(8)) !== raw.readUInt32BE(0)) return 'checksum does not match';
  return { appId: raw.readUInt32BE(4), raw };
}

/** Decrypts a token with its AppId's key; a reason string when it does not decrypt to a token of that AppId. */
export function readToken(key: Buffer, raw: Buffer): TokenClaims | string {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(cipherName(key), key, key.subarray(0, 16));
    plain = Buffer.concat([decipher.update(raw.subarray(8)), decipher.final()]);
  } catch {
    return 'does not decrypt with this AppId\'s AppKey';
  }
  if (plain.length < 16 || plain.readUInt16BE(0) !== 1) return 'unknown version';
  const type = plain.readUInt16BE(2);
  const appId = plain.readUInt32BE(4);
  if (appId !== raw.readUInt32BE(4)) return 'the AppId inside does not match';
  if (type === 1 && plain.length === 24) {
    return { appId, user: plain.readBigUInt64BE(8), expireTime: BigInt.asIntN(64, plain.readBigUInt64BE(16)) };
  }
  if (type === 2) return { appId, user: plain.subarray(16).toString('utf8'), expireTime: BigInt.asIntN(64, plain.readBigUInt64BE(8)) };
  return 'unknown token type';
}
