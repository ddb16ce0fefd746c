import type { Logger } from "pino";
import type { AccountId } from "../accounts/types.js";
import type { BudgetWarning } from "../ledger/month-use.js";
import type { BudgetWarningJob } from "./jobs.js";
import { withTimeLimit } from "../shared/with-time-limit.js";
import { budgetWarningJobId } from "./alert-job.js";

export interface BudgetWarningEnqueuerOptions {
  /** How long a review waits for Redis before giving up on its warnings; default 2 s. */
  timeoutMs?: number;
}

export type WarnBudgets = (
  accountId: AccountId,
  /** The charge's month, "YYYY-MM" (UTC). */
  period: string,
  warnings: BudgetWarning[],
) => Promise<void>;

/**
 * Queues one email job per budget warning a charge returned. It runs on the review path after
 * the charge is written, so it never throws and never waits long: a warning that cannot be
 * queued is logged and lost (the ledger has already recorded it as sent for the month), the
 * charge and the review stand.
 */
export function createBudgetWarningEnqueuer(
  /** The producer's enqueueBudgetWarning: adds the job under its id (a second add is a no-op). */
  enqueue: (job: BudgetWarningJob, id: string) => Promise<void>,
  log: Logger,
  options: BudgetWarningEnqueuerOptions = {},
): WarnBudgets {
  const timeoutMs = options.timeoutMs ?? 2_000;

  return async (accountId, period, warnings) => {
    // Almost every charge warns of nothing: no Redis round trip for it.
    if (warnings.length === 0) return;
    const adds = warnings.map((warning) =>
      enqueue(
        { kind: "budget_warning", accountId, period, warning },
        budgetWarningJobId(accountId, period, warning.id),
      ),
    );
    try {
      await withTimeLimit(
        Promise.all(adds),
        timeoutMs,
        () => new Error(`queueing budget warnings: no answer within ${timeoutMs} ms`),
      );
    } catch (err) {
      log.error(
        { accountId, period, budgets: warnings.map((w) => w.id), err: String(err) },
        "budget warning not queued",
      );
    }
  };
}
