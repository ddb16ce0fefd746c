/**
 * The account's running net spend, kept on every entry (`spent`): the credits its charges took
 * less the credits its refunds gave back, from the entry counting started at to this one. Any
 * window's net spend is then the difference of two entries' totals, the newest and the newest
 * created before the window: two small reads, whatever the window holds. What the billing
 * summary's usage this month and the runway are read from (docs/billing.md, "How the ledger
 * keeps money right").
 *
 * Counting starts at an account's first entry, or at the first entry written after one
 * without a total (entries from before it, or one a previous release wrote during a
 * mixed-version deploy): `from` says where, so two totals are only subtracted when they count
 * from the same entry. Otherwise, for the first days after the upgrade, the window is summed
 * from its entries as before.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore, SpentRecord } from "./ledger-store.js";
import type { EntryType, LedgerEntry, SpentTotal } from "./types.js";

/** What an entry of this type and amount adds to the net spend: charges, less refunds. */
export const spentBy = (type: EntryType, amount: number): number =>
  type === "usage" || type === "refund" ? -amount : 0;

/** The total the entry at prev.seq + 1 carries, given what it adds. */
export function spentAfter(
  prev: Pick<LedgerEntry, "seq" | "spent"> | null,
  type: EntryType,
  amount: number,
): SpentTotal {
  const own = spentBy(type, amount);
  const carried = prev?.spent;
  if (carried) return { total: carried.total + own, from: carried.from };
  return { total: own, from: (prev?.seq ?? 0) + 1 };
}

/**
 * Net credits spent (charges less refunds) by entries created at or after `since`. `newest`:
 * the account's newest entry's total when the caller already read it (read here otherwise).
 */
export async function netSpentSince(
  store: Pick<LedgerStore, "spentAt" | "sumAmounts">,
  accountId: AccountId,
  since: Date,
  newest?: SpentRecord | null,
): Promise<number> {
  const last = newest === undefined ? await store.spentAt(accountId) : newest;
  if (!last) return 0;
  const now = last.spent;
  if (now) {
    const before = await store.spentAt(accountId, since);
    // No entry before the window: the newest total is the window's if it counts from seq 1.
    if (before === null && now.from === 1) return now.total;
    if (before?.spent && before.spent.from === now.from) return now.total - before.spent.total;
  }
  return -(await store.sumAmounts(accountId, ["usage", "refund"], since));
}
