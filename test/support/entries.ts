import type { LedgerStore, NewEntry } from "../../src/ledger/ledger-store.js";
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

/**
 * Plants, from seq 1, entries written before month use: a purchase for each positive amount
 * and a charge (usage) for each negative one, with its reference, the balance running.
 */
export async function plantWithoutMonthUse(
  store: Pick<LedgerStore, "append">,
  accountId: AccountId,
  rows: readonly (readonly [amount: number, reference: NewEntry["reference"]])[],
): Promise<void> {
  let balance = 0;
  for (const [i, [amount, reference]] of rows.entries()) {
    balance += amount;
    const appended = await store.append(
      rawEntry(accountId, i + 1, {
        type: amount > 0 ? "purchase" : "usage",
        amount,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: amount },
        bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: balance },
        balanceAfter: balance,
        reference,
      }),
    );
    if (!appended.ok) throw new Error(`planting failed: ${appended.conflict}`);
  }
}
