import { limitsFor } from "../budgets/limits.js";
import { NO_BUDGETS } from "../accounts/budget-rules.js";
import type { Ledger } from "../ledger/ledger.js";
import type { BudgetWarning } from "../ledger/month-use.js";
import type { SeatLimit } from "../billing/seat-limit.js";
import { nextPeriodStart, periodOf } from "../ledger/periods.js";
import { DEFAULT_SETTINGS, type Account, type AccountId } from "../accounts/types.js";
import type { PullSnapshot, ReplyJob, ReviewJob } from "./jobs.js";
import type { BudgetStopReport } from "../voice/voice.js";
import type { AccountStore } from "../accounts/account-store.js";
import { budgetNoticeJob, pausedNoticeJob } from "./paused-notice.js";
import { INSUFFICIENT_CREDITS, overBudgetReason, type ReviewStop } from "./pause-reasons.js";
import {
  isPullRequestChargeKey,
  pullRequestChargeKey,
  runChargeKey,
  runKeyOf,
} from "./charge-keys.js";
import type {
  PullRequestRef,
  PullRequestStore,
  ReviewRun,
  ReviewRunStore,
  RunStatus,
} from "./types.js";

export interface ReviewTrigger {
  accountId: AccountId;
  installationId: number;
  pr: PullRequestRef;
  headSha: string;
  url: string;
  /** "auto": a pull request event; "command": someone asked with `/jasper review`. */
  source: "auto" | "command";
  /** The `/jasper review` comment: one comment asks for one run, however often delivered. */
  commentId?: number | undefined;
  /** `/jasper full review`: the run reviews everything again, never as a re-review. */
  full?: boolean | undefined;
  /** The pull request's author (GitHub login), recorded on the charge for usage by author. */
  author?: string | undefined;
  /**
   * `/jasper review --over-budget` by an admin of the account: this run is charged whatever
   * the budgets say (the balance still has to cover it).
   */
  overBudget?: boolean | undefined;
  /**
   * What the event said about the pull request (title, description): the review job carries
   * it, so the worker does not ask GitHub for the pull request again.
   */
  pull?: PullSnapshot | undefined;
}

export type AcceptOutcome =
  | { status: "queued"; run: ReviewRun }
  | { status: "duplicate"; run: ReviewRun }
  /** Not enough credits; `noticeQueued` when this call queued the pull request's one notice. */
  | { status: "paused"; run: ReviewRun; noticeQueued: boolean }
  /**
   * A budget (or the plan's seat limit) has no room: nothing was charged, the pull request's
   * budget notice is queued.
   */
  | { status: "over_budget"; run: ReviewRun; stop: ReviewStop; resetsOn: Date }
  | { status: "skipped"; reason: "paused_on_pull_request" | "account_inactive" };

/** What the check run and the notice say about a budget stop. */
export function budgetStopReport(
  outcome: Extract<AcceptOutcome, { status: "over_budget" }>,
  author: string | undefined,
): BudgetStopReport {
  return {
    ...outcome.stop,
    repository: outcome.run.pr.repository,
    author,
    resetsOn: outcome.resetsOn,
  };
}

/** What pays for a run right before it is posted, or why nothing does (the run pauses). */
export type LivePayment =
  | { key: string }
  | { paused: "insufficient_credits"; reason: string }
  | { paused: "over_budget"; reason: string; report: BudgetStopReport };

export interface AcceptDeps {
  runs: ReviewRunStore;
  pullRequests: Pick<PullRequestStore, "get" | "claimPausedNotice" | "nextRunSequence">;
  accounts: Pick<AccountStore, "get">;
  ledger: Pick<Ledger, "charge" | "refundOfCharge" | "refund">;
  enqueueReview(job: ReviewJob, runKey: string): Promise<void>;
  enqueueReply(job: ReplyJob, id: string): Promise<void>;
  /** Queues the billing contacts' warning for each budget a charge took to its share. */
  warnBudgets?(accountId: AccountId, period: string, warnings: BudgetWarning[]): Promise<void>;
  /**
   * The plan's seat limit (src/billing/seat-limit.ts): asked before each charge for a known
   * author; a stop parks the run as a budget stop does. Absent: no seat limit.
   */
  seatLimit?: SeatLimit;
  now?: () => Date;
  /**
   * The pull request's web page, for the charge's reference when the sweeper resumes a run (an
   * event's own URL is gone by then). Given, not built here: GitHub Enterprise has other hosts.
   */
  pullRequestUrl(repository: string, number: number): string;
}

