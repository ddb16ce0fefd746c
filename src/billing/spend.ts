/**
 * Money spent on credits, by month: the purchases in the ledger, each priced by the Checkout
 * Session Jasper recorded for it (what Stripe was asked for and checked to have charged). A
 * purchase with no recorded session (none is made so today) has no known price and is left
 * out, credits and all, so the price per credit stays true.
 */
import type { AccountId } from "../accounts/types.js";
import type { Ledger } from "../ledger/ledger.js";
import { periodOf, periodStart } from "../ledger/periods.js";
import type { CheckoutSessionStore } from "./checkout-session-store.js";

export interface MonthSpend {
  /** "YYYY-MM", UTC like the ledger's months. */
  month: string;
  purchases: number;
  credits: number;
  paidCents: number;
}

export interface SpendDeps {
  ledger: Pick<Ledger, "list">;
  sessions: Pick<CheckoutSessionStore, "find">;
}

/** Pages of 100 read at most: 2,000 purchases in two months is past any real account. */
const MAX_PAGES = 20;

/** This month's and last month's spend (in that order), in US dollars. */
export async function recentSpend(
  deps: SpendDeps,
  accountId: AccountId,
  now: Date,
): Promise<[MonthSpend, MonthSpend]> {
  const thisStart = periodStart(now);
  const lastStart = periodStart(new Date(thisStart.getTime() - 1));
  const months: [MonthSpend, MonthSpend] = [
    { month: periodOf(thisStart), purchases: 0, credits: 0, paidCents: 0 },
    { month: periodOf(lastStart), purchases: 0, credits: 0, paidCents: 0 },
  ];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { entries, nextCursor } = await deps.ledger.list(accountId, {
      types: ["purchase"],
      from: lastStart,
      limit: 100,
      cursor,
    });
    for (const e of entries) {
      const session = e.reference?.kind === "stripe" ? e.reference.checkoutSession : undefined;
      const record = session ? await deps.sessions.find(session) : null;
      if (!record || record.accountId !== accountId || record.currency !== "usd") continue;
      const month = e.createdAt >= thisStart ? months[0] : months[1];
      month.purchases += 1;
      month.credits += e.amount;
      month.paidCents += record.priceCents;
    }
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return months;
}
