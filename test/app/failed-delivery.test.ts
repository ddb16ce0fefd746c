import { describe, expect, it } from "@jest/globals";
import { Worker } from "bullmq";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture, pullRequestEvent, signedDelivery } from "../support/github.js";
import {
  fakeGitHub,
  mockReviewCalls,
  useGitHubApi,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * A delivery that fails on every attempt is never silent (issue 18): the paying account's
 * audit log says so once per delivery, and the pull request's head shows a failed check run
 * that says how to ask again; a GitHub that refuses the check run changes neither.
 */
const acme = toAccountId(9001);
const SHA = /^[0-9a-f]{40}$/;

describe("a delivery that failed for good", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  /** The harness with Acme known, and a pull request delivery recorded (202), not processed. */
  async function recorded(options: Parameters<typeof createHarness>[0] = {}) {
    h = await createHarness(options);
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    const delivery = signedDelivery("pull_request", pullRequestEvent("opened"));
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    return { delivery, id: delivery.headers["x-github-delivery"] };
  }
  /**
   * The last attempt's handler fails, the database down while the delivery is handled: at
   * claiming its run; at the handler's first read of the pull request's runs (a head already
   * reviewed claims nothing); at the accounts' upsert (an account Jasper does not know stays
   * unknown); or at an installation event's status change.
   */
  async function failFinally(
    id: string,
    at: "claim" | "first read" | "upsert" | "set status" = "claim",
  ) {
    const { runs, accounts } = h.store;
    const { claim, listForPullRequest: list } = runs;
    const { upsert, setStatus } = accounts;
    const down = async (): Promise<never> => {
      throw new Error("the database is down");
    };
    if (at === "claim") runs.claim = down;
    if (at === "upsert") accounts.upsert = down;
    if (at === "set status") accounts.setStatus = down;
    if (at === "first read") {
      runs.listForPullRequest = async () => {
        runs.listForPullRequest = list;
        return down();
      };
    }
    try {
      await expect(
        h.jasper.processDelivery({ deliveryId: id }, { finalAttempt: true }),
      ).rejects.toThrow("the database is down");
    } finally {
      Object.assign(runs, { claim, listForPullRequest: list });
      Object.assign(accounts, { upsert, setStatus });
    }
  }
  const failures = () => h.store.audit.list(acme, { actions: ["delivery_failed"], limit: 10 });

  it("is one audit entry for the paying account and one failed check run on the head, however often it fails", async () => {
    const { delivery, id } = await recorded({ botName: "reviewbot" });
    await failFinally(id);

    const [entry, ...more] = await failures();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: { kind: "app" },
      interface: "webhook",
      idempotencyKey: `delivery-failed:${id}`,
      details: {
        event: "pull_request.opened",
        deliveryId: id,
        repository: "Acme-Corp/widgets",
        number: 12,
        url: "https://github.com/Acme-Corp/widgets/pull/12",
        error: "the database is down",
      },
    });
    // The error, the ids: never the payload.
    expect(Object.keys(entry!.details).sort()).toEqual(
      ["deliveryId", "error", "event", "number", "repository", "url"].sort(),
    );
    expect(fakeGitHub.checkRunWrites).toHaveLength(1);
    const [check] = fakeGitHub.checkRunWrites;
    expect(check).toMatchObject({ name: "Jasper", status: "completed", conclusion: "failure" });
    expect(check!.head_sha).toMatch(SHA);
    // How to ask again, with the configured bot name.
    expect(check!.output.summary).toContain("`/reviewbot review`");

    // Redelivered and failed for good again: still one entry; the head keeps one check run.
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    await failFinally(id);
    expect(await failures()).toHaveLength(1);
    expect(fakeGitHub.checkRuns.size).toBe(1);
    expect(fakeGitHub.checkRunOn(check!.head_sha)).toMatchObject({ conclusion: "failure" });
    // Nothing charged for it.
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
  });

  it("leaves the check run of a head Jasper already reviewed as it is", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const workers = h.startWorkers();
    expect(await h.deliver("pull_request", pullRequestEvent("opened"))).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    await workers.close();
    const reviewed = fakeGitHub.checkRunWrites.at(-1)!;
    expect(reviewed).toMatchObject({ status: "completed", conclusion: "neutral" });
    const writes = fakeGitHub.checkRunWrites.length;

    // Another delivery for the same head fails for good: told in the audit log only.
    const sent = await h.send("pull_request", pullRequestEvent("opened"));
    expect(sent.status).toBe(202);
    await failFinally(sent.deliveryId, "first read");
    expect(await failures()).toHaveLength(1);
    expect(fakeGitHub.checkRunWrites).toHaveLength(writes);
    expect(fakeGitHub.checkRunOn(reviewed.head_sha)).toEqual(reviewed);
  });

  it("is still in the audit log when GitHub refuses the check run, and nothing throws past the job's own error", async () => {
    const { id } = await recorded();
    fakeGitHub.checkRunFailure = 403;
    await failFinally(id);
    expect(await failures()).toHaveLength(1);
    expect(fakeGitHub.checkRuns.size).toBe(0);
    expect(await h.store.deliveries.get(id)).toMatchObject({ status: "failed" });
  });

  it("of an installation event is in its account's audit log, with no pull request", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    const sent = await h.send("installation", fixture("installation.deleted"));
    expect(sent.status).toBe(202);
    await failFinally(sent.deliveryId, "set status");
    const [entry, ...more] = await failures();
    expect(more).toEqual([]);
    expect(entry?.details).toEqual({
      event: "installation.deleted",
      deliveryId: sent.deliveryId,
      error: "the database is down",
    });
    expect(fakeGitHub.checkRunWrites).toEqual([]);
  });

  it("that the sweep marks failed (its worker died on the last attempt) is one audit entry too", async () => {
    const { id } = await recorded();
    // The job failed for good in the queue while its worker could not record it: taken by
    // hand, its remaining attempts discarded, failed.
    const connection = h.redis.duplicate({ maxRetriesPerRequest: null });
    const taker = new Worker(h.deliveriesQueue.name, null, {
      connection,
      prefix: h.prefix,
      autorun: false,
    });
    try {
      const job = await taker.getNextJob("token", { block: false });
      expect(job?.data).toEqual({ deliveryId: id });
      job!.discard();
      await job!.moveToFailed(new Error("worker killed"), "token");
    } finally {
      await taker.close();
      await connection.quit();
    }
    const later = new Date(Date.now() + 3_600_000);
    expect(await h.jasper.sweepDeliveries(later)).toEqual({ requeued: 0, failed: 1 });
    expect(await h.store.deliveries.get(id)).toMatchObject({ status: "failed" });
    const [entry, ...more] = await failures();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      idempotencyKey: `delivery-failed:${id}`,
      details: {
        event: "pull_request.opened",
        deliveryId: id,
        error: "the delivery worker stopped",
      },
    });
    expect(fakeGitHub.checkRunWrites).toHaveLength(1);
    // A second sweep: still one entry.
    expect(await h.jasper.sweepDeliveries(later)).toEqual({ requeued: 0, failed: 0 });
    expect(await failures()).toHaveLength(1);
  });

  it("of an account Jasper does not know writes nothing", async () => {
    h = await createHarness();
    const delivery = signedDelivery("pull_request", pullRequestEvent("opened"));
    const id = delivery.headers["x-github-delivery"];
    expect((await h.server.inject(delivery)).statusCode).toBe(202);
    await failFinally(id, "upsert");
    expect(await failures()).toEqual([]);
    expect(await h.store.accounts.get(acme)).toBeNull();
    expect(fakeGitHub.checkRunWrites).toEqual([]);
  });
});