/** Ended without being posted: an ended run's charge is refunded (finish-run.ts). */
const ENDED: readonly RunStatus[] = ["failed", "superseded", "skipped"];

/** A parked run that was never charged: the take-up or `/jasper review` can take it up. */
export const isParked = (run: ReviewRun): boolean =>
  run.status === "paused" && run.chargeKey === null;

/** The `reason` of a parked run `/jasper review` replaced with a new run of its head. */
export const ASKED_AGAIN = "asked again with /jasper review";
/** The `reason` of a command's run that yielded to the head's parked run taken up meanwhile. */
export const TAKEN_UP_INSTEAD = "the stopped review of this commit went ahead instead";

/** How often a payer follows a run that other callers keep moving before it gives up. */
const MOVES_FOLLOWED = 3;

/**
 * The head's attempt number: 0 for its first run. An automatic event for a head that has a run
 * already is a duplicate (null), unless that run was left pending; `/jasper review` asks for a
 * new run unless one is still in flight. `forHead` is newest first.
 */
function nextAttempt(forHead: ReviewRun[], source: ReviewTrigger["source"]): number | null {
  const newest = forHead[0];
  if (!newest) return 0;
  if (newest.status === "pending") return newest.attempt;
  if (source === "auto" || newest.status === "queued") return null;
  return newest.attempt + 1;
}

/**
 * Accepts a review into the queue: verify, decide, charge, enqueue. The database decides what
 * a duplicate is (the run's unique key, the ledger's idempotency key), never the queue. Every
 * step can be run again: a run left `pending` by a crash is resumed by the sweeper through
 * `resume`, and charges again only by the same key, which writes nothing twice.
 */
