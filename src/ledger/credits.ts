import { BUCKETS, zeroBuckets, type BucketAmounts } from "./types.js";

/**
 * What each action costs, in credits. The one table every charge reads, so prices can change
 * in one place (docs/billing.md, "Credits").
 */
export const DEFAULT_COSTS = {
  review: 1,
  chat: 0,
  command: 0,
} as const satisfies Record<string, number>;
export type BillableAction = keyof typeof DEFAULT_COSTS;
export type CostTable = Record<BillableAction, number>;
export const BILLABLE_ACTIONS = Object.keys(DEFAULT_COSTS) as BillableAction[];

/**
 * Refunds people ask for (`/jasper refund`) give back at most this share of the credits the
 * account was charged this month, rounded down, and at least one credit.
 */
export const REQUESTED_REFUND_SHARE = 0.2;

export const requestedRefundCap = (chargedThisMonth: number): number =>
  Math.max(1, Math.floor(chargedThisMonth * REQUESTED_REFUND_SHARE));

/**
 * Low-balance levels, highest first. A level is crossed when a debit takes the balance from
 * above its threshold to at or below it; a later credit above it re-arms it.
 */
export const ALERT_LEVELS = [
  { level: "warning", threshold: 10 },
  { level: "critical", threshold: 3 },
  { level: "depleted", threshold: 0 },
] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number]["level"];

/** Levels a change from `before` to `after` crossed going down, highest first. */
export function crossedLevels(before: number, after: number): AlertLevel[] {
  return ALERT_LEVELS.filter((l) => before > l.threshold && after <= l.threshold).map(
    (l) => l.level,
  );
}

/** The level a balance sits in now ("none" above the warning threshold). */
export function alertLevelOf(balance: number): AlertLevel | "none" {
  let current: AlertLevel | "none" = "none";
  for (const l of ALERT_LEVELS) if (balance <= l.threshold) current = l.level;
  return current;
}

/**
 * How a debit of `cost` splits over the buckets in spend order (free, bonus, purchased), as
 * negative deltas; null when the buckets together cannot cover it.
 */
export function splitDebit(buckets: BucketAmounts, cost: number): BucketAmounts | null {
  const deltas = zeroBuckets();
  let left = cost;
  for (const bucket of BUCKETS) {
    const take = Math.min(buckets[bucket], left);
    deltas[bucket] = 0 - take; // not -take: that is -0 when take is 0
    left -= take;
  }
  return left === 0 ? deltas : null;
}
