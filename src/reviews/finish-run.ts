import type { Ledger } from "../ledger/ledger.js";
import type { ReplyJob } from "./jobs.js";
import type { Voice } from "../voice/voice.js";
import { isPullRequestChargeKey } from "./charge-keys.js";
import { checkRunOf, type CheckRuns } from "./check-runs.js";
import type { ReviewRun, ReviewRunStore, RunStatus } from "./types.js";

export interface FinishRunDeps {
  runs: Pick<
    ReviewRunStore,
    "transition" | "settleRefund" | "postedWithCharge" | "listForPullRequest"
  >;
  ledger: Pick<Ledger, "refund">;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** Says so on the pull request when a run failed. */
  voice: Pick<Voice, "reviewFailed">;
  /** The commit's `Jasper` check run shows how the run ended. */
  checkRuns?: Pick<CheckRuns, "failed" | "skipped">;
}

export interface Finished {
  run: ReviewRun;
  refunded: boolean;
}

/** What an ended run's charge is doing now. */
type ChargeUse = "none" | "posted" | "carried" | "undecided" | "unused";

/**
 * Ends a run that will not be posted: "failed" (Jasper's fault, after its retries),
 * "superseded" (a newer head will be reviewed instead) or "skipped" (the pull request closed).
 *
 * The run's end and "a refund is due" are one write (`refundDue`); `settle` then refunds the
 * charge unless some review it paid for was posted or another run still carries it (under
 * the default policy every run of a pull request shares one charge), queues the failure
 * comment, and clears the flag. A crash or an error between the two leaves the flag set, and
 * the sweeper runs `settle` again: the refund is keyed by the charge and the comment by the
 * run, so however often it runs, each happens once. Returns null when another worker ended
 * the run first.
 */
export function createFinishRun(deps: FinishRunDeps) {
  async function finishRun(
    run: ReviewRun,
    to: Extract<RunStatus, "failed" | "superseded" | "skipped">,
    reason: string,
  ): Promise<Finished | null> {
    const ended = await deps.runs.transition(run.accountId, run.runKey, ["pending", "queued"], to, {
      reason,
      refundDue: true,
    });
    if (!ended) return null;
    return { run: ended, refunded: (await settle(ended)) === "refunded" };
  }

  /**
   * Refunds what an ended run owes and says it failed. "refunded" or "settled" (nothing was
   * owed) clear the flag; "waiting" leaves it for a later sweep.
   */
  async function settle(run: ReviewRun): Promise<"refunded" | "settled" | "waiting"> {
    const use = await chargeUse(run);
    // A sibling run of the pull request was claimed but not paid yet: it is about to take
    // this very charge (the per-PR key), so refunding now could leave its review unpaid.
    // The flag stays set and the sweeper decides once that run is paid or ended.
    if (use === "undecided") return "waiting";
    let refunded = false;
    if (use === "unused") {
      const result = await deps.ledger.refund(run.accountId, {
        chargeKey: run.chargeKey!,
        description: `Refund: review of ${run.pr.repository}#${run.pr.number} ${run.status} (${run.reason ?? "error"})`,
      });
      refunded = result.status === "created" || result.status === "replayed";
    }
    if (run.status === "failed") {
      await deps.enqueueReply(
        {
          kind: "comment",
          accountId: run.accountId,
          installationId: run.installationId,
          repository: run.pr.repository,
          number: run.pr.number,
          body: deps.voice.reviewFailed({ headSha: run.headSha, reason: run.reason, refunded }),
        },
        `failed-${run.runKey}`,
      );
    }
    await showEnd(run, refunded);
    await deps.runs.settleRefund(run.accountId, run.runKey);
    return refunded ? "refunded" : "settled";
  }

  async function showEnd(run: ReviewRun, refunded: boolean): Promise<void> {
    if (!deps.checkRuns) return;
    const pr = {
      installationId: run.installationId,
      repository: run.pr.repository,
      number: run.pr.number,
    };
    const at = checkRunOf(run);
    if (run.status === "failed") {
      await deps.checkRuns.failed(pr, at, { reason: run.reason, refunded });
    } else if (run.status === "skipped" || run.status === "superseded") {
      await deps.checkRuns.skipped(pr, at, run.reason ?? run.status);
    }
  }

  async function chargeUse(run: ReviewRun): Promise<ChargeUse> {
    const key = run.chargeKey;
    if (!key) return "none";
    if (await deps.runs.postedWithCharge(run.accountId, key)) return "posted";
    const siblings = (
      await deps.runs.listForPullRequest(run.accountId, run.pr.repositoryId, run.pr.number, 50)
    ).filter((r) => r.runKey !== run.runKey);
    const live = (r: ReviewRun) => r.status === "pending" || r.status === "queued";
    if (siblings.some((r) => r.chargeKey === key && live(r))) return "carried";
    if (
      isPullRequestChargeKey(key) &&
      siblings.some((r) => r.status === "pending" && !r.chargeKey)
    ) {
      return "undecided";
    }
    return "unused";
  }

  return Object.assign(finishRun, { settle });
}
export type FinishRun = ReturnType<typeof createFinishRun>;