export function createAcceptReview(deps: AcceptDeps) {
  async function accept(trigger: ReviewTrigger): Promise<AcceptOutcome> {
    const { accountId, pr } = trigger;
    if (trigger.source === "auto") {
      const flags = await deps.pullRequests.get(accountId, pr.repositoryId, pr.number);
      if (flags.autoReviewPaused) return { status: "skipped", reason: "paused_on_pull_request" };
    }
    const prRuns = await deps.runs.listForPullRequest(accountId, pr.repositoryId, pr.number, 50);
    // A comment redelivered after the queue forgot its job: the database remembers it. Its run
    // left pending (the first try failed before paying, the reply job is retried) is paid now.
    const asked = trigger.commentId && prRuns.find((r) => r.commentId === trigger.commentId);
    if (asked) {
      return asked.status === "pending" ? pay(asked, trigger) : duplicate(asked);
    }
    const forHead = prRuns.filter((r) => r.headSha === trigger.headSha);
    const attempt = nextAttempt(forHead, trigger.source);
    if (attempt === null) return duplicate(forHead[0]!);
    const posted = prRuns.some((r) => r.status === "posted");
    const { created, run } = await deps.runs.claim({
      accountId,
      runKey: runKeyOf(pr, trigger.headSha, attempt),
      pr,
      headSha: trigger.headSha,
      attempt,
      sequence: await deps.pullRequests.nextRunSequence(accountId, pr),
      commentId: trigger.commentId ?? null,
      author: trigger.author ?? null,
      overBudget: trigger.overBudget === true,
      installationId: trigger.installationId,
      status: "pending",
      chargeKey: null,
      incremental: posted && !trigger.full,
      reason: null,
    });
    // Someone else claimed it: a duplicate, unless it was left half-done by a crash.
    if (!created && run.status !== "pending") return duplicate(run);
    const parked = forHead[0];
    if (parked && isParked(parked)) {
      const takenUp = await retire(parked, run, trigger);
      if (takenUp) return takenUp;
    }
    return pay(run, trigger);
  }

  /**
   * `/jasper review` on a head whose review is parked and was never charged: the command's new
   * run is that review now, so the parked run is retired before the new one is paid. The
   * take-up reopens a parked run the same way (paused with no charge key, one atomic step),
   * so of the two exactly one goes ahead: the head is never reviewed, nor charged, twice. When
   * the take-up (or the sweep after it) was first, the command's run ends before anything paid
   * for it and the command pays, or finds queued, the run that was taken up. Null: the new run
   * stands. Claimed before the retirement, so a take-up looking in between sees it, pending.
   */
  async function retire(
    parked: ReviewRun,
    claimed: ReviewRun,
    trigger: ReviewTrigger,
  ): Promise<AcceptOutcome | null> {
    const { accountId } = parked;
    for (let tries = 0; tries < MOVES_FOLLOWED; tries++) {
      const retired = await deps.runs.transition(
        accountId,
        parked.runKey,
        ["paused"],
        "superseded",
        { reason: ASKED_AGAIN },
        { chargeKey: null },
      );
      if (retired) return null;
      const now = await deps.runs.get(accountId, parked.runKey);
      if (now && isParked(now)) continue;
      if (!now || (now.status !== "pending" && now.status !== "queued")) return null;
      const ended =
        (await deps.runs.transition(accountId, claimed.runKey, ["pending"], "superseded", {
          reason: TAKEN_UP_INSTEAD,
        })) ?? (await deps.runs.get(accountId, claimed.runKey));
      // Another caller paid the command's run meanwhile: it stands as that caller left it.
      if (ended && ended.status !== "superseded") return duplicate(ended);
      return now.status === "pending" ? pay(now, trigger) : duplicate(now);
    }
    throw new Error(`run ${parked.runKey} kept changing while a new run was asked for`);
  }

  /**
   * A run that exists already. If it is `queued`, its job is added again: the job id makes
   * that a no-op while the job exists, and brings it back when it was lost (Redis down
   * between the charge and the add, the webhook answered 500, GitHub redelivered).
   */
  async function duplicate(run: ReviewRun): Promise<AcceptOutcome> {
    if (run.status === "queued") await enqueue(run);
    return { status: "duplicate", run };
  }

  const enqueue = (run: ReviewRun, pull?: PullSnapshot) =>
    deps.enqueueReview(
      { accountId: run.accountId, runKey: run.runKey, ...(pull ? { pull: snapshot(pull) } : {}) },
      run.runKey,
    );

  /** What a charge is made with: where the pull request is, who wrote it, the override. */
  type Payer = Pick<ReviewTrigger, "url" | "author" | "overBudget" | "pull">;
  type Paid =
    | { key: string }
    | { refused: "insufficient" }
    /** `resetsOn`: when the stop lifts, if not at the calendar month's end (a plan month). */
    | { refused: "over_budget"; stop: ReviewStop; resetsOn?: Date };

  /**
   * Charges for the run if it needs paying for, then queues it; or pauses it when the credits
   * or a budget do not cover it.
   */
  async function pay(run: ReviewRun, payer: Payer): Promise<AcceptOutcome> {
    // The webhook side refuses inactive accounts; this catches a run claimed just before the
    // app was suspended or removed, which the sweeper would otherwise resume and charge.
    const account = await deps.accounts.get(run.accountId);
    if (account && account.status !== "active") {
      await deps.runs.transition(run.accountId, run.runKey, ["pending"], "skipped", {
        reason: `account_${account.status}`,
      });
      return { status: "skipped", reason: "account_inactive" };
    }
    const paid = await chargeFor(run, account, payer);

    if ("refused" in paid && paid.refused === "over_budget") {
      const resetsOn = paid.resetsOn ?? nextPeriodStart(now());
      // The notice is queued before the run leaves `pending`: a crash in between leaves the
      // run for the sweep, which asks the budgets again and queues it again (its job id is
      // the pull request's, so the comment is one).
      const { job, id } = budgetNoticeJob(run, paid.stop, payer.author, resetsOn);
      await deps.enqueueReply(job, id);
      const paused = await park(run, overBudgetReason(paid.stop.budget));
      if ("moved" in paused) return duplicate(paused.moved);
      return { status: "over_budget", run: paused.run, stop: paid.stop, resetsOn };
    }
    if ("refused" in paid) {
      const paused = await park(run, INSUFFICIENT_CREDITS);
      if ("moved" in paused) return duplicate(paused.moved);
      const noticeQueued = await deps.pullRequests.claimPausedNotice(
        run.accountId,
        run.pr,
        run.installationId,
      );
      if (noticeQueued) {
        const { job, id } = pausedNoticeJob(run.accountId, run.installationId, run.pr);
        await deps.enqueueReply(job, id);
      }
      return { status: "paused", run: paused.run, noticeQueued };
    }
    return queuePaid(run, paid.key, payer.pull);
  }

  /**
   * Parks a run the credits or a budget do not cover. `moved` when another caller moved it
   * out of `pending` first: one that charged it (queued it) after this call was refused,
   * whose decision stands; this call then says nothing about a stop that did not happen.
   */
  async function park(
    run: ReviewRun,
    reason: string,
  ): Promise<{ run: ReviewRun } | { moved: ReviewRun }> {
    const paused = await deps.runs.transition(run.accountId, run.runKey, ["pending"], "paused", {
      reason,
    });
    if (paused) return { run: paused };
    const stored = await deps.runs.get(run.accountId, run.runKey);
    return stored && stored.status !== "paused" ? { moved: stored } : { run: stored ?? run };
  }

  /**
   * Puts the charge `key` on its run and queues it. Concurrent payers of one run (the take-up,
   * a redelivered event, `/jasper review`, the sweep) all charge under the same key, so there
   * is one charge; but one of them may have been refused before a refund or a grant made room
   * and parked the run, while this one charged after it. The charge must then not be left on
   * a run that will neither be reviewed nor refunded:
   * - parked and never charged (no charge key): it was paid after all, so it goes ahead, in
   *   one step conditioned on that (a run parked after a refund of its own charge is not);
   * - carrying this very charge: another payer queued it, or it ended and its refund is
   *   finish-run's;
   * - ended without a charge (skipped, superseded): the charge is put on it with its refund
   *   due, in one step, and settled like any ended run's (the sweep, finish-run.ts);
   * - carrying another charge: a run's own charge is refunded now (keyed by the charge, so
   *   once however often); a pull request's shared charge stays the pull request's, which its
   *   runs take before charging again (liveCharge, chargePullRequest).
   */
  async function queuePaid(
    run: ReviewRun,
    key: string,
    pull: PullSnapshot | undefined,
  ): Promise<AcceptOutcome> {
    const { accountId, runKey } = run;
    for (let tries = 0; tries < MOVES_FOLLOWED; tries++) {
      const queued =
        (await deps.runs.transition(accountId, runKey, ["pending"], "queued", {
          chargeKey: key,
        })) ??
        (await deps.runs.transition(
          accountId,
          runKey,
          ["paused"],
          "queued",
          // The pause is over: the run keeps the reason it was being paid with (taken up, or none).
          { chargeKey: key, reason: run.reason },
          { chargeKey: null },
        ));
      if (queued) {
        await enqueue(queued, pull);
        return { status: "queued", run: queued };
      }
      const stored = await deps.runs.get(accountId, runKey);
      if (!stored) throw new Error(`run ${runKey} missing while it was being paid`);
      // Moved back meanwhile (reopened, or parked again): try again.
      if (stored.status === "pending" || isParked(stored)) continue;
      if (stored.chargeKey === key) {
        if (stored.status !== "queued") return { status: "duplicate", run: stored };
        // Queued again even when another caller queued it: the job id makes it a no-op.
        await enqueue(stored, pull);
        return { status: "queued", run: stored };
      }
      if (stored.chargeKey === null && ENDED.includes(stored.status)) {
        const owed = await deps.runs.transition(
          accountId,
          runKey,
          [stored.status],
          stored.status,
          { chargeKey: key, refundDue: true },
          { chargeKey: null },
        );
        if (!owed) continue;
        return { status: "duplicate", run: owed };
      }
      if (!isPullRequestChargeKey(key)) {
        await deps.ledger.refund(accountId, {
          chargeKey: key,
          description: `Refund: review of ${run.pr.repository}#${run.pr.number}, paid by another charge`,
        });
      }
      return { status: "duplicate", run: stored };
    }
    // Left pending at worst: the sweep pays it again by the same key.
    throw new Error(`run ${runKey} kept changing while it was being paid`);
  }

  const now = deps.now ?? (() => new Date());

  /**
   * Charges the run under the account's policy and budgets. `account` as the caller read it
   * (pay() reads it once for the status check too).
   */
  async function chargeFor(run: ReviewRun, account: Account | null, given: Payer): Promise<Paid> {
    // What the run was claimed with fills in what this call does not know (the sweeper's
    // resume has no event): its author's budget, an admin's override.
    const payer: Payer = {
      url: given.url,
      author: given.author ?? run.author ?? undefined,
      overBudget: given.overBudget === true || run.overBudget,
    };
    const settings = account?.settings ?? DEFAULT_SETTINGS;
    return settings.reviewCharging === "review_run"
      ? chargeOnce(run, account, runChargeKey(run.runKey), payer)
      : chargePullRequest(run, account, payer);
  }

  /** The pull request's live charge: the first of its keys that was not refunded. */
  async function chargePullRequest(
    run: ReviewRun,
    account: Account | null,
    payer: Payer,
  ): Promise<Paid> {
    for (let generation = 0; ; generation++) {
      const key = pullRequestChargeKey(run.pr, generation);
      const charged = await chargeOnce(run, account, key, payer);
      if ("refused" in charged) return charged;
      if (!(await deps.ledger.refundOfCharge(run.accountId, key))) return charged;
    }
  }

  /**
   * The charge's key when it exists or was just made, or why it was refused. The budgets that
   * apply are the account's rules for this repository and author, unless an admin let the
   * pull request through; a charge made before (a replay) stands whatever they say now.
   */
  async function chargeOnce(
    run: ReviewRun,
    account: Account | null,
    key: string,
    payer: Payer,
  ): Promise<Paid> {
    // The plan's seats, before the budgets: a stop here is nothing charged. Not waived by an
    // admin's --over-budget (a seat is the plan's, not a budget); the plan is what raises it.
    if (payer.author && deps.seatLimit) {
      const seats = await deps.seatLimit(run.accountId, payer.author);
      if (seats) {
        const stop = { budget: "seats" as const, cap: seats.cap, used: seats.used };
        return { refused: "over_budget", stop, resetsOn: seats.resetsOn };
      }
    }
    const rules = account?.budgets ?? NO_BUDGETS;
    // An admin's override is not held to the caps, but still counts toward their warnings.
    const limits = {
      ...limitsFor(rules, { repository: run.pr.repository, author: payer.author }),
      warnAtPercent: rules.warnAtPercent,
      enforce: !payer.overBudget,
    };
    const result = await deps.ledger.charge(run.accountId, {
      action: "review",
      description: `Review of ${run.pr.repository}#${run.pr.number}`,
      reference: {
        kind: "pull_request",
        repository: run.pr.repository,
        // What budgets count by: a rename keeps the id (ledger/month-use.ts).
        repositoryId: run.pr.repositoryId,
        number: run.pr.number,
        url: payer.url,
        headSha: run.headSha,
        // Absent when the sweeper resumes a run (the event is gone): that usage is "unknown".
        ...(payer.author ? { author: payer.author } : {}),
      },
      idempotencyKey: key,
      limits,
    });
    if (result.status === "over_budget") return { refused: "over_budget", stop: result };
    if (result.status !== "created" && result.status !== "replayed") {
      return { refused: "insufficient" };
    }
    if (result.warnings.length > 0 && deps.warnBudgets) {
      await deps.warnBudgets(run.accountId, periodOf(result.entry.createdAt), result.warnings);
    }
    return { key };
  }

  return {
    accept,
    /**
     * For run-review, right before posting: the key of a live charge paying for this run, or
     * why there is none. Normally the run's own charge. Under the per-PR policy another run of
     * the PR may have ended and refunded the shared charge in the moment this run was being
     * paid (it could not see this run yet); then the PR is charged again under the next key,
     * so no review is ever posted unpaid. That charge is held to the budgets like any other:
     * the room the refund gave back may have gone to another pull request since.
     */
    async liveCharge(run: ReviewRun): Promise<LivePayment> {
      if (run.chargeKey && !(await deps.ledger.refundOfCharge(run.accountId, run.chargeKey))) {
        return { key: run.chargeKey };
      }
      const paid = await chargeFor(run, await deps.accounts.get(run.accountId), {
        url: deps.pullRequestUrl(run.pr.repository, run.pr.number),
      });
      if ("refused" in paid && paid.refused === "over_budget") {
        const resetsOn = paid.resetsOn ?? nextPeriodStart(now());
        const report = { ...paid.stop, repository: run.pr.repository, resetsOn };
        return { paused: "over_budget", reason: overBudgetReason(paid.stop.budget), report };
      }
      const unpaid = { paused: "insufficient_credits", reason: INSUFFICIENT_CREDITS } as const;
      if ("refused" in paid) return unpaid;
      // A run's own key (per-run charging) is made once: charging it again replays the charge
      // that was refunded, which pays for nothing.
      if (await deps.ledger.refundOfCharge(run.accountId, paid.key)) return unpaid;
      return { key: paid.key };
    },
    /** The sweeper's way back into a run a crash left `pending`. */
    resume: (run: ReviewRun) =>
      pay(run, { url: deps.pullRequestUrl(run.pr.repository, run.pr.number) }),
  };
}
export type AcceptReview = ReturnType<typeof createAcceptReview>;

/** Within the job's bounds (GitHub's own: a title of 1,000, a description of 65,536). */
const snapshot = (pull: PullSnapshot): PullSnapshot => ({
  title: pull.title.slice(0, 1_000),
  body: pull.body.slice(0, 65_536),
  ...(pull.changedFiles === undefined ? {} : { changedFiles: pull.changedFiles }),
});
