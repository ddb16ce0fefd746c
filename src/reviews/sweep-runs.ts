import type { AcceptReview } from "./accept-review.js";
import type { FinishRun } from "./finish-run.js";
import type { ReviewRunStore } from "./types.js";

export interface SweepDeps {
  runs: Pick<ReviewRunStore, "listStale">;
  acceptReview: Pick<AcceptReview, "resume">;
  finishRun: FinishRun;
  reviewJobState(accountId: number, runKey: string): Promise<string>;
  enqueueReview(job: { accountId: number; runKey: string }, runKey: string): Promise<void>;
}

/** Job states in which BullMQ will still run the job: leave those alone. */
const ALIVE = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

export interface SweepReport {
  resumed: number;
  requeued: number;
  failed: number;
}

/**
 * Finds runs a crash left unfinished, so that no credit is ever lost: a run still `pending`
 * (charged or not, never queued) is resumed, which charges by the same key and queues it; a
 * `queued` run whose job vanished from Redis is queued again; one whose job failed for good
 * without the worker recording it (killed on its last attempt) is failed and refunded.
 */
export function createSweeper(deps: SweepDeps) {
  return async function sweep(staleBefore: Date, limit = 100): Promise<SweepReport> {
    const report: SweepReport = { resumed: 0, requeued: 0, failed: 0 };
    for (const run of await deps.runs.listStale(staleBefore, limit)) {
      if (run.status === "pending") {
        await deps.acceptReview.resume(run);
        report.resumed++;
        continue;
      }
      const state = await deps.reviewJobState(run.accountId, run.runKey);
      if (ALIVE.has(state)) continue;
      if (state === "missing") {
        await deps.enqueueReview({ accountId: run.accountId, runKey: run.runKey }, run.runKey);
        report.requeued++;
      } else if (await deps.finishRun(run, "failed", "the review worker stopped")) {
        report.failed++;
      }
    }
    return report;
  };
}
export type Sweep = ReturnType<typeof createSweeper>;
