/**
 * The ledger is the top-ups' outbox, as it is the alerts' (redrive-alerts.ts): a top-up job
 * is queued right after the charge that crossed the threshold, and a crash (or Redis down)
 * in between would lose it. This runs with the sweep: for every account with auto top-up on,
 * it reads the recent charges and queues, again, the job of each one that crossed. The job
 * id is the crossing's, so a job queued or run already is not run twice, and the payer's
 * attempt key (the same crossing) keeps even a second run from paying twice.
 */
import type { AutoTopUpStore } from "../billing/auto-top-up-store.js";
import { topUpRecords } from "../billing/top-up-records.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { autoTopUpJobId } from "./alert-job.js";
import { crossedTopUpThreshold, topUpJobOf } from "./enqueue-top-ups.js";
import type { AutoTopUpJob } from "./jobs.js";

export interface RedriveTopUpsDeps {
  settings: Pick<AutoTopUpStore, "listAfter">;
  ledger: Pick<LedgerStore, "listRows">;
  enqueueTopUp(job: AutoTopUpJob, id: string): Promise<void>;
}

export interface RedriveTopUpsOptions {
  /** How far back to look; default an hour (well inside the 7 days a finished job is kept). */
  windowMs?: number;
  /** Settings records read per page; default 200. */
  pageSize?: number;
  /** Charges read per account; default 100 (the newest, so the latest crossing is among them). */
  perAccount?: number;
  now?: () => Date;
}

export function createTopUpRedrive(deps: RedriveTopUpsDeps, options: RedriveTopUpsOptions = {}) {
  const windowMs = options.windowMs ?? 3_600_000;
  const pageSize = options.pageSize ?? 200;
  const perAccount = options.perAccount ?? 100;
  const now = options.now ?? (() => new Date());
  return async function redriveTopUps(): Promise<number> {
    const since = new Date(now().getTime() - windowMs);
    let queued = 0;
    for await (const settings of topUpRecords(deps.settings, pageSize)) {
      if (!settings.enabled) continue;
      const { accountId } = settings;
      const charges = await deps.ledger.listRows(accountId, {
        types: ["usage"],
        from: since,
        limit: perAccount,
      });
      for (const entry of charges) {
        if (!crossedTopUpThreshold(entry, settings)) continue;
        await deps.enqueueTopUp(
          topUpJobOf(accountId, entry.id),
          autoTopUpJobId(accountId, entry.id),
        );
        queued++;
      }
    }
    return queued;
  };
}
export type RedriveTopUps = ReturnType<typeof createTopUpRedrive>;
