import type { AccountId } from "../../src/accounts/types.js";
import type { EntryUse } from "../../src/ledger/entry-use.js";
import {
  chargePeriod,
  copyMonthUse,
  countCharge,
  emptyMonthUse,
  usePeriod,
  useKeysOf,
  type MonthUse,
} from "../../src/ledger/month-use.js";
import type { EntryReference, LedgerEntry } from "../../src/ledger/types.js";
import type { Store } from "../../src/store/store.js";

/**
 * The month's use an entry written at `now` after `prev` starts from, as a release before
 * constant-size entries carried it whole: `prev`'s when of the same month, zero in a new one.
 * For tests that plant such entries; the ledger itself no longer writes them.
 */
export function carriedMonthUse(prev: LedgerEntry, now: Date): MonthUse {
  const period = usePeriod(now, chargePeriod(prev));
  return prev.monthUse?.period === period ? copyMonthUse(prev.monthUse) : emptyMonthUse(period);
}

/**
 * One charge of 1 purchased credit as the previous release wrote it, after the account's
 * newest entry: the month's use whole on the entry (`warned` replaces its warnings when
 * given), no running net spend. Its strict mongoose schema drops what a constant-size entry
 * adds, so neither is there.
 */
export async function previousReleaseCharge(
  store: Store,
  now: Date,
  id: AccountId,
  key: string,
  reference: EntryReference,
  warned?: string[],
): Promise<LedgerEntry> {
  const prev = await store.ledger.latest(id);
  if (!prev) throw new Error("a previous release's charge follows an entry");
  const carried = carriedMonthUse(prev, now) as EntryUse;
  delete carried.from;
  delete carried.fromSnapshot;
  delete carried.unwarned;
  const use = countCharge(carried, useKeysOf(reference), 1, 1);
  const appended = await store.ledger.append({
    ...prev,
    seq: prev.seq + 1,
    type: "usage",
    idempotencyKey: key,
    reference,
    refundOf: null,
    refundRequest: null,
    amount: -1,
    deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
    bucketsAfter: { ...prev.bucketsAfter, purchased: prev.bucketsAfter.purchased - 1 },
    balanceAfter: prev.balanceAfter - 1,
    lotDeltas: [],
    monthUse: warned ? { ...use, warned } : use,
    spent: undefined,
    createdAt: now,
  });
  if (!appended.ok) throw new Error(`previous release's charge: ${appended.conflict}`);
  return appended.entry;
}
