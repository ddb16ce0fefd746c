/**
 * The review money paths as use cases on the in-memory store, with a real Ledger and fake
 * queues and host: the races and failures a webhook test cannot time (a sibling run claimed
 * but not paid yet, a refund written under a queued run, a ledger that throws once).
 */
import { describe, expect, it } from "@jest/globals";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import type { ReviewEngine } from "../../src/engine/engine.js";
import type { EntryType } from "../../src/ledger/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { ReplyJob } from "../../src/reviews/jobs.js";
import { createVoice } from "../../src/voice/voice.js";
import { createAcceptReview, type ReviewTrigger } from "../../src/reviews/accept-review.js";
import { pullRequestChargeKey, runChargeKey } from "../../src/reviews/charge-keys.js";
import { createFinishRun } from "../../src/reviews/finish-run.js";
import type { NewReview, PullRequestHost } from "../../src/reviews/pull-request-host.js";
import { createRunReview } from "../../src/reviews/run-review.js";
import { createTakeUp, NEWER_COMMIT_REVIEWED } from "../../src/reviews/take-up.js";
import { createSweeper, type SweepDeps, type SweepOptions } from "../../src/reviews/sweep-runs.js";
import type { NewRun, PullRequestRef, ReviewRun } from "../../src/reviews/types.js";
import { claimPendingRun } from "../support/runs.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";

const acme = toAccountId(9001);
const PR: PullRequestRef = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };
const HEAD_A = "a".repeat(40);
const HEAD_B = "b".repeat(40);
const PR0 = pullRequestChargeKey(PR, 0);
const PR1 = pullRequestChargeKey(PR, 1);

type WorldLedger = Pick<Ledger, "charge" | "refundOfCharge" | "refund">;

/**
 * A store, a ledger with `freePerMonth` free credits, and the review use cases wired as
 * compose.ts wires them; `wrap` puts something between the use cases and the ledger.
 */
function world({
  freePerMonth = 3,
  wrap = (l: Ledger): WorldLedger => l,
}: { freePerMonth?: number; wrap?: (l: Ledger) => WorldLedger } = {}) {
  const store = createMemoryStore();
  const ledger = new Ledger({ store: store.ledger, freePerMonth });
  const used = wrap(ledger);
  const reviewJobs: string[] = [];
  const replies: { id: string; job: ReplyJob }[] = [];
  const enqueueReview = async (_job: unknown, runKey: string) => {
    reviewJobs.push(runKey);
  };
  const enqueueReply = async (job: ReplyJob, id: string) => {
    replies.push({ id, job });
  };
  const acceptReview = createAcceptReview({
    runs: store.runs,
    pullRequests: store.pullRequests,
    accounts: store.accounts,
    ledger: used,
    enqueueReview,
    enqueueReply,
    pullRequestUrl: (repository, number) => `https://github.com/${repository}/pull/${number}`,
  });
  const finishRun = createFinishRun({
    runs: store.runs,
    ledger: used,
    enqueueReply,
    voice: createVoice({ botName: "jasper", publicUrl: "https://jasper.example" }),
  });
  // What the commits' check runs were last told, by head.
  const checks = new Map<string, string>();
  const shown =
    (state: string) =>
    async (_pr: unknown, at: { headSha: string }): Promise<void> => {
      checks.set(at.headSha, state);
    };
  const takeUp = createTakeUp({
    runs: store.runs,
    pullRequests: store.pullRequests,
    acceptReview,
    checkRuns: {
      queued: shown("queued"),
      paused: shown("paused"),
      overBudget: shown("over_budget"),
      skipped: shown("skipped"),
    },
    enqueueReply,
  });
  const entries = (accountId: AccountId, type: EntryType) =>
    store.ledger.list(accountId, { types: [type], limit: 100 });

  return {
    store,
    ledger,
    acceptReview,
    finishRun,
    reviewJobs,
    replies,
    checks,
    takeUp,
    usage: (accountId = acme) => entries(accountId, "usage"),
    refunds: (accountId = acme) => entries(accountId, "refund"),
    stored: async (run: ReviewRun) => (await store.runs.get(run.accountId, run.runKey))!,
    perRunCharging: async () => {
      await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
      await store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    },
    /** What accept() has written when it is between claiming a run and paying for it. */
    async claimPending(headSha: string, over: Partial<NewRun> = {}): Promise<ReviewRun> {
      return claimPendingRun(store, over.accountId ?? acme, over.pr ?? PR, headSha, over);
    },
    sweep(
      staleBefore = new Date(Date.now() + 60_000),
      options: SweepOptions = {},
      over: Partial<SweepDeps> = {},
    ) {
      return createSweeper({
        runs: store.runs,
        acceptReview,
        finishRun,
        reviewJobState: async () => "waiting",
        enqueueReview,
        ...over,
      })(staleBefore, options);
    },
    runReview: (host: FakeHost) =>
      createRunReview({
        runs: store.runs,
        engine: fakeEngine,
        finishRun,
        acceptReview,
        takeUp,
        host,
        checkRuns: {
          inProgress: shown("in_progress"),
          posted: shown("posted"),
          postedBefore: shown("posted"),
          paused: shown("paused"),
          overBudget: shown("over_budget"),
        },
      }),
  };
}

