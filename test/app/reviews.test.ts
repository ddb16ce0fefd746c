import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { fixture, pullRequestEvent } from "../support/github.js";
import {
  mockComments,
  useGitHubApi,
  mockReviewCalls,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const prEvent = pullRequestEvent;

/** A push to pull request 12: the synchronize event at head `sha`. */
const pushEvent = (sha: string) => {
  const event = fixture("pull_request.synchronize") as Record<string, unknown> & {
    pull_request: { head: Record<string, unknown> };
  };
  return {
    ...event,
    pull_request: { ...event.pull_request, head: { ...event.pull_request.head, sha } },
  };
};

describe("automatic reviews", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 1000 });
  const refunds = () => h.store.ledger.list(acme, { types: ["refund"], limit: 1000 });
  const runs = (n = 12) => h.store.runs.listForPullRequest(acme, 501, n, 100);

  it("charges once, queues once and posts one review, however often the delivery is replayed", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    const statuses = await Promise.all(
      [1, 2, 3].map(() => h.deliver("pull_request", prEvent("opened"))),
    );
    expect(statuses).toEqual([200, 200, 200]);
    expect(await usage()).toHaveLength(1);
    expect((await usage())[0]!.reference).toEqual({
      kind: "pull_request",
      repository: "Acme-Corp/widgets",
      // GitHub's id of the repository (repository.id): what budgets count by, across renames.
      repositoryId: 501,
      number: 12,
      url: "https://github.com/Acme-Corp/widgets/pull/12",
      headSha: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c",
      // The PR's author, for usage by author (pull_request.user.login).
      author: "octo-dev",
    });

    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");
    // One more replay after the review was posted: still nothing new.
    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(200);
    await eventually(async () => (await h.pendingJobs()) === 0);

    expect(await usage()).toHaveLength(1);
    expect(await runs()).toHaveLength(1);
    expect(posted).toHaveLength(1);
    const review = posted[0]!.body;
    expect(review.event).toBe("COMMENT");
    expect(review.body).toContain("`package-lock.json` (lock file)");
    expect(review.comments?.map((c) => `${c.path}:${c.line}`)).toEqual(
      expect.arrayContaining(["config/stripe.ts:2", "src/payments/retry.ts:7"]),
    );
    expect(JSON.stringify(review)).not.toContain("sk_live_51Habcdefghijklmnopqrstuvwx");
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
  });

  it("refunds once and says so when the AI provider fails every attempt", async () => {
    nock("http://ai.test")
      .post("/v1/chat/completions")
      .times(4)
      .reply(500, { error: { message: "down" } });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    mockReviewCalls([], { number: 12, times: 4, post: false });
    const comments: PostedComment[] = [];
    mockComments(comments, 1);

    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(200);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    expect((await runs())[0]).toMatchObject({ status: "failed" });
    expect(await usage()).toHaveLength(1);
    expect(await refunds()).toHaveLength(1);
    expect((await refunds())[0]!.deltas).toEqual({ free: 1, bonus: 0, purchased: 0 });
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(3);
    expect(comments[0]!.body).toContain("could not review");
    expect(comments[0]!.body).toContain("refunded");
  });

  it("pauses at zero: 20 pull requests at once get no charge and one notice each", async () => {
    h = await createHarness();
    await h.jasper.ledger.ensureFreeTier(acme);
    for (const key of ["a", "b", "c"]) {
      await h.jasper.ledger.charge(acme, {
        action: "review",
        description: "earlier",
        idempotencyKey: key,
      });
    }
    const comments: PostedComment[] = [];
    mockComments(comments, 20, { listFirst: true });

    const numbers = Array.from({ length: 20 }, (_, i) => 100 + i);
    // Each pull request's event arrives twice, all at once.
    const deliveries = numbers.flatMap((n) => [prEvent("opened", n), prEvent("opened", n)]);
    const statuses = await Promise.all(deliveries.map((p) => h.deliver("pull_request", p)));
    expect(new Set(statuses)).toEqual(new Set([200]));

    h.startWorkers();
    await eventually(async () => comments.length === 20 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(3);
    expect(comments.map((c) => c.number).sort()).toEqual(numbers);
    for (const c of comments) {
      expect(c.body).toContain("reviews are paused");
      expect(c.body.split("\n").some((line) => /^\s*[/@]jasper/i.test(line))).toBe(false);
    }
  });

  it("with 3 credits and 10 pull requests at once, reviews exactly 3 and pauses 7", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    const comments: PostedComment[] = [];
    mockReviewCalls(posted, { times: 3 });
    mockComments(comments, 7, { listFirst: true });

    const numbers = Array.from({ length: 10 }, (_, i) => 200 + i);
    await Promise.all(numbers.map((n) => h.deliver("pull_request", prEvent("opened", n))));
    h.startWorkers();
    await eventually(
      async () => posted.length === 3 && comments.length === 7 && (await h.pendingJobs()) === 0,
    );
    expect(await usage()).toHaveLength(3);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(0);
    const reviewed = posted.map((p) => p.number);
    const paused = comments.map((c) => c.number);
    expect([...reviewed, ...paused].sort()).toEqual(numbers);
  });

  it("skips drafts, then reviews once when marked ready for review", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    expect(await h.deliver("pull_request", prEvent("opened.draft"))).toBe(200);
    expect(await runs()).toHaveLength(0);
    expect(await usage()).toHaveLength(0);

    expect(await h.deliver("pull_request", prEvent("ready_for_review"))).toBe(200);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(1);
  });

  it("never reviews or charges pull requests opened by bots", async () => {
    h = await createHarness();
    const bot = { login: "dependabot[bot]", id: 49699333, type: "Bot" };
    expect(await h.deliver("pull_request", prEvent("opened", 12, { user: bot }))).toBe(200);
    expect(await runs()).toHaveLength(0);
    expect(await usage()).toHaveLength(0);
  });

  it("re-reviews later pushes without charging again, by default", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12, headSha: "2".repeat(40) });

    await h.deliver("pull_request", prEvent("opened"));
    h.startWorkers();
    // Posted as GitHub sees it AND as Jasper recorded it: only then is the next run incremental.
    await eventually(async () => (await runs())[0]?.status === "posted");
    await h.deliver("pull_request", fixture("pull_request.synchronize"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    expect(await usage()).toHaveLength(1);
    expect((await runs()).map((r) => [r.status, r.incremental])).toEqual([
      ["posted", true],
      ["posted", false],
    ]);
    expect(posted[1]!.body.body).toContain("Incremental re-review");
  });

  it("charges every run when the account chose to", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12, headSha: "2".repeat(40) });

    await h.deliver("pull_request", prEvent("opened"));
    h.startWorkers();
    // Posted as GitHub sees it AND as Jasper recorded it: only then is the next run incremental.
    await eventually(async () => (await runs())[0]?.status === "posted");
    await h.deliver("pull_request", fixture("pull_request.synchronize"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(2);
  });

  it("coalesces a burst of pushes into one review of the newest head", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    const newest = "3".repeat(40);
    mockReviewCalls(posted, { number: 12, headSha: newest });

    const push = (sha: string) => {
      const event = fixture("pull_request.synchronize") as Record<string, unknown> & {
        pull_request: { head: Record<string, unknown> };
      };
      return {
        ...event,
        pull_request: { ...event.pull_request, head: { ...event.pull_request.head, sha } },
      };
    };
    await h.deliver("pull_request", prEvent("opened"));
    await h.deliver("pull_request", push("2".repeat(40)));
    await h.deliver("pull_request", push(newest));
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);

    expect((await runs()).map((r) => [r.headSha[0], r.status])).toEqual([
      ["3", "posted"],
      ["2", "superseded"],
      ["1", "superseded"],
    ]);
    expect(posted[0]!.body.commit_id).toBe(newest);
    expect(await usage()).toHaveLength(1);
    expect(await refunds()).toHaveLength(0);
  });

  it("per-run charging, 2 credits, three pushes: the third pauses, no older head is reviewed, both older runs are refunded", async () => {
    h = await createHarness({ env: { FREE_REVIEWS_PER_MONTH: "0" } });
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 2,
      description: "2 credits purchased",
      idempotencyKey: "purchase-cs_test_1",
    });
    const [headB, headC] = ["2".repeat(40), "3".repeat(40)];
    // GitHub's answer if asked: the pull request is at C by the time the workers run.
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12, headSha: headC, times: 2, optional: true });
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });

    await h.deliver("pull_request", prEvent("opened"));
    await h.deliver("pull_request", pushEvent(headB));
    await h.deliver("pull_request", pushEvent(headC));
    expect((await runs()).map((r) => [r.headSha[0], r.status])).toEqual([
      ["3", "paused"],
      ["2", "queued"],
      ["1", "queued"],
    ]);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(0);

    h.startWorkers();
    await eventually(
      async () =>
        (await runs()).every((r) => r.status !== "queued") &&
        comments.length === 1 &&
        (await h.pendingJobs()) === 0,
    );

    expect(posted).toEqual([]);
    expect((await runs()).map((r) => [r.headSha[0], r.status, r.refundDue])).toEqual([
      ["3", "paused", false],
      ["2", "superseded", false],
      ["1", "superseded", false],
    ]);
    const charges = await usage();
    expect(charges).toHaveLength(2);
    expect((await refunds()).map((e) => e.refundOf).sort()).toEqual(
      charges.map((e) => e.id).sort(),
    );
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
    expect(comments[0]!.body).toContain("reviews are paused");
    const report = await verifyLedger(h.store.ledger);
    expect(report.entries).toBeGreaterThan(0);
    expect(report.problems).toEqual([]);
  });

  it("per-run charging: a run whose head GitHub has moved past is refunded, not reviewed; the new head is reviewed and charged once", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const headB = "2".repeat(40);
    // B was pushed, but its event has not arrived yet: GitHub already answers head B.
    nock("https://api.github.com")
      .get("/repos/Acme-Corp/widgets/pulls/12")
      .reply(200, {
        ...(fixture("pull_request.opened").pull_request as Record<string, unknown>),
        head: { sha: headB },
      });

    await h.deliver("pull_request", prEvent("opened"));
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "superseded");
    expect(await refunds()).toHaveLength(1);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(3);

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12, headSha: headB });
    await h.deliver("pull_request", pushEvent(headB));
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);

    expect(posted[0]!.body.commit_id).toBe(headB);
    expect((await runs()).map((r) => [r.headSha[0], r.status])).toEqual([
      ["2", "posted"],
      ["1", "superseded"],
    ]);
    expect(await usage()).toHaveLength(2);
    expect(await refunds()).toHaveLength(1);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
  });

  it("per-run charging, events out of order: the current head is reviewed once, the late older head is refunded", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const headB = "2".repeat(40);
    // B's push event is handled first; A's (older) opened event arrives late, so A's run
    // gets the higher sequence. GitHub says the head is B.
    await h.deliver("pull_request", pushEvent(headB));
    await h.deliver("pull_request", prEvent("opened"));
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12, headSha: headB });
    nock("https://api.github.com")
      .get("/repos/Acme-Corp/widgets/pulls/12")
      .reply(200, {
        ...(fixture("pull_request.opened").pull_request as Record<string, unknown>),
        head: { sha: headB },
      });
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);

    expect(posted[0]!.body.commit_id).toBe(headB);
    expect((await runs()).map((r) => [r.headSha[0], r.status])).toEqual([
      ["1", "superseded"],
      ["2", "posted"],
    ]);
    expect(await usage()).toHaveLength(2);
    expect(await refunds()).toHaveLength(1);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
  });
});
