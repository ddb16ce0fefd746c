import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { fixture } from "../support/github.js";
import { mockReviewCalls, useGitHubApi, type PostedReview } from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";
import { OwnRedis } from "../support/own-redis.js";
import { SWEEP_SCHEDULER_ID } from "../../src/worker/schedule-sweep.js";

const acme = toAccountId(9001);
const later = () => new Date(Date.now() + 3_600_000);

/** pull_request.opened for PR `number` of Acme-Corp/widgets. */
function opened(number: number) {
  const base = fixture("pull_request.opened") as { pull_request: Record<string, unknown> };
  return { ...base, number, pull_request: { ...base.pull_request, number } };
}

describe("Redis stopped and started around webhooks", () => {
  let redis: OwnRedis;
  let h: Harness;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => redis.stop());
  useGitHubApi(async () => h?.close());

  it("every charge ends reviewed exactly once: the job is re-added on redelivery, lost jobs are swept", async () => {
    h = await createHarness({ redisUrl: redis.url });
    expect(await h.deliver("pull_request", opened(1))).toBe(202);

    // Redis goes away: the webhook does not hang until GitHub gives up, it fails (GitHub
    // shows the failed delivery and redelivers). The run is paid and queued, its job missing.
    await redis.stop();
    expect(await h.deliver("pull_request", opened(2))).toBe(500);
    const run2 = async () => (await h.store.runs.listForPullRequest(acme, 501, 2, 1))[0]!;
    expect((await run2()).status).toBe("queued");

    // Redis is back, empty: PR 1's job is gone too.
    await redis.start();
    expect(await h.reviewsQueue.getJobCounts("delayed", "waiting")).toMatchObject({
      delayed: 0,
      waiting: 0,
    });
    // GitHub redelivers PR 2: a duplicate of a queued run, so its job is added again.
    expect(await h.deliver("pull_request", opened(2))).toBe(202);
    expect(await h.reviewsQueue.getJobCounts("delayed", "waiting")).toMatchObject({
      delayed: 0,
      waiting: 1,
    });
    // PR 1 is nobody's redelivery: the sweeper finds its queued run without a job.
    expect((await h.jasper.sweep(later())).requeued).toBe(1);

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { times: 2 });
    h.startWorkers();
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);
    expect(posted.map((p) => p.number).sort()).toEqual([1, 2]);

    // Charged once each (2 of the 3 free reviews), nothing refunded, the ledger proves itself.
    const summary = await h.ledger.summary(acme);
    expect(summary.balance).toBe(1);
    const report = await verifyLedger(h.store.ledger);
    expect(report.problemCount).toBe(0);
  });

  it("a Redis restarted empty gets its sweep back by itself, and the sweep reviews the charged run it lost", async () => {
    h = await createHarness({ redisUrl: redis.url });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { times: 1 });
    // The periodic check an hour away: what brings the sweep back here is the reconnect.
    h.startWorkers({ sweepEveryMs: 200, staleAfterMs: 0, sweepCheckEveryMs: 3_600_000 });
    const scheduler = () => h.maintenanceQueue.getJobScheduler(SWEEP_SCHEDULER_ID);
    await eventually(async () => (await scheduler()) !== undefined);

    // Redis goes away; PR 3 is charged and its run queued, but its job never reaches Redis.
    await redis.stop();
    expect(await h.deliver("pull_request", opened(3))).toBe(500);
    const run3 = async () => (await h.store.runs.listForPullRequest(acme, 501, 3, 1))[0]!;
    expect((await run3()).status).toBe("queued");
    expect((await h.ledger.summary(acme)).balance).toBe(2);

    // Back empty: no scheduler, no job. Nobody acts, and the sweep comes back and reviews PR 3.
    await redis.start();
    await eventually(async () => posted.length === 1, 20_000);
    expect(posted[0]!.number).toBe(3);
    expect(await scheduler()).toMatchObject({ every: 200 });
    await eventually(async () => (await run3()).status === "posted");
    expect((await h.ledger.summary(acme)).balance).toBe(2);
  });
});
