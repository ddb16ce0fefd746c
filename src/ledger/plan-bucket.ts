/**
 * The plan bucket (docs/billing.md, "Buckets"): a subscription's credits for one plan month,
 * spent after the free tier and before bonus and purchased credits, expiring at the month's
 * end (no roll-over). The bucket holds one plan month at a time, whose end is the entries'
 * `planExpiresAt`: a month's grant comes once that month has started, when the month before
 * has ended and its credits are gone, so months never overlap within one subscription. Pure
 * rules and the expiration write; Ledger.grantPlan writes the grants.
 */
import type { AccountId } from "../accounts/types.js";
import { zeroBuckets, type LedgerEntry } from "./types.js";
import { writeEntry, type WriteContext } from "./write-entry.js";

/** Whether the plan month the entry leaves the bucket in is still running at `now`. */
export function planIsLive(entry: LedgerEntry | null, now: Date): boolean {
  const end = entry?.planExpiresAt ?? null;
  return end !== null && end.getTime() > now.getTime();
}

/**
 * The key of the plan bucket's expiration after entry `seq`: once the bucket is emptied it can
 * only fill again through a later grant, so a key per entry expires each plan month once,
 * however many writers race past its end.
 */
export const planExpirationKey = (seq: number): string => `plan-expiration:${seq}`;

/**
 * Writes what is left of the plan bucket off with an `expiration` entry: lazily, when its month
 * has ended (before anything else is written to the account, as bonus lots and the free tier
 * expire), or when a grant for another plan month replaces it (`superseded`: a new subscription
 * whose month overlaps the old one's; the old plan's credits end with it). Returns true when
 * it wrote or found the expiration written (the caller reads the newest entry again).
 */
export async function expirePlanCredits(
  ctx: WriteContext,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
  superseded = false,
): Promise<boolean> {
  if (!prev || prev.bucketsAfter.plan === 0) return false;
  if (!superseded && planIsLive(prev, now)) return false;
  const plain: WriteContext = { store: ctx.store, now: ctx.now, maxAttempts: ctx.maxAttempts };
  const end = prev.planExpiresAt;
  await writeEntry(plain, accountId, planExpirationKey(prev.seq), (p, at) => {
    // Spent or expired meanwhile, or (not superseded) a month that is still running.
    if (!p || p.bucketsAfter.plan === 0) return { reject: "none" };
    if (!superseded && planIsLive(p, at)) return { reject: "none" };
    // A replacement decided from `prev` replaces only the month it read: if another grant got
    // in since (a newer month, or the very month the caller is granting), the bucket holds
    // other credits now and the caller must decide again from them.
    if (superseded && p.planExpiresAt?.getTime() !== end?.getTime()) return { reject: "none" };
    const why = superseded ? "replaced by a new plan month" : "expired";
    return {
      draft: {
        type: "expiration",
        deltas: { ...zeroBuckets(), plan: -p.bucketsAfter.plan },
        planExpiresAt: null,
        description: `Unused plan credits of the month ending ${end?.toISOString() ?? "?"} ${why}`,
        reference: null,
      },
    };
  });
  return true;
}

/** The idempotency key of a plan month's grant: one per (subscription, month). */
export const planMonthKey = (subscription: string, monthStart: Date): string =>
  `plan:${subscription}:${monthStart.toISOString()}`;

/**
 * The key of the grant an upgrade makes in a month: one per (subscription, month, plan), so an
 * upgrade redelivered, or upgraded to twice, grants the difference once. A plan whose credits
 * can be raised within a month (an enterprise plan, set again by an operator) takes a further
 * generation (`~1`, `~2`, ...) for each raise; generation 0 is the key without one, as it has
 * always been written. A plan id holds no `~` (inputs.ts), so the keys never meet.
 */
export const planUpgradeKey = (
  subscription: string,
  monthStart: Date,
  plan: string,
  generation = 0,
): string =>
  `plan:${subscription}:${monthStart.toISOString()}:${plan}${generation === 0 ? "" : `~${generation}`}`;

/** Raises of one plan within one month that are followed: far past any operator's. */
export const PLAN_UPGRADE_GENERATIONS = 100;
