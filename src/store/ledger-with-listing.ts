import type { AccountStore } from "../accounts/account-store.js";
import type { LedgerStore } from "../ledger/ledger-store.js";

/**
 * `ledger` whose appends also bring the account's listing copy (AccountStore.recordListing)
 * up to the entry just written: its seq, balance and time. Here rather than in the Ledger, so
 * every append is covered, the month roll's and the expiries' included.
 *
 * The entry is the truth and is already written when the copy is made: a copy that fails (or
 * a crash between the two) leaves the listing behind the ledger, never the entry unwritten,
 * so its failure is swallowed, and the next entry of the account or the operators' repair
 * (src/operators/repair-listings.ts) catches it up. The update is conditional on the seq, so
 * concurrent appends finishing out of order leave the newest.
 */
export function ledgerWithListing(
  ledger: LedgerStore,
  accounts: Pick<AccountStore, "recordListing">,
): LedgerStore {
  // The store's own append, captured once: the wrapper below calls it, never whatever
  // `append` is later (a test's spy, set on the store through the proxy, wraps the wrapper).
  const inner = ledger.append.bind(ledger);
  const append: LedgerStore["append"] = async (entry) => {
    const result = await inner(entry);
    if (result.ok) {
      const { accountId, seq, balanceAfter, createdAt } = result.entry;
      await accounts
        .recordListing(accountId, { seq, balance: balanceAfter, lastActivity: createdAt })
        .catch(() => false);
    }
    return result;
  };
  return new Proxy(ledger, {
    get(target, property, receiver) {
      // Everything else as the store has it, and append once something replaced it (a spy).
      if (property === "append" && !Object.hasOwn(target, "append")) return append;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
