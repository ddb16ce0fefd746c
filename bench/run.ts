/**
 * `npm run bench`: prints numbers, asserts nothing (targets live here, not in timed tests).
 * Needs Redis on REDIS_URL (default 127.0.0.1:6379).
 */
import { benchLedger } from "./ledger.js";
import { benchLedgerEntry } from "./ledger-entry.js";
import { benchPacing } from "./pacing.js";
import { benchWebhook } from "./webhook.js";

console.log("== webhook to queue ==");
await benchWebhook();
console.log("\n== ledger ==");
await benchLedger();
console.log("\n== one ledger append through the mongoose model ==");
await benchLedgerEntry();
console.log("\n== reviews posted end to end, paced per installation ==");
await benchPacing();
