import { ALERT_LEVELS, crossedLevels } from "../ledger/credits.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { EntryType } from "../ledger/types.js";
import type { AlertJob } from "./jobs.js";
import { alertJobId } from "./alert-job.js";

const ALERTING_TYPES = new Set<EntryType>(["usage", "adjustment"]);

export interface RedriveAlertsDeps {
  ledger: Pick<LedgerStore, "lowDebitsSince">;
  /** The producer's enqueueAlert: a job id seen before is a no-op. */
  enqueueAlert(job: AlertJob, id: string): Promise<void>;
}

export interface RedriveOptions {
  /**
   * How far back to look; default an hour. Must stay well inside how long the queue keeps a
   * finished alert job (7 days, QUEUES.notifications), since that is what makes a second add
   * of an alert already sent a no-op.
   */
  windowMs?: number;
  /** Entries read at most per run; default 1,000. */
  limit?: number;
  now?: () => Date;
}

/**
 * The ledger is the alerts' outbox. An alert is queued right after its entry is written; a
 * crash (or Redis down) in between would lose that email. This runs with the sweep: it reads
 * the recent debits that left a low balance and queues, again, the alert of every level each
 * one crossed. The job id is (entry, level), so an alert already queued or sent is not sent
 * twice, and one that was lost goes out within a sweep interval.
 */
export function createAlertRedrive(deps: RedriveAlertsDeps, options: RedriveOptions = {}) {
  const windowMs = options.windowMs ?? 3_600_000;
  const limit = options.limit ?? 1_000;
  const now = options.now ?? (() => new Date());
  return async function redriveAlerts(): Promise<number> {
    const since = new Date(now().getTime() - windowMs);
    const entries = await deps.ledger.lowDebitsSince(since, ALERT_LEVELS[0].threshold, limit);
    let queued = 0;
    for (const entry of entries) {
      // Only what the ledger's onEntry hook alerts on: a month-end expiration of free credits
      // is followed at once by the new month's grant, and was never an alert.
      if (!ALERTING_TYPES.has(entry.type)) continue;
      for (const level of crossedLevels(entry.balanceAfter - entry.amount, entry.balanceAfter)) {
        const job: AlertJob = {
          accountId: entry.accountId,
          entryId: entry.id,
          level,
          balance: entry.balanceAfter,
        };
        await deps.enqueueAlert(job, alertJobId(entry.accountId, entry.id, level));
        queued++;
      }
    }
    return queued;
  };
}
export type RedriveAlerts = ReturnType<typeof createAlertRedrive>;
