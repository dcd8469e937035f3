// The vendor envelope (reference §1.2-1.3) and RequestIds: yyyyMMddHHmmss in UTC+8 + 20 upper-case hex digits.
import type { Random } from './random.js';

export const VERSION = '2020-12-01';
export const SERVICE = 'rtc';
export const DEFAULT_REGION = 'cn-north-1';

export interface Metadata { RequestId: string; Action: string; Version: string; Service: string; Region: string }

/** RequestIds are written into one buffer (the stamp, then 20 random hex digits) and read out as one flat string:
 * no intermediate strings on the request path. The stamp, yyyyMMddHHmmss in Beijing time (UTC+8), is rewritten
 * only when the second changes. */
const RID = Buffer.alloc(34);
let ridStampSecond = NaN;

export function requestId(nowMs: number, random: Random): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== ridStampSecond) {
    ridStampSecond = second;
    RID.write(new Date(second * 1000 + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, ''), 0, 14, 'latin1');
  }
  return random.hexInto(RID, 14, 20).toString('latin1', 0, 34);
}

export function success(meta: Metadata, result: unknown) {
  return { ResponseMetadata: meta, Result: result ?? {} };
}

export function failure(meta: Partial<Metadata> & { RequestId: string }, code: string, message: string, codeN?: number) {
  // key order CodeN, Code, Message as in captured gateway errors
  const error = codeN === undefined ? { Code: code, Message: message } : { CodeN: codeN, Code: code, Message: message };
  return { ResponseMetadata: { ...meta, Error: error } };
}
