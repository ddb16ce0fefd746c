/**
 * How a payer settles with the other callers moving the same run (the take-up, a redelivered
 * event, `/jasper review`, the sweep, the worker): each race is forced by doing the other
 * caller's step inside one store call, right before (or after) this payer's own step.
 */
import { describe, expect, it } from "@jest/globals";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";
import { toAccountId } from "../../src/accounts/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { nextPeriodStart } from "../../src/ledger/periods.js";
import type { ReviewTrigger } from "../../src/reviews/accept-review.js";
import { pullRequestChargeKey, runKeyOf } from "../../src/reviews/charge-keys.js";
import type { ReplyJob, ReviewJob } from "../../src/reviews/jobs.js";
import { INSUFFICIENT_CREDITS, overBudgetReason } from "../../src/reviews/pause-reasons.js";
import type { ReviewRunStore, RunStatus } from "../../src/reviews/types.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, claimPendingRun, reviewTrigger } from "../support/runs.js";

const acme = toAccountId(9001);
const PR = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };
const HEAD_A = "a".repeat(40);
const HEAD_B = "b".repeat(40);
const PR0 = pullRequestChargeKey(PR, 0);
const PR1 = pullRequestChargeKey(PR, 1);
const RUN_A = runKeyOf(PR, HEAD_A, 0);
const NOW = new Date("2026-12-07T12:00:00Z");

const trigger = (over: Partial<ReviewTrigger> = {}) => reviewTrigger(acme, PR, HEAD_A, over);

/** Another caller's step, run inside this payer's `transition(from → to)` before it. */
type Before = (from: readonly RunStatus[], to: RunStatus) => Promise<void>;

async function world(options: { credits?: number; budgets?: BudgetRules } = {}) {
  const store = createMemoryStore();
  const credits = options.credits ?? 3;
  const ledger = new Ledger({ store: store.ledger, freePerMonth: credits });
  await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
  if (options.budgets) await store.accounts.setBudgets(acme, options.budgets);
  await ledger.ensureFreeTier(acme);
  // The other callers' steps go straight to the store.
  const real = {
    transition: store.runs.transition.bind(store.runs),
    get: store.runs.get.bind(store.runs),
  };
  const hooks: { before?: Before; afterGet?: () => Promise<void>; hideRun?: boolean } = {};
  const runs = Object.create(store.runs) as ReviewRunStore;
  runs.transition = async (accountId, runKey, from, to, fields, where) => {
    await hooks.before?.(from, to);
    return real.transition(accountId, runKey, from, to, fields, where);
  };
  runs.get = async (accountId, runKey) => {
    await hooks.afterGet?.();
    return hooks.hideRun ? null : real.get(accountId, runKey);
  };
  const reviewJobs: { job: ReviewJob; id: string }[] = [];
  const replies: { job: ReplyJob; id: string }[] = [];
  const accept = acceptReviewOn(store, ledger, {
    runs,
    enqueueReview: async (job, id) => {
      reviewJobs.push({ job, id });
    },
    enqueueReply: async (job, id) => {
      replies.push({ job, id });
    },
    now: () => NOW,
  });
  const usage = () => store.ledger.list(acme, { types: ["usage"], limit: 20 });
  const balance = async () => (await ledger.summary(acme)).balance;
  return { store, ledger, real, hooks, accept, reviewJobs, replies, usage, balance };
}

type World = Awaited<ReturnType<typeof world>>;

/** Another caller's `step`, once, right before this payer's next move of the run to `to`. */
function onceBefore(w: World, to: RunStatus, step: () => Promise<unknown>) {
  w.hooks.before = async (_from, next) => {
    if (next !== to) return;
    w.hooks.before = undefined;
    await step();
  };
}

/**
 * Another caller parks the run just before this payer queues it, then reopens it just before
 * this payer takes up the parked run: each round sends the payer round its loop once. After
 * `rounds`, `last` (if any) runs once before the payer's next try, then nothing interferes.
 */
