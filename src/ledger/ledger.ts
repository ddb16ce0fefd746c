import type { Readable } from "node:stream";
import { IdempotencyConflictError, InvalidInputError } from "../shared/errors.js";
import type { EntryRow, LedgerStore } from "./ledger-store.js";
import {
  alertLevelOf,
  crossedLevels,
  DEFAULT_COSTS,
  splitDebit,
  requestedRefundCap,
  type AlertLevel,
  type BillableAction,
  type CostTable,
} from "./credits.js";
import {
  budgetStop,
  chargePeriod,
  countCharge,
  pullRunsByPullRequest,
  pullRunsFrom,
  takeWarnings,
  usedBy,
  useKeysOf,
  warningName,
  type BudgetStop,
  type BudgetWarning,
  type ChargeLimits,
  type MonthUse,
  type UseKeys,
  type UseCounter,
} from "./month-use.js";
import { entriesToCsv } from "./export-csv.js";
import { rollFreeTier, type FreeTierContext } from "./free-tier.js";
import {
  accountIdSchema,
  adjustSchema,
  chargeSchema,
  exportFilterSchema,
  grantSchema,
  parseInput,
  planGrantSchema,
  refundSchema,
  type AdjustInput,
  type ChargeInput,
  type ExportFilterInput,
  type GrantInput,
  type ListQueryInput,
  type PlanGrantInput,
  type PlanGrant,
  type RefundInput,
} from "./inputs.js";
import { listEntries, type EntryPage } from "./list-entries.js";
import { expireLots } from "./lot-expiry.js";
import { giveBackToLots, lotDeltasOf, lotsOf, takeFromLots } from "./lots.js";
import { nextPeriodStart, periodStart } from "./periods.js";
import {
  expirePlanCredits,
  PLAN_UPGRADE_GENERATIONS,
  planIsLive,
  planMonthKey,
  planUpgradeKey,
} from "./plan-bucket.js";
import {
  BUCKETS,
  zeroBuckets,
  type AdjustableBucket,
  type BucketAmounts,
  type EntryReference,
  type EntryType,
  type LedgerEntry,
  type LotDelta,
} from "./types.js";
import type { AccountId } from "../accounts/types.js";
import {
  isConstantSize,
  monthCountersView,
  monthTotals,
  monthUseView,
  type CounterKinds,
  type MonthTotals,
} from "./entry-use.js";
import { netSpentSince } from "./spent.js";
import { writeEntry, type Build, type Draft, type WriteContext } from "./write-entry.js";

export interface LedgerOptions {
  store: LedgerStore;
  /** Free reviews each account gets per calendar month (UTC). */
  freePerMonth: number;
  /** Defaults to DEFAULT_COSTS. */
  costs?: CostTable;
  /** Defaults to the system clock; tests move it across months. */
  now?: () => Date;
  maxAttempts?: number;
  /**
   * Called once for each entry a grant, charge, refund or adjustment creates (never for a
   * replay), with the alert levels it crossed going down. For low-balance emails. It must
   * handle its own failures: an error it throws is ignored, since the entry is written.
   */
  onEntry?: (entry: LedgerEntry, crossed: AlertLevel[]) => Promise<void>;
}

/** An entry that now exists because of this call, or existed already under its key. */
export interface Written {
  status: "created" | "replayed";
  entry: LedgerEntry;
  /** Alert levels this entry took the balance down into (the same on a replay). */
  crossed: AlertLevel[];
}

export type ChargeResult =
  /** `warnings`: the budgets this charge took to their warning share (none on a replay). */
  | (Written & { warnings: BudgetWarning[] })
  /** The action costs nothing: no entry is written. */
  | { status: "included"; action: BillableAction }
  /** Nothing was written: the balance does not cover the cost. */
  | { status: "insufficient"; balance: number; cost: number }
  /** Nothing was written: a budget does not have room for it (checked before the balance). */
  | ({ status: "over_budget"; cost: number } & BudgetStop);

export type RefundResult =
  | Written
  | { status: "charge_not_found" }
  | { status: "not_refundable"; type: EntryType }
  /** A requested refund past this month's cap: nothing was written. */
  | { status: "over_refund_cap"; cap: number; used: number; credits: number };

