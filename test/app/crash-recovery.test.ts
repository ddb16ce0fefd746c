import { describe, expect, it } from "@jest/globals";
import { UnrecoverableError, Worker } from "bullmq";
import { toAccountId } from "../../src/accounts/types.js";
import { createRedis } from "../../src/queue/redis.js";
import { jobId, QUEUE } from "../../src/queue/queues.js";
import { fixture } from "../support/github.js";
import {
  mockComments,
  useGitHubApi,
  mockReviewCalls,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, REDIS_URL, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const later = () => new Date(Date.now() + 3_600_000);

describe("a worker killed mid-review never loses the credit", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const run = async () => (await h.store.runs.listForPullRequest(acme, 501, 12, 1))[0]!;

  it("re-queues a paid run whose job vanished, and the review is posted", async () => {
    h = await createHarness();
    await h.deliver("pull_request", fixture("pull_request.opened"));
    const queue = h.reviewsQueue;
    await queue.obliterate({ force: true }); // Redis lost the job (flushed, failed over)
    expect((await run()).status).toBe("queued");

    expect(await h.jasper.sweep(later())).toEqual({
      resumed: 0,
      requeued: 1,
      failed: 0,
      settled: 0,
      errors: 0,
    });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    h.startWorkers();
    await eventually(async () => (await run()).status === "posted");
    expect(posted).toHaveLength(1);
  });

  it("re-queues a paid run whose job vanished when GitHub redelivers its event: posted once, charged once", async () => {
    h = await createHarness();
    await h.deliver("pull_request", fixture("pull_request.opened"));
    const id = jobId("run", acme, (await run()).runKey);
    expect(await h.reviewsQueue.getJob(id)).toBeDefined();
    await h.reviewsQueue.remove(id); // Redis lost the job (flushed, failed over)
    expect(await h.reviewsQueue.getJob(id)).toBeUndefined();

    // The webhook answered 500 or GitHub redelivered anyway: the same event again.
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    expect(await h.reviewsQueue.getJob(id)).toBeDefined();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    h.startWorkers();
    await eventually(
      async () => (await run()).status === "posted" && (await h.pendingJobs()) === 0,
    );

    expect(posted).toHaveLength(1);
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toHaveLength(1);
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toHaveLength(1);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
  });

  it("refunds a run whose job died on its last attempt without recording it", async () => {
    h = await createHarness();
    await h.deliver("pull_request", fixture("pull_request.opened"));
    // A worker that dies on the job's last attempt: BullMQ marks the job failed, but none of
    // Jasper's own failure handling (finishRun) ever ran.
    const connection = createRedis(REDIS_URL, "worker");
    const dying = new Worker(
      QUEUE.reviews,
      async () => {
        throw new UnrecoverableError("killed");
      },
      { connection, prefix: h.prefix },
    );
    const queue = h.reviewsQueue;
    await eventually(async () => (await queue.getJobCounts("failed")).failed === 1);
    await dying.close();
    expect((await run()).status).toBe("queued");

    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    expect((await h.jasper.sweep(later())).failed).toBe(1);
    h.startWorkers();
    await eventually(async () => comments.length === 1);
    expect((await run()).status).toBe("failed");
    expect(await h.store.ledger.list(acme, { types: ["refund"], limit: 10 })).toHaveLength(1);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(3);
    // Sweeping again finds nothing left to do.
    expect(await h.jasper.sweep(later())).toEqual({
      resumed: 0,
      requeued: 0,
      failed: 0,
      settled: 0,
      errors: 0,
    });
    await connection.quit();
  });

  it("resumes a run left pending when queueing failed, charging it once", async () => {
    h = await createHarness();
    await h.deliver("pull_request", fixture("pull_request.opened"));
    // Simulate the crash between "charged" and "queued": put the run back to pending.
    const r = await run();
    await h.reviewsQueue.obliterate({ force: true });
    await h.store.runs.transition(acme, r.runKey, ["queued"], "pending");

    expect((await h.jasper.sweep(later())).resumed).toBe(1);
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    h.startWorkers();
    await eventually(async () => (await run()).status === "posted");
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toHaveLength(1);
  });
});
