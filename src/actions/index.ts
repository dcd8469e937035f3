// The one dispatch table: every emulated wire Action, one file each.
import type { ActionDef } from './action.js';
import GetMessagesReadReceipt from './GetMessagesReadReceipt.js';

export const ACTIONS: readonly ActionDef<any, any>[] = [
  GetMessagesReadReceipt,
];

export { VENDOR_QPS } from './catalog.js';