function bounce(w: World, runKey: string, rounds: number, last?: () => Promise<void>) {
  let round = 0;
  w.hooks.before = async (from, to) => {
    if (to !== "queued") return;
    if (from.includes("pending")) {
      round++;
      if (round <= rounds) {
        await w.real.transition(acme, runKey, ["pending"], "paused", {
          reason: INSUFFICIENT_CREDITS,
        });
      } else if (round === rounds + 1) {
        await last?.();
      }
    } else if (from.includes("paused") && round <= rounds) {
      await w.real.transition(acme, runKey, ["paused"], "pending");
    }
  };
}

describe("parking a run the credits do not cover, with other payers about", () => {
  it("yields to a payer that queued the run before it could park it: no stop is reported", async () => {
    const w = await world({ credits: 0 });
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    onceBefore(w, "paused", () =>
      w.real.transition(acme, run.runKey, ["pending"], "queued", { chargeKey: PR0 }),
    );
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "queued", chargeKey: PR0 }),
    });
    expect(w.reviewJobs.map((j) => j.id)).toStrictEqual([run.runKey]);
    expect(w.replies).toStrictEqual([]);
  });

  it("yields to a payer that queued the run before it could park it at a budget: no stop is reported", async () => {
    const w = await world({ budgets: { ...NO_BUDGETS, account: 1 } });
    await w.accept.accept(trigger({ pr: { ...PR, number: 13 } }));
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    onceBefore(w, "paused", () =>
      w.real.transition(acme, run.runKey, ["pending"], "queued", { chargeKey: PR0 }),
    );
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "queued", chargeKey: PR0 }),
    });
    expect(w.reviewJobs.map((j) => j.id)).toStrictEqual([
      expect.stringContaining(":13:"),
      run.runKey,
    ]);
  });

  it("reports the stop when another refused payer parked the run first, with the run as parked", async () => {
    const w = await world({ credits: 0 });
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    onceBefore(w, "paused", async () => {
      await w.real.transition(acme, run.runKey, ["pending"], "paused", {
        reason: INSUFFICIENT_CREDITS,
      });
    });
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "paused",
      run: expect.objectContaining({ status: "paused", reason: INSUFFICIENT_CREDITS }),
      noticeQueued: true,
    });
    expect(w.reviewJobs).toStrictEqual([]);
    expect(w.replies).toHaveLength(1);
  });

  it("reports the stop it made even when the run is taken up right after", async () => {
    const w = await world({ credits: 0 });
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    w.hooks.afterGet = async () => {
      const now = await w.real.get(acme, run.runKey);
      if (now?.status !== "paused") return;
      w.hooks.afterGet = undefined;
      await w.real.transition(acme, run.runKey, ["paused"], "queued", { chargeKey: PR0 });
    };
    const outcome = await w.accept.resume(run);
    expect(outcome).toMatchObject({ status: "paused", run: { status: "paused" } });
  });

  it("queues the pull request's paused notice once, however many of its runs are parked", async () => {
    const w = await world({ credits: 0 });
    const first = await w.accept.accept(trigger());
    const second = await w.accept.accept(trigger({ headSha: HEAD_B }));
    expect(first).toMatchObject({ status: "paused", noticeQueued: true });
    expect(second).toMatchObject({ status: "paused", noticeQueued: false });
    expect(w.replies).toHaveLength(1);
  });
});