/** What takeBack() takes: an adjustment's fields, with the credits worked out inside the write. */
export interface TakeBackInput extends Omit<AdjustInput, "amount" | "description"> {
  /** The most to take back: a positive integer. */
  credits: number;
  /** How many credits may still be taken back; read inside the write (see takeBack). */
  room: () => Promise<number>;
  /** The entry's description, given the credits it takes back after the room. */
  describe: (credits: number) => string;
}

export type PlanGrantResult =
  | Written
  /** Nothing was written: this month's grants already add up to the plan's credits. */
  | { status: "covered" }
  /** Nothing was written: the month has not started yet (the month roll grants it then). */
  | { status: "month_not_started" }
  /** Nothing was written: the month is over, and its credits would have expired. */
  | { status: "month_ended" };

export type TakeBackResult =
  | Written
  /** Nothing was written: room() left nothing to take. */
  | { status: "no_room" };

export interface BalanceSummary {
  accountId: AccountId;
  balance: number;
  buckets: BucketAmounts;
  freePeriod: string;
  nextFreeReset: Date;
  alertLevel: AlertLevel | "none";
  /** True when the balance cannot pay for a review: automatic reviews are paused. */
  paused: boolean;
  /** Credits spent this month, net of refunds given this month. */
  usageThisMonth: number;
}

/**
 * The credit ledger: every operation checks its input, rolls the free tier into the current
 * month if needed, and writes at most one entry per idempotency key (see write-entry.ts).
 * It is also the one way to read entries (list, export), so no caller needs the store.
 */
export class Ledger {
  private readonly store: LedgerStore;
  private readonly costs: CostTable;
  private readonly now: () => Date;
  private readonly ctx: FreeTierContext;
  private readonly onEntry: LedgerOptions["onEntry"];

  constructor(options: LedgerOptions) {
    this.onEntry = options.onEntry;
    this.store = options.store;
    this.costs = options.costs ?? DEFAULT_COSTS;
    this.now = options.now ?? (() => new Date());
    this.ctx = {
      store: options.store,
      now: this.now,
      maxAttempts: options.maxAttempts,
      freePerMonth: options.freePerMonth,
    };
  }

  costOf(action: BillableAction): number {
    return this.costs[action];
  }

