import type { AccountId } from "../../src/accounts/types.js";
import { runKeyOf } from "../../src/reviews/charge-keys.js";
import type { NewRun, PullRequestRef, ReviewRun } from "../../src/reviews/types.js";
import type { Store } from "../../src/store/store.js";
import { pullRequestUrlOn } from "../../src/github/pull-request-url.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import {
  createAcceptReview,
  type AcceptDeps,
  type ReviewTrigger,
} from "../../src/reviews/accept-review.js";

/**
 * What a crash between claiming a run and charging it leaves behind: a `pending` run of the
 * head's first attempt, claimed as accept-review claims it (with the next per-PR sequence).
 */
export async function claimPendingRun(
  store: Pick<Store, "runs" | "pullRequests">,
  accountId: AccountId,
  pr: PullRequestRef,
  headSha: string,
  over: Partial<NewRun> = {},
): Promise<ReviewRun> {
  const { run } = await store.runs.claim({
    accountId,
    runKey: runKeyOf(pr, headSha, 0),
    pr,
    headSha,
    attempt: 0,
    sequence: await store.pullRequests.nextRunSequence(accountId, pr),
    commentId: null,
    installationId: 4242,
    status: "pending",
    chargeKey: null,
    incremental: false,
    reason: null,
    ...over,
  });
  return run;
}

/**
 * An automatic review of `pr` at `headSha` from installation 4242, as the pull request events
 * ask for one; `over` changes any field (the URL stays `pr`'s).
 */
export const reviewTrigger = (
  accountId: AccountId,
  pr: PullRequestRef,
  headSha: string,
  over: Partial<ReviewTrigger> = {},
): ReviewTrigger => ({
  accountId,
  installationId: 4242,
  pr,
  headSha,
  url: `https://github.com/${pr.repository}/pull/${pr.number}`,
  source: "auto",
  ...over,
});

/** AcceptReview over a store and its ledger, queueing nothing unless `over` says otherwise. */
export function acceptReviewOn(store: Store, ledger: Ledger, over: Partial<AcceptDeps> = {}) {
  return createAcceptReview({
    runs: store.runs,
    pullRequests: store.pullRequests,
    accounts: store.accounts,
    ledger,
    enqueueReview: async () => {},
    enqueueReply: async () => {},
    pullRequestUrl: pullRequestUrlOn("https://github.com"),
    ...over,
  });
}