describe("queueing a paid run, with other payers about", () => {
  it("pays again and queues a run moved back to pending meanwhile", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    bounce(w, run.runKey, 1);
    const outcome = await w.accept.resume(run);
    expect(outcome).toMatchObject({ status: "queued", run: { status: "queued", chargeKey: PR0 } });
    expect(w.reviewJobs.map((j) => j.id)).toStrictEqual([run.runKey]);
    expect(await w.usage()).toHaveLength(1);
  });

  it("gives up on a run that keeps moving, leaving its one charge for the sweep to queue it by", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    // More rounds than a payer follows: past them nothing interferes, so a payer that kept
    // following would end up queueing it instead of giving up.
    bounce(w, run.runKey, 6);
    await expect(w.accept.resume(run)).rejects.toThrow(
      `run ${run.runKey} kept changing while it was being paid`,
    );
    expect(await w.real.get(acme, run.runKey)).toMatchObject({ status: "pending" });
    expect(w.reviewJobs).toStrictEqual([]);
    expect(await w.usage()).toHaveLength(1);

    w.hooks.before = undefined;
    const resumed = await w.accept.resume(run);
    expect(resumed).toMatchObject({ status: "queued", run: { chargeKey: PR0 } });
    expect(await w.usage()).toHaveLength(1);
  });

  it("queues a run moved back twice, and gives up on one moved back three times", async () => {
    const followed = await world();
    const run = await claimPendingRun(followed.store, acme, PR, HEAD_A);
    bounce(followed, run.runKey, 2);
    expect(await followed.accept.resume(run)).toMatchObject({ status: "queued" });

    const bounded = await world();
    const again = await claimPendingRun(bounded.store, acme, PR, HEAD_A);
    // Past the third move nothing interferes: a payer that followed a fourth would queue it.
    bounce(bounded, again.runKey, 3);
    await expect(bounded.accept.resume(again)).rejects.toThrow(
      `run ${again.runKey} kept changing while it was being paid`,
    );
    expect(bounded.reviewJobs).toStrictEqual([]);
  });

  it("does not queue again a run another payer queued with this charge and that was posted since", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    onceBefore(w, "queued", async () => {
      await w.real.transition(acme, run.runKey, ["pending"], "queued", { chargeKey: PR0 });
      await w.real.transition(acme, run.runKey, ["queued"], "posted");
    });
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "posted", chargeKey: PR0 }),
    });
    expect(w.reviewJobs).toStrictEqual([]);
    expect(await w.usage()).toHaveLength(1);
  });

  it("leaves the pull request's shared charge alone when the run was paid by another charge", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    onceBefore(w, "queued", () =>
      w.real.transition(acme, run.runKey, ["pending"], "queued", { chargeKey: PR1 }),
    );
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "queued", chargeKey: PR1 }),
    });
    expect(await w.ledger.refundOfCharge(acme, PR0)).toBeNull();
    expect(await w.balance()).toBe(2);
  });

  it("puts the charge, refund due, on a run ended without one while it was paid", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    // Superseded on this payer's last try: the charge still lands on it, to be refunded.
    bounce(w, run.runKey, 2, async () => {
      await w.real.transition(acme, run.runKey, ["pending"], "superseded");
    });
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "superseded", chargeKey: PR0, refundDue: true }),
    });
    expect(w.reviewJobs).toStrictEqual([]);
  });

  it("follows an ended run that took another charge before this one could be put on it", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    w.hooks.before = async (from, to) => {
      if (to === "queued" && from.includes("pending")) {
        await w.real.transition(acme, run.runKey, ["pending"], "superseded");
      } else if (to === "superseded") {
        w.hooks.before = undefined;
        await w.real.transition(acme, run.runKey, ["superseded"], "superseded", {
          chargeKey: PR1,
          refundDue: true,
        });
      }
    };
    const outcome = await w.accept.resume(run);
    expect(outcome).toStrictEqual({
      status: "duplicate",
      run: expect.objectContaining({ status: "superseded", chargeKey: PR1 }),
    });
  });

  it("reports the run it queued, whatever happens to it after", async () => {
    const w = await world();
    // A newer head supersedes it the moment it is queued: the payer has no reason to look.
    w.hooks.afterGet = async () => {
      w.hooks.afterGet = undefined;
      await w.real.transition(acme, RUN_A, ["queued"], "superseded");
    };
    const outcome = await w.accept.accept(trigger());
    expect(outcome).toMatchObject({ status: "queued", run: { status: "queued" } });
    expect(w.reviewJobs).toHaveLength(1);
  });

  it("names the run it lost track of while paying it", async () => {
    const w = await world();
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A);
    w.hooks.before = async (from, to) => {
      if (to !== "queued" || !from.includes("pending")) return;
      w.hooks.before = undefined;
      w.hooks.hideRun = true;
      await w.real.transition(acme, run.runKey, ["pending"], "failed");
    };
    await expect(w.accept.resume(run)).rejects.toThrow(
      `run ${run.runKey} missing while it was being paid`,
    );
  });
});

