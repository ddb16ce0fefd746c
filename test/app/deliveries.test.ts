import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { pullRequestEvent, signedDelivery } from "../support/github.js";
import { mockReviewCalls, useGitHubApi, type PostedReview } from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * The webhook records and hands off (issue 18): a 202 once the delivery is in the inbox and
 * queued, nothing charged or asked of GitHub in the request, and the deliveries worker doing
 * the rest once per delivery id, charging once per head however many deliveries name it.
 */
const acme = toAccountId(9001);

describe("deliveries: recorded by the webhook, processed once by the worker", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 100 });

  it("the same delivery twice (a redelivery: same id) is recorded once, processed once: one charge, one review", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const delivery = signedDelivery("pull_request", pullRequestEvent("opened"));
    const id = delivery.headers["x-github-delivery"];

    const first = await h.server.inject(delivery);
    expect(first.statusCode).toBe(202);
    // Nothing but the record and its job: no charge, no run, no GitHub request in the request.
    expect(await usage()).toEqual([]);
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);
    expect(await h.store.deliveries.get(id)).toMatchObject({ status: "received", attempts: 0 });
    // GitHub sends it again before any worker ran: the same one job.
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    expect(await h.deliveriesQueue.getJobCounts("prioritized")).toEqual({ prioritized: 1 });

    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await h.store.deliveries.get(id)).toMatchObject({ status: "processed", attempts: 1 });
    // Redelivered once processed: a no-op, no job.
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    expect(await h.pendingJobs()).toBe(0);
    expect(await usage()).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect((await verifyLedger(h.store.ledger)).problemCount).toBe(0);
  });

  it("two deliveries for the same head, processed side by side by the worker: one charge, one review", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const ids: string[] = [];
    for (const action of ["opened", "opened"]) {
      const sent = await h.send("pull_request", pullRequestEvent(action));
      expect(sent.status).toBe(202);
      ids.push(sent.deliveryId);
    }
    expect(new Set(ids).size).toBe(2);

    h.startWorkers({ deliveryConcurrency: 2 });
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    for (const id of ids) {
      expect((await h.store.deliveries.get(id))?.status).toBe("processed");
    }
    expect(await usage()).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect((await h.ledger.summary(acme)).balance).toBe(2);
    expect((await verifyLedger(h.store.ledger)).problemCount).toBe(0);
  });

  it("a delivery that failed for good is processed when GitHub redelivers it, once", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const delivery = signedDelivery("pull_request", pullRequestEvent("opened"));
    const id = delivery.headers["x-github-delivery"];
    expect((await h.server.inject(delivery)).statusCode).toBe(202);

    // Its last attempt fails (the database, GitHub, down for longer than the retries last).
    const get = h.store.accounts.get.bind(h.store.accounts);
    h.store.accounts.get = async () => {
      throw new Error("the database is down");
    };
    await expect(
      h.jasper.processDelivery({ deliveryId: id }, { finalAttempt: true }),
    ).rejects.toThrow("the database is down");
    h.store.accounts.get = get;
    expect(await h.store.deliveries.get(id)).toMatchObject({
      status: "failed",
      error: "the database is down",
    });
    // Its job, taken now, finds it failed: nothing is done, and it stays failed.
    h.startWorkers();
    await eventually(async () => (await h.pendingJobs()) === 0);
    expect((await h.store.deliveries.get(id))?.status).toBe("failed");
    expect(await usage()).toEqual([]);

    // Redelivered (GitHub's Redeliver, or the redelivery job): reopened, queued anew, done once.
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await h.store.deliveries.get(id)).toMatchObject({ status: "processed", attempts: 2 });
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    expect(await h.pendingJobs()).toBe(0);
    expect(await usage()).toHaveLength(1);
    expect(posted).toHaveLength(1);
  });
});
