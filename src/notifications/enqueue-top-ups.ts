/**
 * The trigger of automatic top-ups: the ledger's onEntry hook queues one top-up job when a
 * charge takes the balance from above the account's threshold to at or below it, keyed by
 * the account and that entry (autoTopUpJobId), as the low-balance alerts are. The ledger is
 * the outbox: redrive-top-ups.ts queues again, with each sweep, a crossing whose job a crash
 * or Redis lost. The job only asks for a top-up; the payer (src/billing/pay-top-up.ts) checks
 * every rule again, on what the database says when it runs, before it charges the card.
 */
import type { Logger } from "pino";
import type { AccountId } from "../accounts/types.js";
import type { AutoTopUpSettings, AutoTopUpStore } from "../billing/auto-top-up-store.js";
import type { LedgerEntry } from "../ledger/types.js";
import { withTimeLimit } from "../shared/with-time-limit.js";
import { autoTopUpJobId } from "./alert-job.js";
import type { AutoTopUpJob } from "./jobs.js";

/**
 * Whether this entry crossed the threshold going down. Only charges (usage) fire a top-up:
 * an operator's correction or a month-end expiry is not the customer spending, and a card is
 * charged only for spending (docs/billing.md, "Auto top-up").
 */
export function crossedTopUpThreshold(
  entry: Pick<LedgerEntry, "type" | "amount" | "balanceAfter">,
  settings: Pick<AutoTopUpSettings, "enabled" | "thresholdCredits"> | null,
): boolean {
  if (!settings?.enabled || entry.type !== "usage" || entry.amount >= 0) return false;
  const before = entry.balanceAfter - entry.amount;
  return before > settings.thresholdCredits && entry.balanceAfter <= settings.thresholdCredits;
}

export const topUpJobOf = (accountId: AccountId, entryId: string): AutoTopUpJob => ({
  kind: "auto_top_up",
  accountId,
  entryId,
});

export interface TopUpTriggerDeps {
  settings: Pick<AutoTopUpStore, "find">;
  /** The producer's enqueueTopUp: adds the job under its id (a second add is a no-op). */
  enqueueTopUp(job: AutoTopUpJob, id: string): Promise<void>;
  log: Logger;
  /** How long a charge waits for the database and Redis before giving up; default 2 s. */
  timeoutMs?: number;
}

/**
 * The ledger's onEntry part for top-ups. It runs inside the charge, after the entry is
 * written, so it never throws and never waits long: a job not queued is logged, and the
 * sweep's redrive queues it.
 */
export function createTopUpTrigger(deps: TopUpTriggerDeps) {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  return async (entry: LedgerEntry): Promise<void> => {
    // Grants and refunds never cross downwards: no database read for them.
    if (entry.type !== "usage" || entry.amount >= 0) return;
    const queue = async () => {
      const settings = await deps.settings.find(entry.accountId);
      if (!crossedTopUpThreshold(entry, settings)) return;
      await deps.enqueueTopUp(
        topUpJobOf(entry.accountId, entry.id),
        autoTopUpJobId(entry.accountId, entry.id),
      );
    };
    try {
      await withTimeLimit(queue(), timeoutMs, () => new Error(`not queued within ${timeoutMs} ms`));
    } catch (err) {
      deps.log.error(
        { accountId: entry.accountId, entryId: entry.id, err: String(err) },
        "automatic top-up not queued: the sweep queues it",
      );
    }
  };
}
