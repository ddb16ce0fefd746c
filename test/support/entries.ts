import type { NewEntry } from "../../src/ledger/ledger-store.js";
import type { AccountId } from "../../src/accounts/types.js";

/** A raw entry for store-level tests (the ledger never writes one by hand like this). */
export function rawEntry(
  accountId: AccountId,
  seq: number,
  over: Partial<NewEntry> = {},
): NewEntry {
  return {
    accountId,
    seq,
    type: "bonus",
    amount: 1,
    deltas: { free: 0, plan: 0, bonus: 1, purchased: 0 },
    bucketsAfter: { free: 0, plan: 0, bonus: seq, purchased: 0 },
    balanceAfter: seq,
    freePeriod: "2026-11",
    description: `entry ${seq}`,
    reference: null,
    idempotencyKey: `key-${seq}`,
    refundOf: null,
    uncollected: 0,
    // Written as before lots: the bonus bucket reads as one lot without expiry.
    lotsAfter: null,
    planExpiresAt: null,
    lotDeltas: null,
    // And before month use: the ledger counts the month from the entries.
    monthUse: null,
    refundRequest: null,
    createdAt: new Date(Date.UTC(2026, 10, seq)),
    ...over,
  };
}
