import type { Logger } from "pino";
import type { AlertLevel } from "../ledger/credits.js";
import type { LedgerEntry } from "../ledger/types.js";
import type { AlertJob } from "./jobs.js";
import { alertJobId } from "./alert-job.js";

export interface AlertEnqueuerOptions {
  /** How long a charge waits for Redis before giving up on its alert; default 2 s. */
  timeoutMs?: number;
}

export type OnEntry = (entry: LedgerEntry, crossed: AlertLevel[]) => Promise<void>;

/**
 * The ledger's `onEntry`: queues one email job per level the entry crossed. It runs inside
 * the charge, after the entry is written, so it never throws and never waits long: an alert
 * that cannot be queued is logged and lost, the charge stands.
 */
export function createAlertEnqueuer(
  /** The producer's enqueueAlert: adds the job under its id (a second add is a no-op). */
  enqueueAlert: (job: AlertJob, id: string) => Promise<void>,
  log: Logger,
  options: AlertEnqueuerOptions = {},
): OnEntry {
  const timeoutMs = options.timeoutMs ?? 2_000;

  return async (entry, crossed) => {
    // Most entries cross nothing (grants never do): no Redis round trip for them.
    if (crossed.length === 0) return;
    const adds = crossed.map((level) => {
      const data: AlertJob = {
        accountId: entry.accountId,
        entryId: entry.id,
        level,
        balance: entry.balanceAfter,
      };
      const id = alertJobId(entry.accountId, entry.id, level);
      return enqueueAlert(data, id);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not queued within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(adds), timeout]);
    } catch (err) {
      log.error(
        { accountId: entry.accountId, entryId: entry.id, levels: crossed, err: String(err) },
        "low-balance alert not queued",
      );
    } finally {
      clearTimeout(timer);
    }
  };
}
