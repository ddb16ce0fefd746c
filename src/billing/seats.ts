/**
 * Seats (issue 20, PRODUCT.md "Plans and subscriptions"): the distinct pull request authors
 * reviewed in the billing month, counted from the ledger's own usage entries, which carry the
 * author's login since usage by author. A review refunded in the window (a failed review, or
 * a refund on request) does not count: nobody was reviewed for it.
 */
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";

export interface SeatCount {
  /** Distinct authors with a review charged and not refunded in [from, to). */
  used: number;
  /** Reviews in the window whose entry has no author (written before authors were kept). */
  withoutAuthor: number;
}

/**
 * Streams the window's usage and refund rows, filtered by the store: one pass over the
 * month's reviews, memory growing with their count, as the usage report does.
 */
export async function countSeats(
  store: Pick<LedgerStore, "streamRows">,
  accountId: AccountId,
  from: Date,
  to: Date,
): Promise<SeatCount> {
  const { authors, withoutAuthor } = await seatAuthors(store, accountId, from, to);
  return { used: authors.size, withoutAuthor };
}

/** The seats' authors themselves (lower-cased logins), for the seat limit (seat-limit.ts). */
export async function seatAuthors(
  store: Pick<LedgerStore, "streamRows">,
  accountId: AccountId,
  from: Date,
  to: Date,
): Promise<{ authors: Set<string>; withoutAuthor: number }> {
  /** Each charge's author (null: not recorded), until a refund of it takes it out. */
  const authorOf = new Map<string, string | null>();
  const rows = store.streamRows(accountId, "asc", { types: ["usage", "refund"], from, to });
  for await (const e of rows) {
    if (e.type === "refund") {
      if (e.refundOf) authorOf.delete(e.refundOf);
      continue;
    }
    const ref = e.reference?.kind === "pull_request" ? e.reference : null;
    authorOf.set(e.id, ref?.author ?? null);
  }
  const authors = new Set<string>();
  let withoutAuthor = 0;
  for (const author of authorOf.values()) {
    // GitHub logins are case-insensitive: one person, one seat.
    if (author === null) withoutAuthor++;
    else authors.add(author.toLowerCase());
  }
  return { authors, withoutAuthor };
}
