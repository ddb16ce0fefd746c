/**
 * The top-up job's handler: hands the crossing to the payer (src/billing/pay-top-up.ts),
 * which checks every rule again and pays at most once per crossing, and records what came of
 * it in the audit log. A crossing the hourly rule holds back is not dropped: it is queued
 * again for when the rule allows it (the charge that crossed stays the attempt's key), and
 * checked again then. Stripe unreachable: the payer throws, the queue retries the job, and
 * the retry continues the same attempt with the same idempotency key (never a second charge).
 */
import { toAccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { PayTopUpResult, TopUpPayer } from "../billing/pay-top-up.js";
import { attemptAuditKey } from "../billing/top-up-payment-events.js";
import type { AttemptOutcome, TopUpAttempt } from "../billing/top-up-attempt-store.js";
import { autoTopUpRetryJobId } from "./alert-job.js";
import type { AutoTopUpJob } from "./jobs.js";

export interface RunTopUpDeps {
  payer: Pick<TopUpPayer, "run">;
  /** The producer's enqueueTopUp, for the crossing the hourly rule holds back. */
  enqueueTopUp(job: AutoTopUpJob, id: string, delayMs?: number): Promise<void>;
  audit: Pick<AuditLog, "record">;
  now?: () => Date;
}

export type RunTopUp = (job: AutoTopUpJob) => Promise<string>;

export function createRunTopUp(deps: RunTopUpDeps): RunTopUp {
  const now = deps.now ?? (() => new Date());

  const audit = (attempt: TopUpAttempt, outcome: AttemptOutcome | "requested") =>
    deps.audit.record({
      accountId: attempt.accountId,
      actor: { kind: "app" },
      action: "auto_top_up_attempt",
      interface: "app",
      details: {
        attemptKey: attempt.attemptKey,
        outcome,
        paymentIntent: attempt.paymentIntent,
        packageId: attempt.packageId,
        credits: attempt.credits,
        amountCents: attempt.priceCents,
        currency: attempt.currency,
      },
      // A not-paid outcome has the webhook's key: one entry whichever of the two comes first.
      idempotencyKey:
        outcome === "requested"
          ? `${attempt.attemptKey}:requested`
          : attemptAuditKey(attempt.attemptKey, outcome),
    });

  return async (job) => {
    const accountId = toAccountId(job.accountId);
    const result: PayTopUpResult = await deps.payer.run(accountId, job.entryId);
    switch (result.status) {
      case "requested":
        await audit({ ...result.attempt, paymentIntent: result.paymentIntent }, "requested");
        return "requested";
      case "not_paid":
        await audit(result.attempt, result.outcome);
        return `not_paid:${result.outcome}`;
      case "skipped":
        if (result.because === "too_soon" && result.retryAt) {
          const delayMs = Math.max(0, result.retryAt.getTime() - now().getTime());
          await deps.enqueueTopUp(
            job,
            autoTopUpRetryJobId(accountId, job.entryId, result.retryAt),
            delayMs,
          );
        }
        return `skipped:${result.because}`;
    }
  };
}
