/**
 * Keys of the notifications' jobs (jobs.ts says what they hold; src/queue carries them).
 */
import type { BudgetWarning } from "../ledger/month-use.js";
import { jobKey } from "../shared/job-key.js";
import type { AlertJob } from "./jobs.js";

/**
 * One job per (entry, level). Entry ids are unique in the database and the ledger calls
 * onEntry only for entries it created, so a replayed charge never queues a second email;
 * the job id also absorbs a repeated add while the job is kept.
 */
export function alertJobId(accountId: number, entryId: string, level: AlertJob["level"]): string {
  return jobKey("alert", accountId, entryId, level);
}

/**
 * One job per (budget, month), as the ledger warns once per budget and month. The budget id
 * (`repository:owner/name`) is percent-encoded: the queue's job id turns ":" into "-", which
 * is lossy, while encodeURIComponent is one-to-one and leaves no ":" (BullMQ refuses it). Being
 * the last part after fixed-shape ones, it keeps the whole id collision-free.
 */
export function budgetWarningJobId(
  accountId: number,
  period: string,
  warningId: BudgetWarning["id"],
): string {
  return jobKey("budget-warning", accountId, period, encodeURIComponent(warningId));
}
