import { periodOf } from "./periods.js";
import { zeroBuckets, type LedgerEntry } from "./types.js";
import type { AccountId } from "../accounts/types.js";
import { writeEntry, type WriteContext } from "./write-entry.js";

export interface FreeTierContext extends WriteContext {
  freePerMonth: number;
}

/**
 * The monthly reset, done lazily the first time an account is touched in a new month (UTC):
 * unused free credits of the old month expire with an `expiration` entry, then the new
 * month's `free_tier` entry grants them afresh. Both are keyed by month, so however many
 * requests race into a new month, each is written once. A crash between the two leaves the
 * expiration written; the next touch finds its key and goes on to the grant.
 *
 * Returns true when it had to roll (so the caller reads the newest entry again).
 */
export async function rollFreeTier(
  ctx: FreeTierContext,
  accountId: AccountId,
  prev: LedgerEntry | null,
): Promise<boolean> {
  const period = periodOf(ctx.now());
  if (prev && prev.freePeriod >= period) return false;
  const plain: WriteContext = { store: ctx.store, now: ctx.now, maxAttempts: ctx.maxAttempts };

  if (prev && prev.bucketsAfter.free > 0) {
    const old = prev.freePeriod;
    await writeEntry(plain, accountId, `free-expiration:${old}`, (p) => {
      if (!p || p.freePeriod !== old || p.bucketsAfter.free === 0) return { reject: "none" };
      return {
        draft: {
          type: "expiration",
          deltas: { ...zeroBuckets(), free: -p.bucketsAfter.free },
          description: `Unused free reviews of ${old} expired`,
          reference: { kind: "free_period", period: old },
        },
      };
    });
  }

  await writeEntry(plain, accountId, `free-tier:${period}`, (p) => {
    if (p && p.freePeriod >= period) return { reject: "granted" };
    return {
      draft: {
        type: "free_tier",
        deltas: { ...zeroBuckets(), free: ctx.freePerMonth },
        description: `${ctx.freePerMonth} free reviews for ${period}`,
        reference: { kind: "free_period", period },
        freePeriod: period,
      },
    };
  });
  return true;
}
