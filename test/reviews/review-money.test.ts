/**
 * The review money paths as use cases on the in-memory store, with a real Ledger and fake
 * queues and host: the races and failures a webhook test cannot time (a sibling run claimed
 * but not paid yet, a refund written under a queued run, a ledger that throws once).
 */
import { describe, expect, it } from "@jest/globals";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import type { ReviewEngine } from "../../src/engine/engine.js";
import type { EntryType } from "../../src/ledger/types.js";
import { Ledger, type ChargeResult } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { ReplyJob } from "../../src/reviews/jobs.js";
import { createVoice } from "../../src/voice/voice.js";
import { createAcceptReview, type ReviewTrigger } from "../../src/reviews/accept-review.js";
import { pullRequestChargeKey, runChargeKey } from "../../src/reviews/charge-keys.js";
import { createFinishRun } from "../../src/reviews/finish-run.js";
import type { NewReview, PullRequestHost } from "../../src/reviews/pull-request-host.js";
import { createRunReview } from "../../src/reviews/run-review.js";
import { createTakeUp, NEWER_COMMIT_REVIEWED } from "../../src/reviews/take-up.js";
import { TAKEN_UP } from "../../src/reviews/pause-reasons.js";
import { createSweeper, type SweepDeps, type SweepOptions } from "../../src/reviews/sweep-runs.js";
import type { NewRun, PullRequestRef, ReviewRun } from "../../src/reviews/types.js";
import { acceptReviewOn, claimPendingRun } from "../support/runs.js";
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
  | "readAttributes"
  | "listOwnInlineComments"
  | "changedSince"
> & { posted: { review: NewReview; chargesWhenPosted: (string | null)[] }[] };

