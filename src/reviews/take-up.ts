import { jobKey } from "../shared/job-key.js";
import type { ReplyJob } from "./jobs.js";
import { budgetStopReport, isParked, type AcceptReview } from "./accept-review.js";
import { checkRunOf, type CheckRuns } from "./check-runs.js";
import { TAKEN_UP } from "./pause-reasons.js";
import { isNewer, type PullRequestStore, type ReviewRun, type ReviewRunStore } from "./types.js";

export interface TakeUpDeps {
  runs: Pick<ReviewRunStore, "listForPullRequest" | "transition">;
  pullRequests: Pick<PullRequestStore, "get">;
  acceptReview: Pick<AcceptReview, "resume">;
  checkRuns: Pick<CheckRuns, "queued" | "paused" | "overBudget" | "skipped">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
}

/** What the check runs of older commits say once the newest one is reviewed instead. */
export const NEWER_COMMIT_REVIEWED = "a newer commit is reviewed";

/** Reads of the head's runs before the take-up leaves them to others (they keep moving). */
const MOVES_FOLLOWED = 3;

/**
 * A burst of pushes under per-run charging: the first pushes are charged, the newest is parked
 * (the balance or a budget had no room left), then the older runs find GitHub's head moved
 * past them and are refunded. Nothing else would ever come back for the newest head, so the
 * run that is superseded takes it up again, in three steps a crash can stop anywhere:
 *
 * 1. `reopen`, before the superseded run ends: the head's parked run goes back to `pending`
 *    (one atomic transition, so of several superseded runs finishing at once only one wins).
 *    A crash after it leaves a pending run, which the sweeper resumes like any other.
 * 2. The superseded run ends and is refunded (finishRun): that is the room the head needs.
 * 3. `pay`, by whoever reopened it: charged under the run's own key (a second try, by the
 *    sweeper or a retry, replays that charge and writes nothing), queued, and shown.
 *
 * Only a run that was never charged is taken up: one paused after a refund of its own charge
 * would replay the refunded charge and pay for nothing.
 */
export function createTakeUp(deps: TakeUpDeps) {
  return {
    /**
     * The run of GitHub's head `headSha` to pay once the refund has landed: its parked run put
     * back to `pending`, or its run that is `pending` already (its event's payer, or the sweep,
     * may be charging it before the refund makes room, and would park it); null when none.
     */
    async reopen(superseded: ReviewRun, headSha: string): Promise<ReviewRun | null> {
      const { accountId, pr } = superseded;
      for (let tries = 0; tries < MOVES_FOLLOWED; tries++) {
        const forHead = (
          await deps.runs.listForPullRequest(accountId, pr.repositoryId, pr.number, 50)
        ).filter((r) => r.headSha === headSha);
        const newest = forHead[0];
        if (newest?.status === "pending") return newest;
        if (!newest || !isParked(newest)) return null;
        // `/jasper pause` since: an automatic run stays parked (a run someone asked for does not).
        if (newest.commentId === null) {
          const flags = await deps.pullRequests.get(accountId, pr.repositoryId, pr.number);
          if (flags.autoReviewPaused) return null;
        }
        // Only while it is parked with no charge: not after a refund of its own charge, nor
        // once `/jasper review` retired it for a new run (accept-review.ts).
        const reopened = await deps.runs.transition(
          accountId,
          newest.runKey,
          ["paused"],
          "pending",
          { reason: TAKEN_UP },
          { chargeKey: null },
        );
        if (reopened) return reopened;
      }
      return null;
    },

    /**
     * Pays for a reopened run and shows the outcome on its commit. Once it is queued, the
     * pull request's older parked runs (earlier pushes, never charged) end as superseded, so
     * neither their check runs nor the list of stopped reviews keep a stop that is over.
     */
    async pay(reopened: ReviewRun): Promise<void> {
      const outcome = await deps.acceptReview.resume(reopened);
      const hosted = {
        installationId: reopened.installationId,
        repository: reopened.pr.repository,
        number: reopened.pr.number,
      };
      const at = (run: ReviewRun) => checkRunOf(run);
      if (outcome.status === "paused") {
        await deps.checkRuns.paused(hosted, at(outcome.run));
        return;
      }
      if (outcome.status === "over_budget") {
        const report = budgetStopReport(outcome, reopened.author ?? undefined);
        await deps.checkRuns.overBudget(hosted, at(outcome.run), report);
        return;
      }
      if (outcome.status !== "queued") return;
      await deps.checkRuns.queued(hosted, at(outcome.run));
      const { accountId, pr } = reopened;
      const older = (await deps.runs.listForPullRequest(accountId, pr.repositoryId, pr.number, 50))
        .filter((r) => r.status === "paused" && r.chargeKey === null)
        // Older only: a push that arrived while this was being paid is newer, and is taken
        // up in turn when this run finds GitHub's head moved past it.
        .filter((r) => r.headSha !== reopened.headSha && isNewer(reopened, r));
      for (const run of older) {
        const ended = await deps.runs.transition(accountId, run.runKey, ["paused"], "superseded", {
          reason: NEWER_COMMIT_REVIEWED,
        });
        if (ended) await deps.checkRuns.skipped(hosted, at(ended), NEWER_COMMIT_REVIEWED);
      }
    },

    /**
     * Once a run that was taken up is posted, the stop notice the pull request got when it was
     * parked ("the balance is 0", "the budget is used") is corrected in place. Called again
     * by a retried job, it queues nothing more (the job id is the run's).
     */
    async noticeLifted(run: ReviewRun): Promise<void> {
      if (run.reason !== TAKEN_UP) return;
      await deps.enqueueReply(
        {
          kind: "stop_lifted",
          accountId: run.accountId,
          installationId: run.installationId,
          repository: run.pr.repository,
          repositoryId: run.pr.repositoryId,
          number: run.pr.number,
        },
        jobKey("stop-lifted", run.accountId, run.runKey),
      );
    },
  };
}
export type TakeUp = ReturnType<typeof createTakeUp>;
