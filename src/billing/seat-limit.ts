/**
 * The plan's seat limit (PLANS' `seatLimit`, default none): a review for a pull request author
 * who is not yet one of this billing month's seats, when the seats are all taken, is stopped
 * like a budget stop (nothing charged, a check run, one comment saying who can raise it).
 *
 * Not atomic with the charge, unlike the budgets (which the ledger checks inside the charge's
 * write): the seats are counted from the month's usage entries before the charge. Two reviews
 * by two new authors accepted at the same instant can both see the last free seat and both go
 * ahead, one seat over the limit. That overshoot is acceptable: a seat is a count of people
 * under a plan, not money; no credit is spent that the balance does not hold, and the next
 * review by a new author sees both and stops. Making it atomic would put a per-account seat
 * counter in the ledger's charge for one rarely set limit.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { PLAN_HOLDING_STATUSES } from "./billing-status.js";
import { planMonthAt } from "./plan-months.js";
import { findPlan, type Plan } from "./plans.js";
import { seatAuthors } from "./seats.js";
import type { SubscriptionStore } from "./subscription-store.js";

export interface SeatStop {
  cap: number;
  used: number;
  /** When the seats count again: the billing month's end. */
  resetsOn: Date;
}

export interface SeatLimitDeps {
  subscriptions: Pick<SubscriptionStore, "findByAccount">;
  ledger: Pick<LedgerStore, "streamRows">;
  /** The plan catalog (Free first, planCatalog). */
  plans: readonly Plan[];
  now?: () => Date;
}

/** Null when `author` may be reviewed; the stop when the plan's seats are all taken by others. */
export type SeatLimit = (accountId: AccountId, author: string) => Promise<SeatStop | null>;

export function createSeatLimit(deps: SeatLimitDeps): SeatLimit {
  const now = deps.now ?? (() => new Date());
  return async (accountId, author) => {
    const s = await deps.subscriptions.findByAccount(accountId);
    // Free, or a plan no longer held: no limit (Free has none).
    if (!s || !PLAN_HOLDING_STATUSES.includes(s.status)) return null;
    const cap = findPlan(deps.plans, s.plan)?.seatLimit ?? null;
    if (cap === null) return null;
    const month = planMonthAt(s, now());
    // Outside the paid period (a renewal not recorded yet): the plan's month is unknown.
    if (!month) return null;
    const { authors } = await seatAuthors(deps.ledger, accountId, month.start, month.end);
    // GitHub logins are case-insensitive; an author already reviewed this month holds a seat.
    if (authors.has(author.toLowerCase()) || authors.size < cap) return null;
    return { cap, used: authors.size, resetsOn: month.end };
  };
}
