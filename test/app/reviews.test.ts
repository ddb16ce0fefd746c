import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { fixture, pullRequestEvent } from "../support/github.js";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import {
  API,
  fakeGitHub,
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

/**
 * Pull request 12's conversation as GitHub keeps it, for tests where whether and when the bot
 * comments depends on the order the workers run in: comments listed, posted and edited in
 * place, answered whenever asked. `bodies()`: what the conversation shows at the end.
 */
function fakeConversation() {
  const comments = new Map<number, string>();
  const scope = nock(API).persist();
  scope
    .get(/^\/repos\/Acme-Corp\/widgets\/issues\/12\/comments(\?.*)?$/)
    .optionally()
    .reply(200, () => [...comments].map(([id, body]) => ({ id, body })));
  scope
    .post("/repos/Acme-Corp/widgets/issues/12/comments")
    .optionally()
    .reply(201, (_uri, body) => {
      const id = 900 + comments.size + 1;
      comments.set(id, (body as { body: string }).body);
      return { id };
    });
  scope
    .patch(/^\/repos\/Acme-Corp\/widgets\/issues\/comments\/\d+$/)
    .optionally()
    .reply((uri, body) => {
      const id = Number(/(\d+)$/.exec(uri)![1]);
      if (!comments.has(id)) return [404, { message: "Not Found" }];
      comments.set(id, (body as { body: string }).body);
      return [200, { id }];
    });
  return { bodies: () => [...comments.values()] };
}

describe("automatic reviews", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 1000 });
  const refunds = () => h.store.ledger.list(acme, { types: ["refund"], limit: 1000 });
  const runs = (n = 12) => h.store.runs.listForPullRequest(acme, 501, n, 100);
  /** Posts the replies queued so far, before any worker runs, and takes them off the queue. */
  const sendQueuedReplies = async () => {
    for (const job of await h.repliesQueue.getJobs(["waiting", "prioritized", "delayed"])) {
      await h.jasper.postReply(job.data);
      await job.remove();
    }
  };

  it("charges once, queues once and posts one review, however often the delivery is replayed", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    const statuses = await Promise.all(
      [1, 2, 3].map(() => h.deliver("pull_request", prEvent("opened"))),
    );
    expect(statuses).toEqual([202, 202, 202]);
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
    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(202);
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

    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(202);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(2);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    expect((await runs())[0]).toMatchObject({ status: "failed" });
    expect(await usage()).toHaveLength(1);
    expect(await refunds()).toHaveLength(1);
    expect((await refunds())[0]!.deltas).toEqual({ free: 1, plan: 0, bonus: 0, purchased: 0 });
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(3);
    expect(comments[0]!.body).toContain("could not review");
    expect(comments[0]!.body).toContain("refunded");
  });

  it("posts every model comment or says why not: ranges as multi-line comments, the rest counted or listed", async () => {
    const said = [
      { path: "src/payments/retry.ts", line: "2-4", body: "The loop and its counter." },
      ...Array.from({ length: 32 }, (_, i) => ({
        path: "src/payments/retry.ts",
        line: (i % 11) + 1,
        body: `Note ${i}.\nDetails.`,
      })),
      { path: "config/stripe.ts", line: 40, body: "Not in the diff." },
      { path: "package-lock.json", line: 1, body: "A file the review did not read." },
    ];
    nock("http://ai.test")
      .post("/v1/chat/completions")
      .reply(200, {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: JSON.stringify({ summary: "Ok.", comments: said }),
            },
            finish_reason: "stop",
          },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(202);
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");

    const review = posted[0]!.body;
    expect(review.comments).toHaveLength(30);
    expect(review.comments![0]).toEqual({
      path: "src/payments/retry.ts",
      start_line: 2,
      start_side: "RIGHT",
      line: 4,
      side: "RIGHT",
      body: "The loop and its counter.",
    });
    expect(review.body).toContain("1 comment on a line outside the diff left out.");
    expect(review.body).toContain("1 comment on a file this review did not read left out.");
    expect(review.body).toContain(
      "**3 more findings past the 30-comment limit:**\n- `src/payments/retry.ts:8`: Note 29.\n- `src/payments/retry.ts:9`: Note 30.\n- `src/payments/retry.ts:10`: Note 31.",
    );
  });

  it("lists the files the engine could not fit in the model's context as not reviewed", async () => {
    h = await createHarness({
      engine: {
        name: "fits-one",
        review: async ({ diff }) => ({
          summary: "Read one file.",
          comments: [],
          unread: diff.files
            .slice(1)
            .map((f) => ({ filename: f.filename, reason: "over_context" })),
        }),
        chat: async () => "",
      },
    });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    expect(await h.deliver("pull_request", prEvent("opened"))).toBe(202);
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");

    const body = posted[0]!.body.body;
    expect(body).toContain("`config/stripe.ts` (did not fit the AI model's context)");
    expect(body).toContain(
      "reviewed 1 of 3 files; left out 2: lock files, past the model's context",
    );
    expect((await runs())[0]).toMatchObject({ status: "posted" });
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
    expect(new Set(statuses)).toEqual(new Set([202]));

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

    expect(await h.deliver("pull_request", prEvent("opened.draft"))).toBe(202);
    expect(await runs()).toHaveLength(0);
    expect(await usage()).toHaveLength(0);

    expect(await h.deliver("pull_request", prEvent("ready_for_review"))).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(1);
  });

  it("never reviews or charges pull requests opened by bots", async () => {
    h = await createHarness();
    const bot = { login: "dependabot[bot]", id: 49699333, type: "Bot" };
    expect(await h.deliver("pull_request", prEvent("opened", 12, { user: bot }))).toBe(202);
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

  it("per-run charging, 2 credits, three pushes in a burst: the older runs are refunded and the newest head is reviewed once; nothing still says paused", async () => {
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
    mockReviewCalls(posted, { number: 12, headSha: headC, times: 3, optional: true });
    const conversation = fakeConversation();

    await h.deliver("pull_request", prEvent("opened"));
    await h.deliver("pull_request", pushEvent(headB));
    await h.deliver("pull_request", pushEvent(headC));
    expect((await runs()).map((r) => [r.headSha[0], r.status])).toEqual([
      ["3", "paused"],
      ["2", "queued"],
      ["1", "queued"],
    ]);
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(0);
    // The worst order for the notice: it is posted before any review job runs.
    await sendQueuedReplies();
    expect(conversation.bodies()).toEqual([expect.stringContaining("balance is 0")]);

    h.startWorkers();
    await eventually(
      async () =>
        posted.length === 1 &&
        (await runs()).every((r) => !["pending", "queued"].includes(r.status)) &&
        (await h.pendingJobs()) === 0,
    );

    expect(posted[0]!.body.commit_id).toBe(headC);
    expect((await runs()).map((r) => [r.headSha[0], r.status, r.refundDue])).toEqual([
      ["3", "posted", false],
      ["2", "superseded", false],
      ["1", "superseded", false],
    ]);
    const charges = await usage();
    const headOf = (e: (typeof charges)[number]) =>
      e.reference?.kind === "pull_request" ? e.reference.headSha : undefined;
    expect(charges.map((e) => headOf(e)?.[0]).sort()).toEqual(["1", "2", "3"]);
    expect((await refunds()).map((e) => e.refundOf).sort()).toEqual(
      charges
        .filter((e) => headOf(e) !== headC)
        .map((e) => e.id)
        .sort(),
    );
    expect((await h.jasper.ledger.summary(acme)).balance).toBe(1);
    // The newest commit's check run and the conversation tell the latest truth.
    expect(fakeGitHub.checkRunOn(headC)!.output.title).toMatch(/^reviewed/);
    expect(conversation.bodies()).toEqual([expect.stringContaining("`3333333` went ahead")]);
    const report = await verifyLedger(h.store.ledger);
    expect(report.entries).toBeGreaterThan(0);
    expect(report.problems).toEqual([]);
  });

  it("per-run charging, a cap of 2 runs per pull request, 20 pushes in a burst: the newest head is reviewed within the cap; no check run or comment still says the cap is used", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    await h.store.accounts.setBudgets(acme, { ...NO_BUDGETS, pullRequestRuns: 2 });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 50,
      description: "credits",
      idempotencyKey: "buy-50",
    });
    const heads = Array.from({ length: 20 }, (_, i) =>
      (i + 1).toString(16).padStart(2, "0").repeat(20),
    );
    const newest = heads.at(-1)!;
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12, headSha: newest, times: 3, optional: true });
    const conversation = fakeConversation();

    for (const head of heads) expect(await h.deliver("pull_request", pushEvent(head))).toBe(202);
    expect((await runs()).filter((r) => r.status === "queued")).toHaveLength(2);
    expect((await runs()).filter((r) => r.status === "paused")).toHaveLength(18);
    await sendQueuedReplies();
    expect(conversation.bodies()).toEqual([expect.stringContaining("is used (2/2)")]);

    h.startWorkers();
    await eventually(
      async () =>
        posted.length === 1 &&
        (await runs()).every((r) => !["pending", "queued"].includes(r.status)) &&
        (await h.pendingJobs()) === 0,
    );

    expect(posted[0]!.body.commit_id).toBe(newest);
    const all = await runs();
    expect(all.filter((r) => r.status === "posted").map((r) => r.headSha)).toEqual([newest]);
    expect(all.filter((r) => r.status !== "posted").every((r) => r.status === "superseded")).toBe(
      true,
    );
    expect(all.every((r) => !r.refundDue)).toBe(true);
    expect(await usage()).toHaveLength(3);
    expect(await refunds()).toHaveLength(2);
    // 1 of the 2 runs used: the refunded ones gave theirs back.
    expect((await h.ledger.pullRequestRuns(acme)).map((c) => c.runs)).toEqual([1]);
    expect(fakeGitHub.checkRunOn(newest)!.output.title).toMatch(/^reviewed/);
    for (const head of heads.slice(0, -1)) {
      expect(fakeGitHub.checkRunOn(head)?.output.title ?? "").not.toMatch(/paused/);
    }
    expect(conversation.bodies()).toEqual([
      expect.stringContaining(`\`${newest.slice(0, 7)}\` went ahead`),
    ]);
    expect((await verifyLedger(h.store.ledger)).problems).toEqual([]);
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
