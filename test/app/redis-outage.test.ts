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

  it("Redis down: 503 at once with nothing written; the redelivery is processed once, and a review job lost with Redis is swept", async () => {
    h = await createHarness({ redisUrl: redis.url });
    expect(await h.deliver("pull_request", opened(1))).toBe(202);

    // Redis goes away: the webhook answers 503 at once (GitHub shows the failed delivery and
    // it is redelivered), and nothing is recorded, charged or made for PR 2.
    await redis.stop();
    await eventually(() => h.redis.status === "reconnecting");
    const started = Date.now();
    const refused = await h.send("pull_request", opened(2));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: "queue_unavailable" } });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await h.store.deliveries.get(refused.deliveryId)).toBeNull();
    expect(await h.store.runs.listForPullRequest(acme, 501, 2, 1)).toEqual([]);
    expect((await h.ledger.summary(acme)).balance).toBe(2);

    // Redis is back, empty: PR 1's review job is gone too.
    await redis.start();
    await eventually(() => h.redis.status === "ready");
    expect(await h.reviewsQueue.getJobCounts("delayed", "waiting")).toMatchObject({
      delayed: 0,
      waiting: 0,
    });
    // GitHub redelivers PR 2 (its delivery id): recorded and processed now, queued for review.
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

  it("Redis emptied right after a 202: the sweep queues the recorded delivery again, and it is reviewed, charged once", async () => {
    h = await createHarness({ redisUrl: redis.url });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { times: 1 });

    // Answered 202: recorded in the inbox, its job in Redis; no worker has taken it yet.
    const answered = await h.send("pull_request", opened(3));
    expect(answered.status).toBe(202);
    expect(await h.deliveriesQueue.getJobCounts("prioritized")).toEqual({ prioritized: 1 });
    // Nothing was charged or made in the request.
    expect(await h.store.runs.listForPullRequest(acme, 501, 3, 1)).toEqual([]);

    // Redis restarts empty: the delivery's job is gone. The workers start while it is down and
    // wait; when it is back their sweep (rescheduled by itself) finds the delivery received.
    await redis.stop();
    await eventually(() => h.redis.status === "reconnecting");
    h.startWorkers({ sweepEveryMs: 500, deliveryGraceMs: 0, sweepCheckEveryMs: 3_600_000 });
    await redis.start();
    expect(await h.deliveriesQueue.getJobCounts("prioritized", "waiting")).toMatchObject({
      prioritized: 0,
      waiting: 0,
    });
    await eventually(async () => posted.length === 1, 20_000);
    expect(posted[0]!.number).toBe(3);
    expect(await h.maintenanceQueue.getJobScheduler(SWEEP_SCHEDULER_ID)).toMatchObject({
      every: 500,
    });
    const run3 = async () => (await h.store.runs.listForPullRequest(acme, 501, 3, 1))[0]!;
    await eventually(async () => (await run3())?.status === "posted");
    expect((await h.store.deliveries.get(answered.deliveryId))?.status).toBe("processed");
    // One charge of the three free reviews; the ledger proves itself.
    expect((await h.ledger.summary(acme)).balance).toBe(2);
    expect((await verifyLedger(h.store.ledger)).problemCount).toBe(0);
  });
});