const trigger = (headSha: string, over: Partial<ReviewTrigger> = {}): ReviewTrigger => ({
  accountId: acme,
  installationId: 4242,
  pr: PR,
  headSha,
  url: "https://github.com/Acme-Corp/widgets/pull/12",
  source: "auto",
  ...over,
});

/** The run of an outcome that must be "queued". */
function queuedRun(outcome: { status: string; run?: ReviewRun }): ReviewRun {
  expect(outcome.status).toBe("queued");
  return outcome.run!;
}

const fakeEngine: ReviewEngine = {
  name: "fake",
  review: async () => ({ summary: "Looks fine.", comments: [] }),
  chat: async () => "",
};

type FakeHost = Pick<
  PullRequestHost,
  | "getPullRequest"
  | "hasReviewWithMarker"
  | "listChangedFiles"
  | "postReview"
  | "readConfig"
  | "listOwnInlineComments"
  | "changedSince"
> & { posted: { review: NewReview; chargesWhenPosted: (string | null)[] }[] };

/** An open pull request at `headSha`; each posted review notes the charges that existed then. */
function fakeHost(headSha: string, charges: () => Promise<{ idempotencyKey: string | null }[]>) {
  const host: FakeHost = {
    posted: [],
    readConfig: async () => ({ files: [], error: null }),
    listOwnInlineComments: async () => [],
    changedSince: async () => null,
    getPullRequest: async () => ({
      state: "open",
      title: "Add payment retry",
      body: "",
      headSha,
      url: "https://github.com/Acme-Corp/widgets/pull/12",
    }),
    hasReviewWithMarker: async () => false,
    listChangedFiles: async () => [
      {
        filename: "src/retry.ts",
        status: "modified",
        additions: 1,
        deletions: 0,
        patch: "@@ -1,1 +1,2 @@\n const a = 1;\n+const b = 2;",
      },
    ],
    postReview: async (_pr, review) => {
      host.posted.push({
        review,
        chargesWhenPosted: (await charges()).map((e) => e.idempotencyKey),
      });
    },
  };
  return host;
}