  /**
   * Starts or rolls the account's free period, and expires bonus lots past their expiry; what
   * installing the app calls, and what every read of the balance does first.
   */
  async ensureFreeTier(accountId: AccountId): Promise<void> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    // Each pass writes what is due at most once (by key), so this ends; the bound is a guard.
    for (let pass = 0; pass < 10; pass++) {
      if (!(await this.settle(id, await this.store.latest(id), this.now()))) return;
    }
  }

  /**
   * Takes the action's cost, free credits first. The budgets in `limits` and the balance are
   * checked against the same newest entry and the charge is its one successor (write-entry.ts),
   * so concurrent charges can overspend neither. A charge that does not fit writes nothing.
   */
  async charge(accountId: AccountId, input: ChargeInput): Promise<ChargeResult> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { action, description, reference, idempotencyKey, limits } = parseInput(
      chargeSchema,
      input,
    );
    const cost = this.costs[action];
    if (cost === 0) return { status: "included", action };
    const keys = useKeysOf(reference ?? null);
    type Refused = { balance: number; cost: number } | BudgetStop;
    let warnings: BudgetWarning[] = [];
    const pr = reference?.kind === "pull_request" ? reference : null;
    const result = await this.write<Refused>(
      id,
      idempotencyKey,
      "usage",
      keys,
      async (prev, now, use) => {
        // Read after the newest entry, as the month's use was: see pullRunsFrom.
        const pullRuns =
          limits?.pullRequestRuns !== undefined && limits.enforce !== false && pr
            ? pullRunsFrom(await this.store.pullRequestEntries(id, pr, periodStart(now)))
            : 0;
        const enforced = limits && limits.enforce !== false ? limits : null;
        const stop = enforced ? budgetStop(use, enforced, keys, cost, pullRuns) : null;
        if (stop) return { reject: stop };
        const buckets = prev?.bucketsAfter ?? zeroBuckets();
        const deltas = splitDebit(buckets, cost);
        if (!deltas) return { reject: { balance: prev?.balanceAfter ?? 0, cost } };
        // Within the bonus bucket, the soonest-expiring lot first (lots.ts).
        const lotDeltas = takeFromLots(lotsOf(prev), -deltas.bonus);
        const monthUse = countCharge(use, keys, cost, 1);
        // The attempt that writes decides the warnings: an earlier one's view was stale.
        warnings = limits ? takeWarnings(monthUse, limits, keys) : [];
        return {
          draft: {
            type: "usage",
            deltas,
            lotDeltas,
            description,
            reference: reference ?? null,
            monthUse,
          },
        };
      },
    );
    if ("reason" in result) {
      const r = result.reason;
      return "budget" in r
        ? { status: "over_budget", cost, ...r }
        : { status: "insufficient", ...r };
    }
    const out = mustBeWritten(result);
    if (out.status === "created") return { ...out, warnings };
    // A replay hands back the warnings its charge recorded: the call that made it may have
    // died before queueing them (the email's job id keeps a second queueing to one email).
    return { ...out, warnings: limits ? await this.recordedWarnings(out.entry, limits) : [] };
  }

  /**
   * The warnings a charge entry recorded: budgets in its month's `warned` and not before it,
   * counted by the entry's own pull request (a replay's input may name another; the entry
   * carries its own counters only).
   */
  private async recordedWarnings(
    entry: LedgerEntry,
    limits: ChargeLimits,
  ): Promise<BudgetWarning[]> {
    const keys = useKeysOf(entry.reference);
    const after = entry.monthUse;
    if (!after || after.warned.length === 0) return [];
    // A constant-size entry carries only the warnings it added (entry-use.ts).
    let earlier: string[] = [];
    if (!isConstantSize(after)) {
      const [before] = await this.store.list(entry.accountId, { beforeSeq: entry.seq, limit: 1 });
      earlier = before?.monthUse?.period === after.period ? before.monthUse.warned : [];
    }
    const caps = { account: limits.account, repository: limits.repository, author: limits.author };
    return after.warned
      .filter((w) => !earlier.includes(w))
      .flatMap((id): BudgetWarning[] => {
        const budget = (id.split(":")[0] ?? "") as BudgetWarning["budget"];
        const cap = caps[budget];
        if (cap === undefined) return [];
        return [
          { id, budget, cap, used: usedBy(after, budget, keys), ...warningName(budget, keys) },
        ];
      });
  }

  /**
   * Purchased or bonus credits. A bonus grant is a lot of its own (its id is the entry's seq),
   * expiring at `expiresAt` when given, which must then be later than now. A key written
   * before is a replay, whatever the expiry says now.
   */
  async grant(accountId: AccountId, input: GrantInput): Promise<Written> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { type, amount, description, reference, idempotencyKey, expiresAt } = parseInput(
      grantSchema,
      input,
    );
    const bucket = type === "purchase" ? "purchased" : "bonus";
    const result = await this.write(id, idempotencyKey, type, null, (prev, now) => {
      if (expiresAt && expiresAt.getTime() <= now.getTime()) return { reject: "expired" };
      const lot = (prev?.seq ?? 0) + 1;
      return {
        draft: {
          type,
          deltas: { ...zeroBuckets(), [bucket]: amount },
          lotDeltas: type === "bonus" ? [{ lot, amount }] : [],
          expiresAt: expiresAt ?? null,
          description,
          reference: reference ?? null,
        },
      };
    });
    if ("reason" in result) {
      throw new InvalidInputError("expiresAt: must be in the future", [
        { path: "expiresAt", message: "must be in the future" },
      ]);
    }
    return mustBeWritten(result);
  }

  /**
   * Plan credits for one month of a subscription (plan-bucket.ts), up to the plan's monthly
   * credits: the month's grant is keyed by (subscription, month), an upgrade's by (subscription,
   * month, plan), and each grants what the month's grants so far (read inside the write, so a
   * concurrent grant makes this one read again) leave short of `credits`. So an upgrade grants
   * the difference, in whatever order the month's grant and the upgrade arrive, and a
   * redelivered event is a replay. A plan raised again within the month (an enterprise plan's
   * credits set higher a second time) finds its upgrade key written with less than it asks now:
   * it writes the next generation of that key (plan-bucket.ts), again for the difference. A
   * month is granted only while it runs; the credits expire at its end. Plan credits of another
   * month still held (an earlier subscription's) expire first: the bucket holds one plan month.
   */
  async grantPlan(accountId: AccountId, input: PlanGrantInput): Promise<PlanGrantResult> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const g = parseInput(planGrantSchema, input);
    const plans = [...new Set([...g.otherPlans, g.plan])];
    // An upgrade chose a generation no one had written; another may write it first, and this
    // one must then look again rather than take that one's grant for its own. Each pass that
    // loops found one generation more written, so the bound is the generations' own.
    for (let raise = 0; raise <= PLAN_UPGRADE_GENERATIONS; raise++) {
      const { key, fresh } = await this.planGrantKey(id, g, plans);
      const result = await this.writePlanGrant(id, g, plans, key);
      if (!(fresh && result.status === "replayed")) return result;
    }
    throw new Error("bug: a plan's upgrade kept meeting other upgrades of the same month");
  }

  /**
   * The key a plan grant writes: the month's, or its plan's upgrade key. When that upgrade key
   * is written already, the grant is a replay unless the month's grants fall short of the
   * credits asked now (the plan was raised since): then the next generation. `fresh`: a key
   * this call found unwritten, so a replay of it is another caller's grant, not this one's.
   */
  private async planGrantKey(
    id: AccountId,
    g: PlanGrant,
    plans: readonly string[],
  ): Promise<{ key: string; fresh: boolean }> {
    if (!g.upgrade) return { key: planMonthKey(g.subscription, g.monthStart), fresh: false };
    const upgradeKey = (n: number) => planUpgradeKey(g.subscription, g.monthStart, g.plan, n);
    let written = 0;
    while (
      written < PLAN_UPGRADE_GENERATIONS &&
      (await this.store.rowByKey(id, upgradeKey(written))) !== null
    ) {
      written++;
    }
    if (written === 0) return { key: upgradeKey(0), fresh: true };
    const granted = await this.planMonthGrants(id, g.subscription, g.monthStart, plans);
    if (granted >= g.credits) return { key: upgradeKey(written - 1), fresh: false };
    if (written === PLAN_UPGRADE_GENERATIONS) {
      throw new Error(
        `plan ${g.plan} raised more than ${PLAN_UPGRADE_GENERATIONS} times in the month of ${g.monthStart.toISOString()}`,
      );
    }
    return { key: upgradeKey(written), fresh: true };
  }

  /**
   * What a month's grants add up to, read by key: its own grant and each plan's upgrades,
   * generation by generation until one is missing.
   */
  private async planMonthGrants(
    id: AccountId,
    subscription: string,
    monthStart: Date,
    plans: readonly string[],
  ): Promise<number> {
    const amountOf = async (key: string) => {
      const row = await this.store.rowByKey(id, key);
      return row?.type === "plan" ? row.amount : null;
    };
    let granted = (await amountOf(planMonthKey(subscription, monthStart))) ?? 0;
    for (const plan of new Set(plans)) {
      for (let n = 0; n < PLAN_UPGRADE_GENERATIONS; n++) {
        const amount = await amountOf(planUpgradeKey(subscription, monthStart, plan, n));
        if (amount === null) break;
        granted += amount;
      }
    }
    return granted;
  }

  private async writePlanGrant(
    id: AccountId,
    g: PlanGrant,
    plans: readonly string[],
    key: string,
  ): Promise<PlanGrantResult> {
    type Refused = "covered" | "month_not_started" | "month_ended" | { supersede: LedgerEntry };
    // Each pass either writes, refuses, or expires another month's credits (once, by key).
    for (let pass = 0; pass < 3; pass++) {
      const result = await this.write<Refused>(id, key, "plan", null, async (prev, now) => {
        if (g.monthEnd.getTime() <= now.getTime()) return { reject: "month_ended" };
        if (g.monthStart.getTime() > now.getTime()) return { reject: "month_not_started" };
        // Every grant of the month but this one, which is not written (or this is a replay).
        const granted = await this.planMonthGrants(id, g.subscription, g.monthStart, plans);
        const amount = g.credits - granted;
        // Before anything is expired: a grant with nothing to give must not take another
        // subscription's live month away.
        if (amount <= 0) return { reject: "covered" };
        const held = prev?.planExpiresAt ?? null;
        if (prev && prev.bucketsAfter.plan > 0 && planIsLive(prev, now)) {
          if (held?.getTime() !== g.monthEnd.getTime()) return { reject: { supersede: prev } };
        }
        return {
          draft: {
            type: "plan",
            deltas: { ...zeroBuckets(), plan: amount },
            planExpiresAt: g.monthEnd,
            description: g.description,
            reference: {
              kind: "plan_month",
              subscription: g.subscription,
              monthStart: g.monthStart.toISOString(),
              monthEnd: g.monthEnd.toISOString(),
              plan: g.plan,
            },
          },
        };
      });
      if (!("reason" in result)) return mustBeWritten(result);
      const r = result.reason;
      if (typeof r === "string") return { status: r };
      await expirePlanCredits(this.ctx, id, r.supersede, this.now(), true);
    }
    throw new Error("bug: a plan grant kept finding another month's credits");
  }

  /**
   * What a plan month's grants (its own and its upgrades', keyed as grantPlan keys them) add up
   * to: 0 when the month was never granted. For deciding whether an upgrade's difference is
   * due before a new invoice is paid (src/billing/plan-months.ts).
   */
  async planMonthGranted(
    accountId: AccountId,
    subscription: string,
    monthStart: Date,
    plans: readonly string[],
  ): Promise<number> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    return this.planMonthGrants(id, subscription, monthStart, plans);
  }

  /**
   * An operator correction, or credits given back (a Stripe refund that failed after its
   * take-back; takeBack() is what takes them, within a room). A negative adjustment never
   * takes a bucket below zero: what it could not take is recorded on the entry as
   * `uncollected`.
   */
  async adjust(accountId: AccountId, input: AdjustInput): Promise<Written> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { amount, bucket, description, reference, idempotencyKey } = parseInput(
      adjustSchema,
      input,
    );
    const result = await this.write(id, idempotencyKey, "adjustment", null, (prev) => ({
      draft: adjustment(prev, amount, bucket, description, reference),
    }));
    return mustBeWritten(result);
  }

  /**
   * Credits taken back from a bucket (a Stripe refund of a purchase): `credits` at most, and
   * no more than `room()` says may still be taken. room() is read while the entry is built,
   * after the newest entry, like a charge's budgets: an entry written meanwhile makes the
   * insert fail and room() is read again, so two take-backs at once cannot both fit in the
   * same room. Nothing is written when there is none. As with adjust(), the bucket never goes
   * below zero and what it lacks is recorded as `uncollected`. A key written before is a
   * replay, whatever room() says now.
   */
  async takeBack(accountId: AccountId, input: TakeBackInput): Promise<TakeBackResult> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { credits, room, describe, ...rest } = input;
    // Checked as the adjustment it would be at most, before anything is read.
    const checked = (take: number) =>
      parseInput(adjustSchema, { ...rest, amount: -take, description: describe(take) });
    if (!(credits > 0)) {
      throw new InvalidInputError("credits: must be positive", [
        { path: "credits", message: "must be positive" },
      ]);
    }
    const { bucket, reference, idempotencyKey } = checked(credits);
    const result = await this.write<"no_room">(
      id,
      idempotencyKey,
      "adjustment",
      null,
      async (prev) => {
        const take = Math.min(credits, Math.floor(await room()));
        if (take <= 0) return { reject: "no_room" };
        const { description } = checked(take);
        return { draft: adjustment(prev, -take, bucket, description, reference) };
      },
    );
    if ("reason" in result) return { status: "no_room" };
    return mustBeWritten(result);
  }

  /**
   * Gives a usage charge back, to the buckets it came from, at most once per charge whatever
   * key or how often it is asked. A free credit refunded after its month is still returned
   * to the free bucket: the review failed through no fault of the customer. For the same
   * reason a bonus credit goes back to its lot while that lot is live, and otherwise (the lot
   * expired since) to a new bonus lot without expiry (giveBackToLots, docs/billing.md).
   */
  async refund(accountId: AccountId, input: RefundInput): Promise<RefundResult> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { chargeKey, description, request } = parseInput(refundSchema, input);
    const charge = await this.store.findByKey(id, chargeKey);
    if (!charge) return { status: "charge_not_found" };
    if (charge.type !== "usage") return { status: "not_refundable", type: charge.type };

    const deltas = zeroBuckets();
    for (const b of BUCKETS) deltas[b] = 0 - charge.deltas[b];
    const credits = -charge.amount;
    const keys = useKeysOf(charge.reference);
    // The key is derived from the charge, and the store keeps one refund per charge id, so
    // two different callers refunding the same charge still write one entry: a charge that
    // was refunded because its review failed cannot be refunded again on request.
    const taken = lotDeltasOf(charge);
    type OverCap = { cap: number; used: number };
    const result = await this.write<OverCap>(
      id,
      `refund:${chargeKey}`,
      "refund",
      keys,
      (prev, now, use) => {
        // A refund gives this month's budgets back what a charge of this month took from them.
        let monthUse =
          chargePeriod(charge) === use.period ? countCharge(use, keys, credits, -1) : use;
        if (request) {
          // The cap and the month's requested refunds are read from the same newest entry as
          // everything else, so two requests at once cannot both fit under it.
          const cap = requestedRefundCap(use.charged);
          if (use.requestedRefunds + credits > cap)
            return { reject: { cap, used: use.requestedRefunds } };
          monthUse = { ...monthUse, requestedRefunds: monthUse.requestedRefunds + credits };
        }
        // Plan credits go back to the plan bucket while a plan month runs (the month's, or a
        // later one's, like free credits after their month); with none running, to a new bonus
        // lot without expiry, as the credits of an expired bonus lot do (giveBackToLots).
        const newLot = (prev?.seq ?? 0) + 1;
        let lotDeltas = giveBackToLots(lotsOf(prev), taken, newLot, now);
        let back = deltas;
        if (deltas.plan > 0 && !planIsLive(prev, now)) {
          back = { ...deltas, plan: 0, bonus: deltas.bonus + deltas.plan };
          lotDeltas = toNewLot(lotDeltas, newLot, deltas.plan);
        }
        return {
          draft: {
            type: "refund",
            deltas: back,
            lotDeltas,
            description: description ?? `Refund: ${charge.description}`,
            reference: charge.reference,
            refundOf: charge.id,
            monthUse,
            ...(request ? { refundRequest: request } : {}),
          },
        };
      },
    );
    if ("reason" in result) return { status: "over_refund_cap", ...result.reason, credits };
    if ("conflict" in result) {
      // Unreachable while refund keys derive from the charge; kept so a refund written some
      // other way is still answered with that refund rather than a second one.
      const existing = await this.store.findRefundOf(id, charge.id);
      if (existing) return written("replayed", existing);
    }
    return mustBeWritten(result);
  }

  /**
   * The refund of the charge made with this key, if it was refunded. Both read as rows: the
   * question is whether, not what a next entry is built from (no month use, no lot changes).
   */
  async refundOfCharge(accountId: AccountId, chargeKey: string): Promise<EntryRow | null> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const charge = await this.store.rowByKey(id, chargeKey);
    return charge ? this.store.refundRowOf(id, charge.id) : null;
  }

  /** One page of the account's entries, newest first, and the cursor of the next one. */
  async list(accountId: AccountId, query: ListQueryInput): Promise<EntryPage> {
    return listEntries(this.store, accountId, query);
  }

  /**
   * The account's whole history, newest first, as CSV, with only the entries of these types
   * and dates (the store filters them). Rows are read from the store only as fast as the
   * stream is read. The input is checked here, before the stream exists, so a bad filter
   * fails the request instead of cutting a download short.
   */
  export(accountId: AccountId, filter: ExportFilterInput = {}): Readable {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const { types, from, to } = parseInput(exportFilterSchema, filter);
    return entriesToCsv(this.store.streamRows(id, "desc", { types, from, to }));
  }

  /**
   * This month's use (month-use.ts) as the next charge would see it: what the budgets and the
   * requested-refund cap are at. Read-only: the free tier is not rolled.
   */
  async monthUse(accountId: AccountId): Promise<MonthUse> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    return monthUseView(this.store, id, await this.store.latest(id), this.now());
  }

  /**
   * This month's use for people (GET /budgets, the billing summary's budgets): the totals and
   * the counters of `kinds`, each read from the newest entry that carries it, without reading
   * the month's entries; no warnings (entry-use.ts, monthCountersView).
   */
  async monthCounters(accountId: AccountId, kinds: CounterKinds): Promise<MonthUse> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    return monthCountersView(this.store, id, await this.store.latest(id), this.now(), kinds);
  }

  /**
   * This month's totals (charged, refunds asked for, the account budget's use) without the
   * counters: read from the newest entry, where monthUse assembles the month from its entries.
   */
  async monthTotals(accountId: AccountId): Promise<MonthTotals> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    return monthTotals(this.store, id, await this.store.latest(id), this.now());
  }

  /**
   * Charged runs of each pull request this month, from the month's charges and refunds
   * grouped by the store (usageGroups: a row per pull request and name, not per entry). The
   * per-PR cap is checked from one pull request's entries; this is for reading.
   */
  async pullRequestRuns(accountId: AccountId): Promise<UseCounter[]> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    const window = { from: periodStart(this.now()), by: "pull_request" as const, runs: true };
    return pullRunsByPullRequest(await this.store.usageGroups(id, window));
  }

  async summary(accountId: AccountId): Promise<BalanceSummary> {
    const id = parseInput(accountIdSchema, accountId) as AccountId;
    await this.ensureFreeTier(id);
    const latest = await this.store.latest(id);
    const now = this.now();
    const balance = latest?.balanceAfter ?? 0;
    // Counted by the month each entry was written in, a refund in its own month (as the
    // month's entries, its CSV and the usage report count it): docs/billing.md, "How the
    // ledger keeps money right". Two totals subtracted (spent.ts), not the month summed.
    const newest = latest ? { seq: latest.seq, spent: latest.spent ?? null } : null;
    const spent = await netSpentSince(this.store, id, periodStart(now), newest);
    return {
      accountId: id,
      balance,
      buckets: latest?.bucketsAfter ?? zeroBuckets(),
      freePeriod: latest?.freePeriod ?? "",
      nextFreeReset: nextPeriodStart(now),
      alertLevel: alertLevelOf(balance),
      paused: balance < this.costs.review,
      usageThisMonth: spent,
    };
  }

  /**
   * What is due before anything else is written: expired bonus lots leave first, then plan
   * credits past their month, then the free tier rolls into the current month. True when it wrote (read the newest entry again).
   */
  private async settle(id: AccountId, prev: LedgerEntry | null, now: Date): Promise<boolean> {
    if (await expireLots(this.ctx, id, prev, now)) return true;
    if (await expirePlanCredits(this.ctx, id, prev, now)) return true;
    return rollFreeTier(this.ctx, id, prev);
  }

  /** writeEntry with what is due first, and a check that a replayed key is the same kind. */
  private async write<R>(
    id: AccountId,
    key: string,
    type: EntryType,
    keys: UseKeys | null,
    build: Build<R>,
  ): Promise<Written | { reason: R } | { conflict: "refund" }> {
    const ctx: WriteContext = {
      ...this.ctx,
      beforeBuild: (prev, now) => this.settle(id, prev, now),
    };
    const result = await writeEntry(ctx, id, key, build, keys);
    if (result.status === "conflict") return { conflict: result.conflict };
    if (result.status === "rejected") return { reason: result.reason };
    if (result.entry.type !== type) {
      throw new IdempotencyConflictError(key, result.entry.type);
    }
    const out = written(result.status, result.entry);
    if (out.status === "created" && this.onEntry) {
      await this.onEntry(out.entry, out.crossed).catch(() => undefined);
    }
    return out;
  }
}

