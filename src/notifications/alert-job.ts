/**
 * Keys of the notifications' jobs (jobs.ts says what they hold; src/queue carries them).
 */
import type { BudgetWarning } from "../ledger/month-use.js";
import { jobKey } from "../shared/job-key.js";
import type { AlertJob, TopUpNotice } from "./jobs.js";

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

/**
 * One top-up job per crossing (the entry that crossed), as the attempt key is
 * (src/billing/pay-top-up.ts, topUpAttemptKey): a second add while it is kept is a no-op,
 * and the attempt store keeps a later one from paying twice.
 */
export function autoTopUpJobId(accountId: number, entryId: string): string {
  return jobKey("auto-top-up", accountId, entryId);
}

/**
 * The job that runs a crossing again once the hourly rule allows it: the time makes it
 * another job than the crossing's first one; its attempt key is still the crossing's.
 */
export function autoTopUpRetryJobId(accountId: number, entryId: string, at: Date): string {
  return jobKey("auto-top-up", accountId, entryId, "at", at.getTime());
}

/** One email per attempt and notice. The attempt key has ":" (BullMQ refuses it): encoded. */
export function topUpNoticeJobId(accountId: number, attemptKey: string, notice: TopUpNotice) {
  return jobKey("top-up-notice", accountId, encodeURIComponent(attemptKey), notice);
}

/** One email per failed invoice of a plan (the invoice id is Stripe's: encoded, as above). */
export function planPaymentFailedJobId(accountId: number, invoiceId: string): string {
  return jobKey("plan-payment-failed", accountId, encodeURIComponent(invoiceId));
}
