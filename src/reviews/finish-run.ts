import type { Ledger } from "../ledger/ledger.js";
import type { ReplyJob } from "../queue/queues.js";
import type { Voice } from "../replies/voice.js";
import type { ReviewRun, ReviewRunStore, RunStatus } from "./types.js";

export interface FinishRunDeps {
  runs: ReviewRunStore;
  ledger: Pick<Ledger, "refund">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** Says so on the pull request when a run failed. */
  voice: Pick<Voice, "reviewFailed">;
}

export interface Finished {
  run: ReviewRun;
  refunded: boolean;
}

/**
 * Ends a run that will not be posted: "failed" (Jasper's fault, after its retries),
 * "superseded" (a newer head will be reviewed instead) or "skipped" (the pull request closed).
 * Its charge is refunded unless some review it paid for was posted or another run still
 * carries it (under the default policy every run of a pull request shares one charge).
 * The refund is keyed by the charge, so however many workers or sweeps get here, it is
 * refunded once. Returns null when another worker ended the run first.
 */
export function createFinishRun(deps: FinishRunDeps) {
  return async function finishRun(
    run: ReviewRun,
    to: Extract<RunStatus, "failed" | "superseded" | "skipped">,
    reason: string,
  ): Promise<Finished | null> {
    const ended = await deps.runs.transition(run.accountId, run.runKey, ["pending", "queued"], to, {
      reason,
    });
    if (!ended) return null;

    let refunded = false;
    if (ended.chargeKey && !(await stillPaysForSomething(ended))) {
      const result = await deps.ledger.refund(ended.accountId, {
        chargeKey: ended.chargeKey,
        description: `Refund: review of ${ended.pr.repository}#${ended.pr.number} ${to} (${reason})`,
      });
      refunded = result.status === "created" || result.status === "replayed";
    }

    if (to === "failed") {
      await deps.enqueueReply(
        {
          kind: "comment",
          accountId: ended.accountId,
          installationId: ended.installationId,
          repository: ended.pr.repository,
          number: ended.pr.number,
          body: deps.voice.reviewFailed({ headSha: ended.headSha, reason: ended.reason, refunded }),
        },
        `failed-${ended.runKey}`,
      );
    }
    return { run: ended, refunded };
  };

  async function stillPaysForSomething(run: ReviewRun): Promise<boolean> {
    const key = run.chargeKey!;
    if (await deps.runs.postedWithCharge(run.accountId, key)) return true;
    const siblings = await deps.runs.listForPullRequest(
      run.accountId,
      run.pr.repositoryId,
      run.pr.number,
      50,
    );
    return siblings.some(
      (r) =>
        r.runKey !== run.runKey &&
        r.chargeKey === key &&
        (r.status === "pending" || r.status === "queued"),
    );
  }
}
export type FinishRun = ReturnType<typeof createFinishRun>;