describe("a superseded run and its successor that is not paid yet (per-PR charging)", () => {
  it("refunds nothing while the successor is unpaid; the successor takes the same charge and the sweep settles without refunding", async () => {
    const w = world();
    const first = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    expect(first.chargeKey).toBe(PR0);
    // The next push's accept() has claimed its run and not charged it yet.
    const second = await w.claimPending(HEAD_B);

    const ended = await w.finishRun(first, "superseded", "a newer commit will be reviewed");
    expect(ended).toEqual({
      run: expect.objectContaining({ status: "superseded", refundDue: true }),
      refunded: false,
    });
    expect(await w.refunds()).toHaveLength(0);
    expect((await w.stored(first)).refundDue).toBe(true);

    // The successor pays: the pull request's charge is still live, so it carries that one.
    const paid = queuedRun(await w.acceptReview.resume(second));
    expect(paid.chargeKey).toBe(PR0);

    expect(await w.sweep()).toEqual({ resumed: 0, requeued: 0, failed: 0, settled: 1, errors: 0 });
    expect(await w.stored(first)).toMatchObject({ status: "superseded", refundDue: false });
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual([PR0]);
    expect(await w.refunds()).toHaveLength(0);
    expect((await w.ledger.summary(acme)).balance).toBe(2);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("refunds the charge exactly once when the successor ends without paying, however often the superseded run is settled", async () => {
    const w = world();
    const first = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    const second = await w.claimPending(HEAD_B);
    await w.finishRun(first, "superseded", "a newer commit will be reviewed");
    expect((await w.stored(first)).refundDue).toBe(true);

    const gone = await w.finishRun(second, "failed", "the review could not be charged");
    expect(gone?.refunded).toBe(false);
    expect(await w.stored(second)).toMatchObject({
      status: "failed",
      chargeKey: null,
      refundDue: false,
    });

    expect(await w.finishRun.settle(await w.stored(first))).toBe("refunded");
    expect(await w.finishRun.settle(await w.stored(first))).toBe("refunded");
    expect(await w.stored(first)).toMatchObject({ status: "superseded", refundDue: false });
    const refunds = await w.refunds();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.refundOf).toBe((await w.usage())[0]!.id);
    expect((await w.ledger.summary(acme)).balance).toBe(3);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
    // Only the run that failed says so; it cost nothing.
    expect(w.replies.map((r) => r.id)).toEqual([`failed-${second.runKey}`]);
    expect(w.replies[0]!.job).toMatchObject({ body: expect.stringContaining("No credit") });
  });
});

describe("before posting, a run is paid by a live charge (AcceptReview.liveCharge)", () => {
  it("charges a queued run again under the next key when its PR charge was refunded, before posting", async () => {
    const w = world();
    const run = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    // A sibling that could not see this run ended and refunded the shared charge.
    expect((await w.ledger.refund(acme, { chargeKey: PR0 })).status).toBe("created");

    const host = fakeHost(HEAD_A, () => w.usage());
    const outcome = await w.runReview(host)(
      { accountId: acme, runKey: run.runKey },
      { finalAttempt: false },
    );

    expect(outcome).toBe("posted");
    expect(host.posted).toHaveLength(1);
    expect(host.posted[0]!.chargesWhenPosted).toEqual([PR1, PR0]);
    expect(await w.stored(run)).toMatchObject({ status: "posted", chargeKey: PR1 });
    expect(await w.refunds()).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(2);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("pauses and posts nothing when its PR charge was refunded and no credit is left", async () => {
    const w = world({ freePerMonth: 1 });
    const run = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    await w.ledger.refund(acme, { chargeKey: PR0 });
    // The credit that came back was spent on another pull request.
    const other = await w.ledger.charge(acme, {
      action: "review",
      description: "Review of Acme-Corp/widgets#13",
      idempotencyKey: "review:501:13:pr0",
    });
    expect(other.status).toBe("created");

    const host = fakeHost(HEAD_A, () => w.usage());
    const outcome = await w.runReview(host)(
      { accountId: acme, runKey: run.runKey },
      { finalAttempt: false },
    );

    expect(outcome).toBe("paused");
    expect(host.posted).toEqual([]);
    expect(await w.stored(run)).toMatchObject({
      status: "paused",
      reason: "insufficient_credits",
    });
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual(["review:501:13:pr0", PR0]);
    expect((await w.ledger.summary(acme)).balance).toBe(0);
  });

  it("posts nothing on a run's own charge (per-run charging) once that charge was refunded", async () => {
    const w = world();
    await w.perRunCharging();
    const run = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    // The sweeper ended the run (its job looked dead) and refunded it; this worker is still on it.
    expect((await w.ledger.refund(acme, { chargeKey: run.chargeKey! })).status).toBe("created");

    const host = fakeHost(HEAD_A, () => w.usage());
    const outcome = await w.runReview(host)(
      { accountId: acme, runKey: run.runKey },
      { finalAttempt: false },
    );

    expect(outcome).toBe("paused");
    expect(host.posted).toEqual([]);
    expect(await w.usage()).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(3);
  });
});

describe("`/jasper review`: one comment asks for one run", () => {
  it("accepting the same comment again after its run was posted charges nothing more (per-run charging)", async () => {
    const w = world();
    await w.perRunCharging();
    const asked = trigger(HEAD_A, { source: "command", commentId: 555001 });
    const run = queuedRun(await w.acceptReview.accept(asked));
    await w.store.runs.transition(acme, run.runKey, ["queued"], "posted");

    // The comment is delivered again after the queue forgot its job.
    const again = await w.acceptReview.accept(asked);

    expect(again).toMatchObject({ status: "duplicate", run: { runKey: run.runKey } });
    expect(await w.usage()).toHaveLength(1);
    expect(await w.store.runs.listForPullRequest(acme, 501, 12, 10)).toHaveLength(1);
    expect(w.reviewJobs).toEqual([run.runKey]);
  });

  it("a comment whose first try failed between claiming and paying is paid and queued when it is tried again", async () => {
    let chargeFailures = 1;
    const w = world({
      wrap: (l) => ({
        charge: async (id, input) => {
          if (chargeFailures-- > 0) throw new Error("connection reset");
          return l.charge(id, input);
        },
        refundOfCharge: (id, key) => l.refundOfCharge(id, key),
        refund: (id, input) => l.refund(id, input),
      }),
    });
    const asked = trigger(HEAD_A, { source: "command", commentId: 555001 });
    await expect(w.acceptReview.accept(asked)).rejects.toThrow("connection reset");
    const [left] = await w.store.runs.listForPullRequest(acme, 501, 12, 10);
    expect(left).toMatchObject({ status: "pending", commentId: 555001 });

    // The reply job is retried: the same comment again.
    const again = await w.acceptReview.accept(asked);

    expect(again).toMatchObject({ status: "queued", run: { runKey: left!.runKey } });
    expect(w.reviewJobs).toEqual([left!.runKey]);
    expect(await w.usage()).toHaveLength(1);
    expect(await w.store.runs.listForPullRequest(acme, 501, 12, 10)).toHaveLength(1);
  });
});

describe("a refund due survives a failure", () => {
  it("a refund that throws while a run fails stays due; the next sweep refunds once and says so, the one after changes nothing", async () => {
    let refundFailures = 1;
    const w = world({
      wrap: (l) => ({
        charge: (id, input) => l.charge(id, input),
        refundOfCharge: (id, key) => l.refundOfCharge(id, key),
        refund: async (id, input) => {
          if (refundFailures-- > 0) throw new Error("ledger unavailable");
          return l.refund(id, input);
        },
      }),
    });
    const run = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));

    await expect(w.finishRun(run, "failed", "GitHub answered 502")).rejects.toThrow(
      "ledger unavailable",
    );
    expect(await w.stored(run)).toMatchObject({ status: "failed", refundDue: true });
    expect(await w.refunds()).toHaveLength(0);
    expect(w.replies).toEqual([]);

    expect(await w.sweep()).toEqual({ resumed: 0, requeued: 0, failed: 0, settled: 1, errors: 0 });
    expect(await w.refunds()).toHaveLength(1);
    expect(await w.stored(run)).toMatchObject({ status: "failed", refundDue: false });
    expect(w.replies).toEqual([
      {
        id: `failed-${run.runKey}`,
        job: expect.objectContaining({
          kind: "comment",
          number: 12,
          body: expect.stringContaining("has been refunded"),
        }),
      },
    ]);

    expect(await w.sweep()).toEqual({ resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 });
    expect(await w.refunds()).toHaveLength(1);
    expect(w.replies).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(3);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });
});

describe("the sweep handles each run on its own", () => {
  it("fails a pending run the ledger refuses, reports one that throws, and still resumes the rest", async () => {
    const broken = toAccountId(9002);
    const w = world({
      wrap: (l) => ({
        charge: async (id, input) => {
          if (id === broken) throw new Error("connection reset");
          return l.charge(id, input);
        },
        refundOfCharge: (id, key) => l.refundOfCharge(id, key),
        refund: (id, input) => l.refund(id, input),
      }),
    });
    // Runs a crash left pending, in the sweep's order. A repository named ".." is one the
    // ledger's reference (owner/name, GitHub's own rules) refuses: it can never be charged.
    const refused = await w.claimPending(HEAD_A, {
      pr: { repositoryId: 601, repository: "acme/..", number: 3 },
    });
    const throwing = await w.claimPending(HEAD_A, { accountId: broken });
    const fine = await w.claimPending(HEAD_B);
    const errors: string[] = [];

    const report = await w.sweep(undefined, undefined, {
      onError: (run, err) => errors.push(`${run.runKey}: ${(err as Error).message}`),
    });

    expect(report).toEqual({ resumed: 1, requeued: 0, failed: 1, settled: 0, errors: 1 });
    expect(await w.stored(refused)).toMatchObject({
      status: "failed",
      reason: "the review could not be charged",
      refundDue: false,
    });
    expect(errors).toEqual([`${throwing.runKey}: connection reset`]);
    expect((await w.stored(throwing)).status).toBe("pending");
    expect(await w.stored(fine)).toMatchObject({ status: "queued", chargeKey: PR0 });
    expect(w.reviewJobs).toEqual([fine.runKey]);
    expect(w.replies.map((r) => r.id)).toEqual([`failed-${refused.runKey}`]);
  });

  it("pages past queued runs whose jobs are alive, reading each once, and resumes the stale pending run behind them", async () => {
    const w = world();
    const waiting: ReviewRun[] = [];
    for (let number = 21; number <= 25; number++) {
      const pr = { ...PR, number };
      waiting.push(
        await w.claimPending(HEAD_A, {
          pr,
          status: "queued",
          chargeKey: pullRequestChargeKey(pr, 0),
        }),
      );
    }
    const pending = await w.claimPending(HEAD_A);
    const looked: string[] = [];

    // Stale: everything claimed so far; not what the sweep itself writes.
    const staleBefore = new Date(pending.updatedAt.getTime() + 1);
    const report = await w.sweep(
      staleBefore,
      { pageSize: 2 },
      {
        reviewJobState: async (_accountId, runKey) => {
          looked.push(runKey);
          return "delayed";
        },
      },
    );

    expect(report).toEqual({ resumed: 1, requeued: 0, failed: 0, settled: 0, errors: 0 });
    expect(looked).toEqual(waiting.map((r) => r.runKey));
    expect(await w.stored(pending)).toMatchObject({ status: "queued", chargeKey: PR0 });
    expect(w.reviewJobs).toEqual([pending.runKey]);
  });
});

describe("a burst of pushes under per-run charging: the newest head is taken up again", () => {
  const HEAD_C = "c".repeat(40);
  const HEAD_D = "d".repeat(40);
  const job = (r: ReviewRun) => ({ accountId: acme, runKey: r.runKey });
  const once = { finalAttempt: false };

  /** Charged runs for A and B, and C parked: the balance (2 free credits) ran out. */
  async function burst(freePerMonth = 2) {
    const w = world({ freePerMonth });
    await w.perRunCharging();
    const charged = [queuedRun(await w.acceptReview.accept(trigger(HEAD_A)))];
    if (freePerMonth > 1) charged.push(queuedRun(await w.acceptReview.accept(trigger(HEAD_B))));
    const parked = await w.acceptReview.accept(trigger(freePerMonth > 1 ? HEAD_C : HEAD_B));
    expect(parked.status).toBe("paused");
    return { w, charged, parked: (parked as { run: ReviewRun }).run };
  }

  it("two superseded runs finishing at once take the newest head up once: one charge, one review", async () => {
    const { w, charged, parked } = await burst();
    const [a, b] = charged as [ReviewRun, ReviewRun];
    // Both workers read GitHub's head (C) before either goes on.
    const host = fakeHost(HEAD_C, () => w.usage());
    const read = host.getPullRequest;
    let arrived = 0;
    let release = () => {};
    const bothRead = new Promise<void>((r) => (release = r));
    host.getPullRequest = async (pr) => {
      const snapshot = await read(pr);
      if (++arrived === 2) release();
      await bothRead;
      return snapshot;
    };
    const runReview = w.runReview(host);

    expect(await Promise.all([runReview(job(a), once), runReview(job(b), once)])).toEqual([
      "superseded",
      "superseded",
    ]);
    expect(await w.stored(parked)).toMatchObject({
      status: "queued",
      chargeKey: runChargeKey(parked.runKey),
    });
    expect((await w.usage()).map((e) => e.idempotencyKey).sort()).toEqual(
      [a, b, parked].map((r) => runChargeKey(r.runKey)).sort(),
    );
    expect((await w.refunds()).map((e) => e.idempotencyKey).sort()).toEqual(
      [a, b].map((r) => `refund:${runChargeKey(r.runKey)}`).sort(),
    );
    expect(w.reviewJobs).toEqual([a.runKey, b.runKey, parked.runKey]);
    expect(w.checks.get(HEAD_C)).toBe("queued");

    expect(await runReview(job(parked), once)).toBe("posted");
    expect(host.posted).toHaveLength(1);
    expect(w.checks.get(HEAD_C)).toBe("posted");
    expect(w.replies.filter((r) => r.job.kind === "stop_lifted")).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(1);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("a crash right after the head was reopened: the retried job leaves it to the sweeper, which charges it once; paying it again writes nothing", async () => {
    const { w, charged, parked } = await burst(1);
    const [a] = charged as [ReviewRun];
    const reopened = await w.takeUp.reopen(a, HEAD_B);
    expect(reopened).toMatchObject({ status: "pending", runKey: parked.runKey });

    // The job is retried: A is superseded and refunded; B is no longer parked, so not paid here.
    expect(await w.runReview(fakeHost(HEAD_B, () => w.usage()))(job(a), once)).toBe("superseded");
    expect(await w.stored(parked)).toMatchObject({ status: "pending", chargeKey: null });
    expect(await w.refunds()).toHaveLength(1);

    expect(await w.sweep()).toMatchObject({ resumed: 1, errors: 0 });
    expect(await w.stored(parked)).toMatchObject({
      status: "queued",
      chargeKey: runChargeKey(parked.runKey),
    });
    await w.takeUp.pay(reopened!);
    await w.acceptReview.resume(reopened!);
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual([
      runChargeKey(parked.runKey),
      runChargeKey(a.runKey),
    ]);
    expect((await w.ledger.summary(acme)).balance).toBe(0);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("ends the older parked runs as superseded, and leaves a push that came in meanwhile parked for its own turn", async () => {
    const { w, charged } = await burst(1);
    const [a] = charged as [ReviewRun];
    const b = (await w.store.runs.listForPullRequest(acme, PR.repositoryId, PR.number, 10))[0]!;
    const c = await w.acceptReview.accept(trigger(HEAD_C));
    expect(c.status).toBe("paused");
    // GitHub's head is C; D was pushed after the worker read it.
    const host = fakeHost(HEAD_C, () => w.usage());
    const read = host.getPullRequest;
    let d: ReviewRun | undefined;
    host.getPullRequest = async (pr) => {
      const snapshot = await read(pr);
      const outcome = await w.acceptReview.accept(trigger(HEAD_D));
      d = "run" in outcome ? outcome.run : undefined;
      return snapshot;
    };

    expect(await w.runReview(host)(job(a), once)).toBe("superseded");
    expect(await w.stored((c as { run: ReviewRun }).run)).toMatchObject({ status: "queued" });
    expect(await w.stored(b)).toMatchObject({
      status: "superseded",
      reason: NEWER_COMMIT_REVIEWED,
      refundDue: false,
    });
    expect(w.checks.get(HEAD_B)).toBe("skipped");
    expect(await w.stored(d!)).toMatchObject({ status: "paused" });
    expect((await w.ledger.summary(acme)).balance).toBe(0);
  });

  it("`/jasper pause` on the pull request since: the parked head stays parked and the credit stays", async () => {
    const { w, charged, parked } = await burst(1);
    await w.store.pullRequests.setAutoReviewPaused(acme, PR, true);

    expect(await w.runReview(fakeHost(HEAD_B, () => w.usage()))(job(charged[0]!), once)).toBe(
      "superseded",
    );
    expect(await w.stored(parked)).toMatchObject({ status: "paused", chargeKey: null });
    expect(await w.refunds()).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(1);
  });

  it("per-PR charging: the runs of a burst share one charge and nothing is taken up or refunded", async () => {
    const w = world({ freePerMonth: 1 });
    const runs = [HEAD_A, HEAD_B, HEAD_C].map((sha) => w.acceptReview.accept(trigger(sha)));
    const [a, b, c] = (await Promise.all(runs)).map(queuedRun) as [ReviewRun, ReviewRun, ReviewRun];
    const runReview = w.runReview(fakeHost(HEAD_C, () => w.usage()));
    expect(await runReview(job(a), once)).toBe("superseded");
    expect(await runReview(job(b), once)).toBe("superseded");
    expect(await runReview(job(c), once)).toBe("posted");
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual([PR0]);
    expect(await w.refunds()).toHaveLength(0);
    expect(w.replies.filter((r) => r.job.kind === "stop_lifted")).toHaveLength(0);
  });
});
