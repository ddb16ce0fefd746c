/**
 * Money spent on credits, by month, and what the balance is worth, in the account's billing
 * currency. A purchase's price is what its entry recorded from Stripe (paidCents, currency);
 * an entry written before those were kept is priced by the Checkout Session Jasper recorded
 * for it (what Stripe was asked for and checked to have charged). A purchase with neither,
 * or paid in another currency, has no price here and is left out, credits and all, so the
 * price per credit stays true. Never an exchange rate.
 */
import type { AccountId } from "../accounts/types.js";
import type { Ledger } from "../ledger/ledger.js";
import { periodOf, periodStart } from "../ledger/periods.js";
import type { EntryRow } from "../ledger/ledger-store.js";
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

/** What a purchase entry was paid, or null when Jasper knows no price for it. */
export interface PaidAmount {
  cents: number;
  currency: string;
}

/** Pages of 100 read at most: 2,000 purchases in two months is past any real account. */
const MAX_PAGES = 20;

export async function paidFor(
  deps: Pick<SpendDeps, "sessions">,
  e: Pick<EntryRow, "accountId" | "reference">,
): Promise<PaidAmount | null> {
  const ref = e.reference?.kind === "stripe" ? e.reference : null;
  if (!ref) return null;
  if (ref.paidCents !== undefined && ref.currency !== undefined) {
    return { cents: ref.paidCents, currency: ref.currency };
  }
  const record = ref.checkoutSession ? await deps.sessions.find(ref.checkoutSession) : null;
  if (!record || record.accountId !== e.accountId) return null;
  return { cents: record.priceCents, currency: record.currency };
}

/** The account's purchases from `from` on, newest first, each with what it was paid. */
async function* pricedPurchases(deps: SpendDeps, accountId: AccountId, from?: Date) {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { entries, nextCursor } = await deps.ledger.list(accountId, {
      types: ["purchase"],
      ...(from && { from }),
      limit: 100,
      cursor,
    });
    for (const e of entries) yield { entry: e, paid: await paidFor(deps, e) };
    if (!nextCursor) return;
    cursor = nextCursor;
  }
}

/** This month's and last month's spend (in that order), in `currency`. */
export async function recentSpend(
  deps: SpendDeps,
  accountId: AccountId,
  now: Date,
  currency: string,
): Promise<[MonthSpend, MonthSpend]> {
  const thisStart = periodStart(now);
  const lastStart = periodStart(new Date(thisStart.getTime() - 1));
  const months: [MonthSpend, MonthSpend] = [
    { month: periodOf(thisStart), purchases: 0, credits: 0, paidCents: 0 },
    { month: periodOf(lastStart), purchases: 0, credits: 0, paidCents: 0 },
  ];
  for await (const { entry, paid } of pricedPurchases(deps, accountId, lastStart)) {
    if (!paid || paid.currency !== currency) continue;
    const month = entry.createdAt >= thisStart ? months[0] : months[1];
    month.purchases += 1;
    month.credits += entry.amount;
    month.paidCents += paid.cents;
  }
  return months;
}

export interface BalanceValue {
  /** The balance at the price per credit below, rounded half up to whole cents. */
  valueCents: number;
  /** The purchase the price per credit is from: what it paid, for how many credits. */
  pricedBy: { paidCents: number; credits: number; at: Date };
}

/**
 * What the balance is worth in `currency`: at the price per credit of the account's latest
 * purchase paid in it (docs/billing.md, "Currency"). The latest, not an average over what is
 * left: free and bonus credits cost nothing, and which purchase a credit came from is not
 * tracked, so any average would be a guess; the last price paid is what a credit costs the
 * account now. Null when no purchase in `currency` has a known price, or the balance is 0 or
 * less.
 */
export async function balanceValue(
  deps: SpendDeps,
  accountId: AccountId,
  balance: number,
  currency: string,
): Promise<BalanceValue | null> {
  if (balance <= 0) return null;
  for await (const { entry, paid } of pricedPurchases(deps, accountId)) {
    if (!paid || paid.currency !== currency || entry.amount <= 0) continue;
    const valueCents = Math.floor((2 * balance * paid.cents + entry.amount) / (2 * entry.amount));
    return {
      valueCents,
      pricedBy: { paidCents: paid.cents, credits: entry.amount, at: entry.createdAt },
    };
  }
  return null;
}