/** An open pull request at `headSha`; each posted review notes the charges that existed then. */
function fakeHost(headSha: string, charges: () => Promise<{ idempotencyKey: string | null }[]>) {
  const host: FakeHost = {
    posted: [],
    readConfig: async () => ({ files: [], error: null }),
    readAttributes: async () => ({ text: null, error: null }),
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

/** A ledger whose `charge` of `key` runs `hook` once: `when` before it, or after its result. */
function hookedCharge(
  key: () => string | undefined,
  hook: { when: "before" | "after"; run: (result?: ChargeResult) => Promise<void> },
) {
  let armed = true;
  return (l: Ledger): WorldLedger => ({
    refundOfCharge: l.refundOfCharge.bind(l),
    refund: l.refund.bind(l),
    charge: async (...args: Parameters<Ledger["charge"]>) => {
      const fire = armed && args[1].idempotencyKey === key();
      if (fire) armed = false;
      if (fire && hook.when === "before") await hook.run();
      const result = await l.charge(...args);
      if (fire && hook.when === "after") await hook.run(result);
      return result;
    },
  });
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
    // Both workers pay C after their refunds (one charge); its job id makes one job of it.
    expect([...new Set(w.reviewJobs)]).toEqual([a.runKey, b.runKey, parked.runKey]);
    expect(w.checks.get(HEAD_C)).toBe("queued");

    expect(await runReview(job(parked), once)).toBe("posted");
    expect(host.posted).toHaveLength(1);
    expect(w.checks.get(HEAD_C)).toBe("posted");
    expect(w.replies.filter((r) => r.job.kind === "stop_lifted")).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(1);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("a crash right after the head was reopened: the retried job pays the head it left pending, once; the sweep and paying it again write nothing", async () => {
    const { w, charged, parked } = await burst(1);
    const [a] = charged as [ReviewRun];
    const reopened = await w.takeUp.reopen(a, HEAD_B);
    expect(reopened).toMatchObject({ status: "pending", runKey: parked.runKey });

    // The job is retried: A is superseded and refunded, and B, pending, is paid after that.
    expect(await w.runReview(fakeHost(HEAD_B, () => w.usage()))(job(a), once)).toBe("superseded");
    expect(await w.stored(parked)).toMatchObject({
      status: "queued",
      chargeKey: runChargeKey(parked.runKey),
    });
    expect(await w.refunds()).toHaveLength(1);
    expect(w.checks.get(HEAD_B)).toBe("queued");

    expect(await w.sweep()).toEqual({ resumed: 0, requeued: 0, failed: 0, settled: 0, errors: 0 });
    await w.takeUp.pay(reopened!);
    await w.acceptReview.resume(reopened!);
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual([
      runChargeKey(parked.runKey),
      runChargeKey(a.runKey),
    ]);
    expect(await w.stored(parked)).toMatchObject({ status: "queued" });
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

describe("second review: take-up races", () => {
  const job = (r: ReviewRun) => ({ accountId: acme, runKey: r.runKey });
  const once = { finalAttempt: false };

  it("review2: a concurrent pay of the reopened run (redelivered event) that was refused must not leave the take-up's charge on a paused run", async () => {
    // A hook between the superseded run's end and its refund: another caller pays the
    // reopened (pending) head meanwhile, e.g. GitHub redelivering the head's event.
    let beforeRefund: (() => Promise<void>) | null = null;
    const w = world({
      freePerMonth: 1,
      wrap: (l) => ({
        charge: l.charge.bind(l),
        refundOfCharge: l.refundOfCharge.bind(l),
        refund: async (...args: Parameters<Ledger["refund"]>) => {
          const hook = beforeRefund;
          beforeRefund = null;
          if (hook) await hook();
          return l.refund(...args);
        },
      }),
    });
    await w.perRunCharging();
    const a = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    const parked = await w.acceptReview.accept(trigger(HEAD_B));
    expect(parked.status).toBe("paused");
    const b = (parked as { run: ReviewRun }).run;

    let concurrent: string | undefined;
    beforeRefund = async () => {
      // B is pending now (reopened); the redelivered event pays it, finds no room yet.
      concurrent = (await w.acceptReview.accept(trigger(HEAD_B))).status;
    };
    const host = fakeHost(HEAD_B, () => w.usage());
    expect(await w.runReview(host)(job(a), once)).toBe("superseded");
    expect(concurrent).toBe("paused");

    const usedKeys = (await w.usage()).map((e) => e.idempotencyKey);
    const stored = await w.stored(b);
    // Either B was charged and will be reviewed, or B was not charged at all.
    if (usedKeys.includes(runChargeKey(b.runKey))) {
      expect(stored).toMatchObject({ status: "queued", chargeKey: runChargeKey(b.runKey) });
      expect(await w.runReview(host)(job(b), once)).toBe("posted");
    } else {
      expect(stored.status).toBe("paused");
      expect((await w.ledger.summary(acme)).balance).toBe(1);
    }
  });

  it("a payer refused before a refund that loses to a payer charging after it reports the run as queued, and queues no stop notice", async () => {
    let other: string | undefined;
    const hooked: { key?: string } = {};
    const w = world({
      freePerMonth: 1,
      wrap: hookedCharge(() => hooked.key, {
        when: "after",
        run: async (result) => {
          expect(result?.status).toBe("insufficient");
          // Room comes back and another payer (the sweep, a redelivered event) pays B first.
          await w.ledger.refund(acme, { chargeKey: runChargeKey(a.runKey) });
          other = (await w.acceptReview.resume(b)).status;
        },
      }),
    });
    await w.perRunCharging();
    const a = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    const b = await w.claimPending(HEAD_B);
    hooked.key = runChargeKey(b.runKey);

    const refused = await w.acceptReview.accept(trigger(HEAD_B));

    expect(other).toBe("queued");
    const paid = { status: "queued", chargeKey: runChargeKey(b.runKey) };
    expect(refused).toMatchObject({ status: "duplicate", run: paid });
    expect(await w.stored(b)).toMatchObject(paid);
    expect(w.replies.filter((r) => r.job.kind === "paused_notice")).toEqual([]);
    expect((await w.usage()).map((e) => e.idempotencyKey)).toEqual([
      runChargeKey(b.runKey),
      runChargeKey(a.runKey),
    ]);
    expect((await w.ledger.summary(acme)).balance).toBe(0);
  });

  it("a run that ended while it was being paid (the account was suspended) gets the charge with its refund due; the sweep refunds it once", async () => {
    const hooked: { key?: string } = {};
    const w = world({
      wrap: hookedCharge(() => hooked.key, {
        when: "after",
        run: async (result) => {
          expect(result?.status).toBe("created");
          await w.store.accounts.setStatus(acme, "suspended");
          expect(await w.acceptReview.resume(b)).toEqual({
            status: "skipped",
            reason: "account_inactive",
          });
        },
      }),
    });
    await w.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    const b = await w.claimPending(HEAD_A);
    hooked.key = PR0;

    const outcome = await w.acceptReview.resume(b);

    const owed = { status: "skipped", chargeKey: PR0, refundDue: true };
    expect(outcome).toMatchObject({ status: "duplicate", run: owed });
    expect(await w.stored(b)).toMatchObject(owed);
    expect(w.reviewJobs).toEqual([]);

    expect(await w.sweep()).toMatchObject({ settled: 1, errors: 0 });
    expect(await w.sweep()).toMatchObject({ settled: 0, errors: 0 });
    const refunds = await w.refunds();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.refundOf).toBe((await w.usage())[0]!.id);
    expect(await w.stored(b)).toMatchObject({ status: "skipped", refundDue: false });
    expect((await w.ledger.summary(acme)).balance).toBe(3);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("a run's own charge that another payer's charge replaced (the policy changed meanwhile) is refunded at once, once", async () => {
    const hooked: { key?: string } = {};
    const w = world({
      wrap: hookedCharge(() => hooked.key, {
        when: "after",
        run: async () => {
          await w.store.accounts.updateSettings(acme, { reviewCharging: "pull_request" });
          queuedRun(await w.acceptReview.resume(b));
        },
      }),
    });
    await w.perRunCharging();
    const b = await w.claimPending(HEAD_A);
    hooked.key = runChargeKey(b.runKey);

    expect(await w.acceptReview.resume(b)).toMatchObject({
      status: "duplicate",
      run: { status: "queued", chargeKey: PR0 },
    });
    expect(await w.acceptReview.resume(b)).toMatchObject({ status: "queued" });

    const own = (await w.usage()).find((e) => e.idempotencyKey === runChargeKey(b!.runKey));
    expect((await w.refunds()).map((e) => e.refundOf)).toEqual([own!.id]);
    expect(await w.stored(b)).toMatchObject({ status: "queued", chargeKey: PR0 });
    expect((await w.ledger.summary(acme)).balance).toBe(2);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("review2: the sweep settles a superseded run's due refund before it resumes the head the take-up reopened, so the head is paid", async () => {
    const w = world({ freePerMonth: 1 });
    await w.perRunCharging();
    const a = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    const b = (await w.acceptReview.accept(trigger(HEAD_B))) as { run: ReviewRun };
    expect(b.run.status).toBe("paused");
    // The worker reopened B and ended A, then died before the refund (finish-run's first write).
    expect(await w.takeUp.reopen(a, HEAD_B)).toMatchObject({ status: "pending" });
    await w.store.runs.transition(acme, a.runKey, ["queued"], "superseded", {
      reason: "a newer commit will be reviewed",
      refundDue: true,
    });

    expect(await w.sweep()).toEqual({ resumed: 1, requeued: 0, failed: 0, settled: 1, errors: 0 });

    expect(await w.stored(b.run)).toMatchObject({
      status: "queued",
      chargeKey: runChargeKey(b.run.runKey),
    });
    expect(await w.refunds()).toHaveLength(1);
    expect((await w.ledger.summary(acme)).balance).toBe(0);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });

  it("the sweep tries a due refund that throws once per sweep, and reports it once", async () => {
    let refundFailures = 1;
    const w = world({
      wrap: (l) => ({
        charge: l.charge.bind(l),
        refundOfCharge: l.refundOfCharge.bind(l),
        refund: async (...args: Parameters<Ledger["refund"]>) => {
          if (refundFailures-- > 0) throw new Error("ledger unavailable");
          return l.refund(...args);
        },
      }),
    });
    const run = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    await w.store.runs.transition(acme, run.runKey, ["queued"], "failed", {
      reason: "GitHub answered 502",
      refundDue: true,
    });
    const errors: string[] = [];

    expect(await w.sweep(undefined, undefined, { onError: (r) => errors.push(r.runKey) })).toEqual({
      resumed: 0,
      requeued: 0,
      failed: 0,
      settled: 0,
      errors: 1,
    });
    expect(errors).toEqual([run.runKey]);
    expect(await w.sweep()).toMatchObject({ settled: 1, errors: 0 });
    expect(await w.refunds()).toHaveLength(1);
  });
});

describe("second review: `/jasper review` racing the take-up reviews and charges the head once", () => {
  const job = (r: ReviewRun) => ({ accountId: acme, runKey: r.runKey });
  const once = { finalAttempt: false };
  const asked = trigger(HEAD_B, { source: "command", commentId: 777001 });

  /** Per-run charging: A charged with the only free credit, B's run parked; then 5 credits bought. */
  async function parkedHead(w: ReturnType<typeof world>) {
    await w.perRunCharging();
    const a = queuedRun(await w.acceptReview.accept(trigger(HEAD_A)));
    const parked = await w.acceptReview.accept(trigger(HEAD_B));
    expect(parked.status).toBe("paused");
    return { a, b0: (parked as { run: ReviewRun }).run };
  }

  const buy = (w: ReturnType<typeof world>) =>
    w.ledger.grant(acme, {
      type: "purchase",
      amount: 5,
      description: "5 credits",
      idempotencyKey: "purchase-1",
    });

  /** The command's AcceptReview, running `hook` after it read the runs, before it claims. */
  function command(w: ReturnType<typeof world>, hook: () => Promise<void>) {
    return acceptReviewOn(w.store, w.ledger, {
      enqueueReview: async (_job, runKey) => {
        w.reviewJobs.push(runKey);
      },
      enqueueReply: async (job, id) => {
        w.replies.push({ id, job });
      },
      pullRequests: {
        get: (...args) => w.store.pullRequests.get(...args),
        claimPausedNotice: (...args) => w.store.pullRequests.claimPausedNotice(...args),
        nextRunSequence: async (...args) => {
          await hook();
          return w.store.pullRequests.nextRunSequence(...args);
        },
      },
    });
  }

  const headKeys = async (w: ReturnType<typeof world>) =>
    (await w.usage()).map((e) => e.idempotencyKey).filter((k) => k?.includes(HEAD_B));

  it("the take-up reopened and queued the parked run first: the command's new run ends uncharged and it answers with the queued one", async () => {
    const w = world({ freePerMonth: 1 });
    const { a, b0 } = await parkedHead(w);
    await buy(w);
    const host = fakeHost(HEAD_B, () => w.usage());
    const outcome = await command(w, async () => {
      expect(await w.runReview(host)(job(a), once)).toBe("superseded");
    }).accept(asked);

    expect(outcome).toMatchObject({ status: "duplicate", run: { runKey: b0.runKey } });
    const runs = await w.store.runs.listForPullRequest(acme, PR.repositoryId, PR.number, 10);
    expect(runs.filter((r) => r.headSha === HEAD_B)).toEqual([
      expect.objectContaining({ attempt: 1, status: "superseded", chargeKey: null }),
      expect.objectContaining({ attempt: 0, status: "queued" }),
    ]);
    expect(await headKeys(w)).toEqual([runChargeKey(b0.runKey)]);
    expect(await w.runReview(host)(job(b0), once)).toBe("posted");
    expect(host.posted).toHaveLength(1);
    // The comment delivered again asks for nothing more.
    expect(await w.acceptReview.accept(asked)).toMatchObject({ status: "duplicate" });
    expect(await headKeys(w)).toEqual([runChargeKey(b0.runKey)]);
  });

  it("the take-up reopened the parked run and the command joins paying it: one charge, one review", async () => {
    const w = world({ freePerMonth: 1 });
    const { a, b0 } = await parkedHead(w);
    await buy(w);
    const outcome = await command(w, async () => {
      expect(await w.takeUp.reopen(a, HEAD_B)).toMatchObject({ runKey: b0.runKey });
    }).accept(asked);

    expect(outcome).toMatchObject({ status: "queued", run: { runKey: b0.runKey } });
    // The take-up goes on: A ends and is refunded, and B is paid again by its own key.
    expect(await w.runReview(fakeHost(HEAD_B, () => w.usage()))(job(a), once)).toBe("superseded");
    expect(await headKeys(w)).toEqual([runChargeKey(b0.runKey)]);
    const runs = await w.store.runs.listForPullRequest(acme, PR.repositoryId, PR.number, 10);
    expect(runs.filter((r) => r.status === "queued").map((r) => r.runKey)).toEqual([b0.runKey]);
    expect((await w.ledger.summary(acme)).balance).toBe(5);
  });

  it("the command refused before the refund parks the reopened run; the take-up pays it after the refund", async () => {
    let beforeRefund: (() => Promise<void>) | null = null;
    const w = world({
      freePerMonth: 1,
      wrap: (l) => ({
        charge: l.charge.bind(l),
        refundOfCharge: l.refundOfCharge.bind(l),
        refund: async (...args: Parameters<Ledger["refund"]>) => {
          const hook = beforeRefund;
          beforeRefund = null;
          if (hook) await hook();
          return l.refund(...args);
        },
      }),
    });
    const { a, b0 } = await parkedHead(w);
    let answered: string | undefined;
    beforeRefund = async () => {
      answered = (await w.acceptReview.accept(asked)).status;
    };

    expect(await w.runReview(fakeHost(HEAD_B, () => w.usage()))(job(a), once)).toBe("superseded");

    expect(answered).toBe("paused");
    expect(await w.stored(b0)).toMatchObject({
      status: "queued",
      chargeKey: runChargeKey(b0.runKey),
      reason: TAKEN_UP,
    });
    // The command found the head's run pending (reopened) and paid that one: no new run.
    const runs = await w.store.runs.listForPullRequest(acme, PR.repositoryId, PR.number, 10);
    expect(runs.filter((r) => r.headSha === HEAD_B).map((r) => r.runKey)).toEqual([b0.runKey]);
    expect(await headKeys(w)).toEqual([runChargeKey(b0.runKey)]);
    expect((await w.ledger.summary(acme)).balance).toBe(0);
  });

  it("the command retired the parked run and claimed its own first: the take-up pays the command's run after the refund, once", async () => {
    const hooked: { key?: string } = {};
    const w = world({
      freePerMonth: 1,
      wrap: hookedCharge(() => hooked.key, {
        when: "before",
        run: async () => {
          const host = fakeHost(HEAD_B, () => w.usage());
          expect(await w.runReview(host)(job(a), once)).toBe("superseded");
        },
      }),
    });
    const { a, b0 } = await parkedHead(w);
    const b1 = b0.runKey.replace(/:0$/, ":1");
    hooked.key = runChargeKey(b1);

    const outcome = await w.acceptReview.accept(asked);

    expect(outcome).toMatchObject({
      status: "queued",
      run: { runKey: b1, commentId: 777001, chargeKey: runChargeKey(b1) },
    });
    expect(await w.stored(b0)).toMatchObject({ status: "superseded", chargeKey: null });
    expect(await headKeys(w)).toEqual([runChargeKey(b1)]);
    expect(w.checks.get(HEAD_B)).toBe("queued");
    expect((await w.ledger.summary(acme)).balance).toBe(0);
    expect((await verifyLedger(w.store.ledger)).problems).toEqual([]);
  });
});