describe("what a payer charges with", () => {
  it("lets a resumed run through the budgets when an admin's override claimed it", async () => {
    const w = await world({ budgets: { ...NO_BUDGETS, account: 1 } });
    expect(await w.accept.accept(trigger({ pr: { ...PR, number: 13 } }))).toMatchObject({
      status: "queued",
    });
    const run = await claimPendingRun(w.store, acme, PR, HEAD_A, { overBudget: true });
    expect(await w.accept.resume(run)).toMatchObject({ status: "queued" });
    expect(await w.usage()).toHaveLength(2);
  });

  it("holds a plain /jasper review to the budgets: the command says no override, explicitly", async () => {
    const w = await world({ budgets: { ...NO_BUDGETS, account: 1 } });
    expect(await w.accept.accept(trigger({ pr: { ...PR, number: 13 } }))).toMatchObject({
      status: "queued",
    });
    // What post-reply.ts sends for `/jasper review` without --over-budget: `overBudget: false`.
    const asked = trigger({ source: "command", commentId: 77, overBudget: false });
    expect(await w.accept.accept(asked)).toMatchObject({ status: "over_budget" });
    expect(await w.usage()).toHaveLength(1);
  });

  it("keeps the event's title and description to GitHub's bounds on the review job", async () => {
    const w = await world();
    await w.accept.accept(
      trigger({ pull: { title: "t".repeat(1_500), body: "b".repeat(70_000), changedFiles: 3 } }),
    );
    const pull = w.reviewJobs[0]?.job.pull;
    expect(pull?.title).toBe("t".repeat(1_000));
    expect(pull?.body).toBe("b".repeat(65_536));
    expect(pull?.changedFiles).toBe(3);
  });
});

describe("the live charge right before a review is posted", () => {
  it("is the run's own charge while it stands, whatever the policy says now", async () => {
    const w = await world();
    const queued = await w.accept.accept(trigger());
    expect(queued).toMatchObject({ status: "queued", run: { chargeKey: PR0 } });
    await w.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const run = (await w.real.get(acme, RUN_A))!;
    expect(await w.accept.liveCharge(run)).toStrictEqual({ key: PR0 });
    expect(await w.usage()).toHaveLength(1);
  });

  it("charges the pull request again, with its page, when the run's charge was refunded", async () => {
    const w = await world();
    await w.accept.accept(trigger());
    await w.ledger.refund(acme, { chargeKey: PR0 });
    const run = (await w.real.get(acme, RUN_A))!;
    expect(await w.accept.liveCharge(run)).toStrictEqual({ key: PR1 });
    const [charge] = await w.usage();
    expect(charge?.idempotencyKey).toBe(PR1);
    expect(charge?.reference).toMatchObject({
      url: "https://github.com/Acme-Corp/widgets/pull/12",
    });
  });

  it("stops at a budget another pull request filled since the refund, saying when it lifts", async () => {
    const w = await world({ budgets: { ...NO_BUDGETS, account: 1 } });
    await w.accept.accept(trigger());
    await w.ledger.refund(acme, { chargeKey: PR0 });
    expect(await w.accept.accept(trigger({ pr: { ...PR, number: 13 } }))).toMatchObject({
      status: "queued",
    });
    const run = (await w.real.get(acme, RUN_A))!;
    const live = await w.accept.liveCharge(run);
    expect(live).toMatchObject({
      paused: "over_budget",
      reason: overBudgetReason("account"),
      report: {
        budget: "account",
        cap: 1,
        used: 1,
        repository: "Acme-Corp/widgets",
        resetsOn: nextPeriodStart(NOW),
      },
    });
    expect(await w.usage()).toHaveLength(2);
  });
});
