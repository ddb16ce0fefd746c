import type { AccountId } from "../accounts/types.js";
import { dueLots, isLive, lotsOf } from "./lots.js";
import { zeroBuckets, type LedgerEntry } from "./types.js";
import { writeEntry, type WriteContext } from "./write-entry.js";

/** The idempotency key of a lot's expiration: one per lot, so it expires at most once. */
export const lotExpirationKey = (lot: number): string => `bonus-expiration:${lot}`;

/**
 * Bonus lots expire lazily, like the free tier's month: before anything else is written to an
 * account, what is left of each lot past its expiry leaves with an `expiration` entry, so no
 * scheduled job is needed and no charge is ever decided with an expired lot's credits. Each
 * expiration is keyed by its lot: however many requests race past the expiry, a lot expires
 * once. Returns true when there was something to expire (the caller reads the newest entry
 * again). A lot that still held credits after its expiration was written could only come from
 * a corrupted history (nothing gives credits to an expired lot); writes to that account then
 * end in LedgerContentionError rather than spend them, and ledger:verify names the lot.
 */
export async function expireLots(
  ctx: WriteContext,
  accountId: AccountId,
  prev: LedgerEntry | null,
  now: Date,
): Promise<boolean> {
  const due = dueLots(lotsOf(prev), now);
  if (due.length === 0) return false;
  const plain: WriteContext = { store: ctx.store, now: ctx.now, maxAttempts: ctx.maxAttempts };
  for (const { lot, expiresAt } of due) {
    await writeEntry(plain, accountId, lotExpirationKey(lot), (p, at) => {
      const current = lotsOf(p).find((l) => l.lot === lot);
      // Spent meanwhile, or expired by a concurrent writer: nothing left to expire.
      if (!current || current.remaining === 0 || isLive(current, at)) return { reject: "none" };
      return {
        draft: {
          type: "expiration",
          deltas: { ...zeroBuckets(), bonus: -current.remaining },
          lotDeltas: [{ lot, amount: -current.remaining }],
          description: `Unused bonus credits of grant #${lot} expired (${expiresAt?.toISOString()})`,
          reference: null,
        },
      };
    });
  }
  return true;
}
