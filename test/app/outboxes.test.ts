import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { alertJobId } from "../../src/notifications/alert-job.js";
import { createAlertRedrive } from "../../src/notifications/redrive-alerts.js";
import { createNoticeRedrive } from "../../src/reviews/paused-notice.js";
import { fixture } from "../support/github.js";
import { mockComments, useGitHubApi, type PostedComment } from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const inThreeMinutes = () => new Date(Date.now() + 180_000);

/**
 * What is decided in the database and then queued in Redis (a low-balance email, the paused
 * notice) must survive the process dying in between, or Redis losing the job: the sweep
 * drains both. The loss is made by removing the queued job, which leaves Redis exactly as a
 * crash right before the add would have.
 */
describe("outboxes: nothing decided is lost between the database and the queue", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  it("a low-balance alert that could not be queued is queued by the redrive, once", async () => {
    h = await createHarness({ env: { FREE_REVIEWS_PER_MONTH: "0" } });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 11,
      description: "credits",
      idempotencyKey: "p",
    });
    // 11 -> 10: the warning level is crossed; then its job is lost.
    const charged = await h.ledger.charge(acme, {
      action: "review",
      description: "a review",
      idempotencyKey: "c1",
    });
    expect(charged.status).toBe("created");
    const notifications = h.notificationsQueue;
    await eventually(async () => (await notifications.count()) === 1);
    await notifications.obliterate({ force: true });
    expect(await notifications.count()).toBe(0);

    const redrive = createAlertRedrive({
      ledger: h.store.ledger,
      enqueueAlert: h.jasper.producer.enqueueAlert,
    });
    expect(await redrive()).toBe(1);
    expect(await redrive()).toBe(1); // queued again: the job id makes it the same job
    const entryId = charged.status === "created" ? charged.entry.id : "";
    const job = await notifications.getJob(alertJobId(acme, entryId, "warning"));
    expect(job?.data).toEqual({ accountId: acme, entryId, level: "warning", balance: 10 });
    expect(await notifications.count()).toBe(1);
  });

  it("a month-end expiration of free credits is not an alert", async () => {
    let now = new Date("2026-11-20T12:00:00Z");
    h = await createHarness({ now: () => now });
    await h.ledger.ensureFreeTier(acme); // 3 free credits for November
    now = new Date("2026-12-01T00:00:01Z");
    await h.ledger.ensureFreeTier(acme); // expiration (3 -> 0), then December's grant
    const redrive = createAlertRedrive(
      { ledger: h.store.ledger, enqueueAlert: h.jasper.producer.enqueueAlert },
      { windowMs: 365 * 86_400_000 },
    );
    expect(await redrive()).toBe(0);
  });

  it("a paused notice claimed but never queued is posted by the redrive, once", async () => {
    h = await createHarness({ env: { FREE_REVIEWS_PER_MONTH: "0" } });
    // Balance 0: the run is paused and the notice claimed; then its job is lost.
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    expect(await h.repliesQueue.count()).toBe(1);
    await h.repliesQueue.obliterate({ force: true });
    // GitHub's redelivery finds the run paused and the notice claimed: it queues nothing.
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    expect(await h.pendingJobs()).toBe(0);

    const redrive = createNoticeRedrive(
      { pullRequests: h.store.pullRequests, enqueueReply: h.jasper.producer.enqueueReply },
      { now: inThreeMinutes },
    );
    expect(await redrive()).toBe(1);
    expect(await redrive()).toBe(1); // still unposted, so queued again: the same job

    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("reviews are paused");
    // Posted and recorded: the outbox is empty.
    expect(await redrive()).toBe(0);
  });
});
