import type { AccountStore, ListedAccount, ListingCursor } from "../accounts/account-store.js";
import type { LedgerStore } from "../ledger/ledger-store.js";

/** Accounts read per page while repairing. */
const REPAIR_PAGE = 100;

export interface RepairListingsDeps {
  accounts: Pick<AccountStore, "listAccounts" | "recordListing">;
  ledger: Pick<LedgerStore, "latest">;
}

export interface RepairReport {
  /** Accounts looked at. */
  accounts: number;
  /** Listing copies written: missing (accounts from before the copy was kept) or behind. */
  repaired: number;
}

/**
 * Brings every account's listing copy up to its ledger: the operators' job for accounts
 * stored before the copy was kept, and for a copy left behind by a failed update or a crash
 * between an append and its copy. Walks the accounts by id a page at a time (nothing held
 * open between pages), reads each one's newest entry, and writes the copy through the same
 * seq-guarded update as the appends, so it never overwrites a newer copy an append made
 * meanwhile. One ledger read per account: for this job, never for the list.
 */
export async function repairListings(deps: RepairListingsDeps): Promise<RepairReport> {
  const report: RepairReport = { accounts: 0, repaired: 0 };
  let after: ListingCursor | undefined;
  let page: ListedAccount[];
  do {
    page = await deps.accounts.listAccounts({ by: "id", after, limit: REPAIR_PAGE });
    for (const line of page) {
      report.accounts += 1;
      const latest = await deps.ledger.latest(line.id);
      if (!latest || (line.listing && line.listing.seq >= latest.seq)) continue;
      const listing = {
        seq: latest.seq,
        balance: latest.balanceAfter,
        lastActivity: latest.createdAt,
      };
      if (await deps.accounts.recordListing(line.id, listing)) report.repaired += 1;
    }
    const last = page.at(-1);
    after = last ? { value: 0, id: last.id } : undefined;
  } while (page.length === REPAIR_PAGE);
  return report;
}