/**
 * The draft of an adjustment of one bucket. Bonus credits added are a lot of their own without
 * expiry; taken back, they come from the lots in spend order (the soonest-expiring first).
 */
function adjustment(
  prev: LedgerEntry | null,
  amount: number,
  bucket: AdjustableBucket,
  description: string,
  reference: EntryReference | undefined,
): Draft {
  const available = prev?.bucketsAfter[bucket] ?? 0;
  const applied = amount > 0 ? amount : 0 - Math.min(available, -amount);
  let lotDeltas: LotDelta[] = [];
  if (bucket === "bonus" && applied > 0) {
    lotDeltas = [{ lot: (prev?.seq ?? 0) + 1, amount: applied }];
  } else if (bucket === "bonus") lotDeltas = takeFromLots(lotsOf(prev), -applied);
  return {
    type: "adjustment",
    deltas: { ...zeroBuckets(), [bucket]: applied },
    lotDeltas,
    description,
    reference: reference ?? null,
    uncollected: applied - amount,
  };
}

/** Lot changes with `amount` more going to the new lot `newLot` (created if not there). */
function toNewLot(deltas: LotDelta[], newLot: number, amount: number): LotDelta[] {
  const out = deltas.filter((d) => d.lot !== newLot);
  const already = deltas.find((d) => d.lot === newLot)?.amount ?? 0;
  return [...out, { lot: newLot, amount: already + amount }];
}

function written(status: Written["status"], entry: LedgerEntry): Written {
  return {
    status,
    entry,
    crossed: crossedLevels(entry.balanceAfter - entry.amount, entry.balanceAfter),
  };
}

function mustBeWritten(result: Written | { reason: unknown } | { conflict: "refund" }): Written {
  if (!("entry" in result)) throw new Error("bug: a write that cannot be refused was refused");
  return result;
}
