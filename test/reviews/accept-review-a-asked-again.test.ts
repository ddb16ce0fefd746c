import { describe, expect, it } from "@jest/globals";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import { toAccountId } from "../../src/accounts/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import {
  ASKED_AGAIN,
  TAKEN_UP_INSTEAD,
  type ReviewTrigger,
} from "../../src/reviews/accept-review.js";
import { runKeyOf } from "../../src/reviews/charge-keys.js";
import type { ReviewRunStore } from "../../src/reviews/types.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, claimPendingRun, reviewTrigger } from "../support/runs.js";

/**
 * How accepting a review decides what a new run is: a paused pull request takes no automatic
 * review but still takes `/jasper review`; a head already reviewed (or in flight) is a
 * duplicate; `/jasper review` on a parked head retires the parked run, and when another caller
 * moves that run meanwhile, exactly one of the two runs goes ahead and is paid for once.
 */
const acme = toAccountId(9101);
const PR = { repositoryId: 601, repository: "Acme-Corp/gears", number: 7 };
const HEAD = "d".repeat(40);
const PARKED_KEY = runKeyOf(PR, HEAD, 0);
const NEXT_KEY = runKeyOf(PR, HEAD, 1);

const trigger = (over: Partial<ReviewTrigger> = {}) => reviewTrigger(acme, PR, HEAD, over);
const command = (over: Partial<ReviewTrigger> = {}) => trigger({ source: "command", ...over });

async function setup(options: { credits?: number; perRun?: boolean } = {}) {
  const store = createMemoryStore();
  const ledger = new Ledger({ store: store.ledger, freePerMonth: options.credits ?? 5 });
  await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
  if (options.perRun) await store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
  await ledger.ensureFreeTier(acme);
  const enqueued: string[] = [];
  const accept = acceptReviewOn(store, ledger, {
    enqueueReview: async (_job, runKey) => {
      enqueued.push(runKey);
    },
  });
  const usage = () => store.ledger.list(acme, { types: ["usage"], limit: 20 });
  const run = (key: string) => store.runs.get(acme, key);
  return { store, ledger, accept, enqueued, usage, run };
}

/** A head whose first run was parked for want of credits and never charged. */
async function parkHead(store: ReturnType<typeof createMemoryStore>) {
  await claimPendingRun(store, acme, PR, HEAD);
  await store.runs.transition(acme, PARKED_KEY, ["pending"], "paused", {
    reason: "insufficient credits",
  });
}

/**
 * Runs `before` (another caller's step) ahead of the first `times` calls that try to retire
 * the parked run, and `after` right after each such call.
 */
function aroundRetire(
  runs: ReviewRunStore,
  step: { before?: () => Promise<unknown>; after?: () => Promise<unknown>; times?: number },
) {
  const real = runs.transition.bind(runs);
  let left = step.times ?? 1;
  let calls = 0;
  runs.transition = async (accountId, runKey, from, to, fields, where) => {
    const retiring = runKey === PARKED_KEY && to === "superseded" && from.includes("paused");
    if (!retiring || left === 0) return real(accountId, runKey, from, to, fields, where);
    left--;
    calls++;
    await step.before?.();
    const result = await real(accountId, runKey, from, to, fields, where);
    await step.after?.();
    return result;
  };
  return () => calls;
}

