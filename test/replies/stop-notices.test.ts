/**
 * The pull request's stop notices ("the balance is 0", "a budget is used") say only what is
 * still true: not posted once the newest run's review went ahead, corrected in place when it
 * goes ahead later, also when that happens while the notice is being posted.
 */
import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { ReviewEngine } from "../../src/engine/engine.js";
import type { ReplyJob } from "../../src/reviews/jobs.js";
import { createPostReply } from "../../src/replies/post-reply.js";
import { BUDGET_NOTICE_MARKER, PAUSED_NOTICE_MARKER, createVoice } from "../../src/voice/voice.js";
import { TAKEN_UP } from "../../src/reviews/pause-reasons.js";
import type { PullRequestHost } from "../../src/reviews/pull-request-host.js";
import type { PullRequestRef, ReviewRun } from "../../src/reviews/types.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { claimPendingRun } from "../support/runs.js";

const acme = toAccountId(9001);
const PR: PullRequestRef = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };
const target = { accountId: acme, installationId: 4242, repository: PR.repository, number: 12 };
const pausedJob: ReplyJob = { kind: "paused_notice", ...target, repositoryId: 501 };
const budgetJob: ReplyJob = {
  kind: "budget_notice",
  ...target,
  repositoryId: 501,
  stop: { budget: "pull_request_runs", cap: 2, used: 2 },
  resetsOn: "2030-01-01T00:00:00.000Z",
};
const liftedJob: ReplyJob = { kind: "stop_lifted", ...target, repositoryId: 501 };

function world() {
  const store = createMemoryStore();
  const comments = new Map<number, string>();
  /** Runs while a comment is being posted: what happens elsewhere meanwhile. */
  let duringPost = async () => {};
  const host = {
    findCommentWithMarker: async (_pr: unknown, marker: string) =>
      [...comments].find(([, body]) => body.includes(marker))?.[0] ?? null,
    postComment: async (_pr: unknown, body: string) => {
      await duringPost();
      comments.set(comments.size + 1, body);
      return comments.size;
    },
    updateComment: async (_pr: unknown, id: number, body: string) => {
      comments.set(id, body);
      return id;
    },
  } as unknown as PullRequestHost;
  const postReply = createPostReply({
    pullRequests: store.pullRequests,
    runs: store.runs,
    engine: {} as ReviewEngine,
    acceptReview: { accept: async () => ({ status: "skipped", reason: "account_inactive" }) },
    host,
    voice: createVoice({ botName: "jasper", publicUrl: "https://jasper.example" }),
  });
  /** A run of `headSha` parked by a stop, as accept-review leaves it. */
  async function parked(headSha: string): Promise<ReviewRun> {
    const run = await claimPendingRun(store, acme, PR, headSha);
    return (await store.runs.transition(acme, run.runKey, ["pending"], "paused", {
      reason: "insufficient_credits",
    }))!;
  }
  /** What take-up.ts does once the room is there: the parked run is paid and queued. */
  async function takenUp(run: ReviewRun): Promise<void> {
    await store.runs.transition(acme, run.runKey, ["paused"], "queued", {
      reason: TAKEN_UP,
      chargeKey: `review:${run.runKey}:run`,
    });
  }
  return {
    store,
    postReply,
    parked,
    takenUp,
    bodies: () => [...comments.values()],
    noticeRecorded: async () => (await store.pullRequests.get(acme, 501, 12)).pausedNoticeCommentId,
    set duringPost(f: () => Promise<void>) {
      duringPost = f;
    },
  };
}

describe("stop notices on a pull request", () => {
  it("is not posted when the newest run's review went ahead before the notice went out", async () => {
    const w = world();
    await w.takenUp(await w.parked("c".repeat(40)));
    await w.postReply(pausedJob);
    await w.postReply(budgetJob);
    expect(w.bodies()).toEqual([]);
    expect(await w.noticeRecorded()).toBeNull();
  });

  it("is corrected in place when the parked run is taken up after it went out, keeping its marker", async () => {
    const w = world();
    const run = await w.parked("c".repeat(40));
    await w.postReply(pausedJob);
    expect(w.bodies()).toEqual([expect.stringContaining("the credit balance is 0")]);
    expect(await w.noticeRecorded()).toBe(1);

    await w.takenUp(run);
    await w.postReply(liftedJob);
    expect(w.bodies()).toEqual([expect.stringContaining("`ccccccc` went ahead")]);
    expect(w.bodies()[0]).toContain("cancelled and refunded");
    expect(w.bodies()[0]).toContain(PAUSED_NOTICE_MARKER);
  });

  it("corrects itself when the review goes ahead while the notice is being posted", async () => {
    const w = world();
    const run = await w.parked("c".repeat(40));
    w.duringPost = () => w.takenUp(run);
    await w.postReply(budgetJob);
    expect(w.bodies()).toEqual([expect.stringContaining("`ccccccc` went ahead")]);
    expect(w.bodies()[0]).toContain(BUDGET_NOTICE_MARKER);
  });

  it("a late correction leaves a newer stop's notice as it is", async () => {
    const w = world();
    await w.takenUp(await w.parked("c".repeat(40)));
    await w.parked("d".repeat(40));
    await w.postReply(budgetJob);
    await w.postReply(liftedJob);
    expect(w.bodies()).toEqual([expect.stringContaining("is used (2/2)")]);
  });
});
