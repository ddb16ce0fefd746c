import type { AccountId } from "../accounts/types.js";
import { InvalidInputError } from "../shared/errors.js";
import type { AcceptReview } from "./accept-review.js";
import type { FinishRun } from "./finish-run.js";
import type { ReviewRun, ReviewRunStore } from "./types.js";

export interface SweepDeps {
  runs: Pick<ReviewRunStore, "listStale" | "listRefundDue">;
  acceptReview: Pick<AcceptReview, "resume">;
  finishRun: FinishRun;
  reviewJobState(accountId: number, runKey: string): Promise<string>;
  enqueueReview(job: { accountId: number; runKey: string }, runKey: string): Promise<void>;
  /** Told about each run the sweep could not handle this time (it tries again next time). */
  onError?: (run: ReviewRun, err: unknown) => void;
}

/** Job states in which BullMQ will still run the job: leave those alone. */
const ALIVE = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

export interface SweepReport {
  resumed: number;
  requeued: number;
  failed: number;
  /** Ended runs whose due refund (and failure comment) the sweep completed. */
  settled: number;
  /** Runs that threw; each is isolated, the sweep went on with the others. */
  errors: number;
}

export interface SweepOptions {
  /** Runs per page; default 100. */
  pageSize?: number;
  /** Pages per sweep at most, so one sweep is bounded; default 50. */
  maxPages?: number;
  /** Only this account's runs: an operator re-running the sweep for one account now. */
  accountId?: AccountId;
}

/**
 * Finds runs a crash left unfinished, so that no credit is ever lost:
 * - a run still `pending` (charged or not, never queued) is resumed, which charges by the
 *   same key and queues it; one that can never be charged (its data is refused by the
 *   ledger) is failed instead, refunding whatever it took;
 * - a `queued` run whose job vanished from Redis is queued again; one whose job failed for
 *   good without the worker recording it (killed on its last attempt) is failed and refunded;
 * - an ended run whose refund is still due (the process died between ending it and refunding)
 *   is settled, before pending runs are resumed (the room a refund gives back is there for
 *   them) and again after (what the sweep itself ended, or a sibling it paid, decided).
 * Each run is handled on its own: one that throws is reported and skipped, never stopping the
 * sweep for every other account. Runs that are only waiting are paged past, not re-read.
 */
export function createSweeper(deps: SweepDeps) {
  return async function sweep(staleBefore: Date, options: SweepOptions = {}): Promise<SweepReport> {
    const pageSize = options.pageSize ?? 100;
    const maxPages = options.maxPages ?? 50;
    const report: SweepReport = { resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 };
    const isolated = async (run: ReviewRun, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        report.errors++;
        deps.onError?.(run, err);
      }
    };

    // Refunds first: a crash between a take-up's reopening of the head and the refund that
    // makes room for it leaves both to the sweep, and the head resumed before that refund
    // would find no room and be parked again, with nothing left to take it up.
    // A run whose settling threw is tried once per sweep: its error is reported once.
    const threw = new Set<string>();
    // Paged like the stale runs: runs left due (waiting on a sibling, or failing) are paged
    // past, so however many there are, the ones behind them are reached.
    const settleDue = async () => {
      let after: ReviewRun | undefined;
      for (let page = 0; page < maxPages; page++) {
        const due = await deps.runs.listRefundDue(pageSize, options.accountId, after);
        for (const run of due) {
          const id = `${run.accountId}|${run.runKey}`;
          if (threw.has(id)) continue;
          const errors = report.errors;
          await isolated(run, async () => {
            // A run still waiting on an unpaid sibling is not counted: it is not settled yet.
            if ((await deps.finishRun.settle(run)) !== "waiting") report.settled++;
          });
          if (report.errors > errors) threw.add(id);
        }
        if (due.length < pageSize) break;
        after = due.at(-1);
      }
    };
    await settleDue();

    let after: ReviewRun | undefined;
    for (let page = 0; page < maxPages; page++) {
      const runs = await deps.runs.listStale(staleBefore, pageSize, after, options.accountId);
      for (const run of runs) await isolated(run, () => sweepRun(run, report));
      if (runs.length < pageSize) break;
      after = runs.at(-1);
    }

    // Again for runs this sweep ended, and for those that waited on a sibling it just paid.
    await settleDue();
    return report;
  };

  async function sweepRun(run: ReviewRun, report: SweepReport): Promise<void> {
    if (run.status === "pending") {
      try {
        await deps.acceptReview.resume(run);
        report.resumed++;
      } catch (err) {
        // Retrying cannot fix input the ledger refuses: end the run so it stops coming back.
        if (!(err instanceof InvalidInputError)) throw err;
        if (await deps.finishRun(run, "failed", "the review could not be charged")) report.failed++;
      }
      return;
    }
    const state = await deps.reviewJobState(run.accountId, run.runKey);
    if (ALIVE.has(state)) return;
    if (state === "missing") {
      await deps.enqueueReview({ accountId: run.accountId, runKey: run.runKey }, run.runKey);
      report.requeued++;
    } else if (await deps.finishRun(run, "failed", "the review worker stopped")) {
      report.failed++;
    }
  }
}
export type Sweep = ReturnType<typeof createSweeper>;