describe("accepting a review: which run a trigger makes, and what is paid", () => {
  it("skips automatic reviews of a paused pull request, but not /jasper review", async () => {
    const { store, accept, usage } = await setup();
    await store.pullRequests.setAutoReviewPaused(acme, PR, true);
    expect(await accept.accept(trigger())).toStrictEqual({
      status: "skipped",
      reason: "paused_on_pull_request",
    });
    expect(await store.runs.listForPullRequest(acme, PR.repositoryId, PR.number, 10)).toEqual([]);
    expect(await accept.accept(command())).toMatchObject({ status: "queued" });
    expect(await usage()).toHaveLength(1);
  });

  it("takes an automatic review of a pull request that is not paused", async () => {
    const { store, accept } = await setup();
    await store.pullRequests.setAutoReviewPaused(acme, { ...PR, number: 8 }, true);
    expect(await accept.accept(trigger())).toMatchObject({ status: "queued" });
  });

  it("treats an automatic event for a head already posted as a duplicate", async () => {
    const { store, accept, usage, run } = await setup({ perRun: true });
    await accept.accept(trigger());
    await store.runs.transition(acme, PARKED_KEY, ["queued"], "posted");
    const again = await accept.accept(trigger());
    expect(again).toMatchObject({ status: "duplicate", run: { runKey: PARKED_KEY } });
    expect(await run(NEXT_KEY)).toBeNull();
    expect(await usage()).toHaveLength(1);
  });

  it("treats /jasper review while the head's run is still queued as a duplicate", async () => {
    const { accept, usage, run, enqueued } = await setup({ perRun: true });
    await accept.accept(command({ commentId: 1 }));
    const again = await accept.accept(command({ commentId: 2 }));
    expect(again).toMatchObject({ status: "duplicate", run: { runKey: PARKED_KEY } });
    expect(await run(NEXT_KEY)).toBeNull();
    expect(await usage()).toHaveLength(1);
    // The queued run's job is added again (a no-op by its id, or brings a lost job back).
    expect(enqueued).toStrictEqual([PARKED_KEY, PARKED_KEY]);
  });

  it("reviews a new head in full when nothing of the pull request was posted yet", async () => {
    const { store, accept } = await setup();
    await parkHead(store);
    const fresh = await accept.accept(trigger({ headSha: "e".repeat(40) }));
    expect(fresh).toMatchObject({ status: "queued", run: { incremental: false } });
  });

  it("keeps on the run who wrote the pull request and an admin's override, for later payers", async () => {
    const { accept, run } = await setup();
    const out = await accept.accept(command({ author: "octo-dev", overBudget: true }));
    expect(out.status).toBe("queued");
    expect(await run(PARKED_KEY)).toMatchObject({ author: "octo-dev", overBudget: true });
  });

  it("answers duplicate when another caller claimed and paid the run just before", async () => {
    const { store, ledger, accept, usage } = await setup({ perRun: true });
    const other = acceptReviewOn(store, ledger);
    const realClaim = store.runs.claim.bind(store.runs);
    let raced = false;
    store.runs.claim = async (run) => {
      if (!raced) {
        raced = true;
        // The same event, delivered twice at once: the other delivery claims and pays first.
        await other.accept(trigger());
      }
      return realClaim(run);
    };
    const out = await accept.accept(trigger());
    expect(out).toMatchObject({
      status: "duplicate",
      run: { runKey: PARKED_KEY, status: "queued" },
    });
    expect(await usage()).toHaveLength(1);
  });

  it("retires a parked run of the head when /jasper review asks again, saying why", async () => {
    const { store, accept, usage, run } = await setup();
    await parkHead(store);
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "queued", run: { runKey: NEXT_KEY } });
    // The reason is what the dashboard shows for the run: it says who ended it and how.
    expect(await run(PARKED_KEY)).toMatchObject({
      status: "superseded",
      reason: "asked again with /jasper review",
    });
    expect(await usage()).toHaveLength(1);
  });

  it("does not take a paused run whose charge was refunded for a parked one", async () => {
    const { store, accept, usage, run } = await setup();
    await claimPendingRun(store, acme, PR, HEAD);
    // Paused at posting time after its charge was refunded: it keeps that charge's key.
    await store.runs.transition(acme, PARKED_KEY, ["pending"], "paused", {
      chargeKey: "refunded-key",
      reason: "insufficient credits",
    });
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "queued", run: { runKey: NEXT_KEY } });
    expect(await run(PARKED_KEY)).toMatchObject({ status: "paused", chargeKey: "refunded-key" });
    expect(await usage()).toHaveLength(1);
  });

  it("retires the parked run once it is parked again after another caller moved it", async () => {
    const { store, accept, run } = await setup();
    await parkHead(store);
    aroundRetire(store.runs, {
      // The take-up reopens it, is refused again and parks it again, around the retirement.
      before: () => store.runs.transition(acme, PARKED_KEY, ["paused"], "pending", {}),
      after: () =>
        store.runs.transition(acme, PARKED_KEY, ["pending"], "paused", { reason: "again" }),
    });
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "queued", run: { runKey: NEXT_KEY } });
    expect(await run(PARKED_KEY)).toMatchObject({ status: "superseded", reason: ASKED_AGAIN });
  });

  it("lets the new run stand when the parked run ended meanwhile", async () => {
    const { store, accept, usage, run } = await setup();
    await parkHead(store);
    aroundRetire(store.runs, {
      before: () =>
        store.runs.transition(acme, PARKED_KEY, ["paused"], "skipped", { reason: "closed" }),
    });
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "queued", run: { runKey: NEXT_KEY } });
    expect(await run(PARKED_KEY)).toMatchObject({ status: "skipped" });
    expect(await usage()).toHaveLength(1);
  });

  it("ends the new run, saying why, when the take-up reopened the parked run first", async () => {
    const { store, accept, usage, run } = await setup();
    await parkHead(store);
    aroundRetire(store.runs, {
      before: () => store.runs.transition(acme, PARKED_KEY, ["paused"], "pending", {}),
    });
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "queued", run: { runKey: PARKED_KEY } });
    expect(await run(NEXT_KEY)).toMatchObject({
      status: "superseded",
      reason: "the stopped review of this commit went ahead instead",
    });
    expect(await usage()).toHaveLength(1);
  });

  it("pays the parked run the take-up reopened meanwhile with the admin's override, past the budget", async () => {
    const { store, accept, usage, run } = await setup({ credits: 10 });
    await store.accounts.setBudgets(acme, { ...NO_BUDGETS, account: 1 });
    // Another pull request spends the month's budget of one credit.
    expect(await accept.accept(trigger({ pr: { ...PR, number: 8 } }))).toMatchObject({
      status: "queued",
    });
    await parkHead(store);
    aroundRetire(store.runs, {
      before: () => store.runs.transition(acme, PARKED_KEY, ["paused"], "pending", {}),
    });
    // The reopened run was claimed without an override; the admin's command brings one.
    const out = await accept.accept(command({ overBudget: true }));
    expect(out).toMatchObject({ status: "queued", run: { runKey: PARKED_KEY } });
    expect(await run(NEXT_KEY)).toMatchObject({ status: "superseded", reason: TAKEN_UP_INSTEAD });
    expect(await usage()).toHaveLength(2);
  });

  it("leaves the new run as another payer left it when both runs were taken up meanwhile", async () => {
    const { store, ledger, accept, usage, run } = await setup({ perRun: true });
    await parkHead(store);
    const sweep = acceptReviewOn(store, ledger);
    aroundRetire(store.runs, {
      before: async () => {
        // The take-up reopens the parked run; the sweep pays the command's pending run.
        await store.runs.transition(acme, PARKED_KEY, ["paused"], "pending", {});
        await sweep.resume((await run(NEXT_KEY))!);
      },
    });
    const out = await accept.accept(command());
    expect(out).toMatchObject({ status: "duplicate", run: { runKey: NEXT_KEY, status: "queued" } });
    // The head is charged once: the reopened run is its take-up's to pay, not this call's.
    expect(await usage()).toHaveLength(1);
    expect(await run(PARKED_KEY)).toMatchObject({ status: "pending", chargeKey: null });
  });

  it("gives up after following the parked run through three moves, naming it", async () => {
    const { store, accept, usage } = await setup();
    await parkHead(store);
    const tries = aroundRetire(store.runs, {
      times: 3,
      before: () => store.runs.transition(acme, PARKED_KEY, ["paused"], "pending", {}),
      after: () =>
        store.runs.transition(acme, PARKED_KEY, ["pending"], "paused", { reason: "again" }),
    });
    await expect(accept.accept(command())).rejects.toThrow(`run ${PARKED_KEY} kept changing`);
    expect(tries()).toBe(3);
    // Nothing paid: the command's run is left pending for the sweep.
    expect(await usage()).toHaveLength(0);
  });
  it("puts the charge, refund due, on a run that failed while it was being paid", async () => {
    const { store, accept, run, usage } = await setup();
    const real = store.runs.transition.bind(store.runs);
    let raced = false;
    store.runs.transition = async (accountId, runKey, from, to, fields, where) => {
      if (!raced && to === "queued") {
        raced = true;
        // Another worker ends the run, uncharged, between the charge and the queueing.
        await real(acme, PARKED_KEY, ["pending"], "failed", { reason: "crashed" });
      }
      return real(accountId, runKey, from, to, fields, where);
    };
    const out = await accept.accept(trigger());
    expect(out).toMatchObject({ status: "duplicate" });
    const [charge] = await usage();
    // The pull request's charge is the failed run's to refund (the sweep settles it).
    expect(await run(PARKED_KEY)).toMatchObject({
      status: "failed",
      chargeKey: charge!.idempotencyKey,
      refundDue: true,
    });
  });
});
