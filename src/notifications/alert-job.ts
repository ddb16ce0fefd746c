/**
 * Ids of the notifications queue's jobs. The queue itself (payload schema, options) is
 * declared with the others in src/queue/queues.ts.
 */
import type { BudgetWarning } from "../ledger/month-use.js";
import { jobId, type AlertJob } from "../queue/queues.js";

/**
 * One job per (entry, level). Entry ids are unique in the database and the ledger calls
 * onEntry only for entries it created, so a replayed charge never queues a second email;
 * the job id also absorbs a repeated add while the job is kept.
 */
export function alertJobId(accountId: number, entryId: string, level: AlertJob["level"]): string {
  return jobId("alert", accountId, entryId, level);
}

/**
 * One job per (budget, month), as the ledger warns once per budget and month. The budget id
 * (`repository:owner/name`) is percent-encoded: jobId would turn its ":" into "-", which is
 * lossy, while encodeURIComponent is one-to-one and leaves no ":" (BullMQ refuses it). Being
 * the last part after fixed-shape ones, it keeps the whole id collision-free.
 */
export function budgetWarningJobId(
  accountId: number,
  period: string,
  warningId: BudgetWarning["id"],
): string {
  return jobId("budget-warning", accountId, period, encodeURIComponent(warningId));
}
