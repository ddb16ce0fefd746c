/** Domain values as the API shows them: money as decimal strings, dates as ISO strings. */
import { grantExpiry } from "../ledger/lots.js";
import type { EntryRow } from "../ledger/ledger-store.js";
import type { LedgerEntry } from "../ledger/types.js";

/** "122.50" for 12250 cents. Integer arithmetic: no float ever rounds a price. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/**
 * The price of one credit in dollars, to at most 4 decimals and at least 2: "0.30", "0.245",
 * "0.198". Rounded half up, in hundredths of a cent.
 */
export function formatPerCredit(priceCents: number, credits: number): string {
  if (credits <= 0) return "0.00";
  const units = Math.floor((2 * priceCents * 100 + credits) / (2 * credits));
  const text = `${Math.floor(units / 10_000)}.${String(units % 10_000).padStart(4, "0")}`;
  return text.replace(/(\.\d\d\d?)0+$/, "$1").replace(/(\.\d\d)0$/, "$1");
}

export interface TransactionView {
  id: string;
  createdAt: string;
  type: LedgerEntry["type"];
  amount: number;
  buckets: LedgerEntry["deltas"];
  balanceAfter: number;
  description: string;
  pullRequest: {
    repository: string;
    number: number;
    url: string | null;
    headSha: string | null;
  } | null;
  stripe: {
    checkoutSession: string | null;
    paymentIntent: string | null;
    receiptUrl: string | null;
    /** Purchases whose entry recorded what Stripe charged only (docs/billing.md, "Currency"). */
    paid?: { amount: string; amountCents: number; currency: string };
  } | null;
  /** Bonus grants only: when what is left of the grant expires; null for never. */
  expiresAt?: string | null;
  /** Refunds asked for with `/jasper refund` only: who asked (GitHub login) and why. */
  refundRequest?: { login: string; reason: string };
}

export function presentEntry(e: EntryRow): TransactionView {
  const ref = e.reference;
  const expiry = grantExpiry(e);
  return {
    // Only on bonus grants, so no other transaction changes shape.
    ...(expiry === undefined ? {} : { expiresAt: expiry?.toISOString() ?? null }),
    // The login and reason, as the history shows them; the user's id is in the audit log.
    ...(e.refundRequest
      ? { refundRequest: { login: e.refundRequest.login, reason: e.refundRequest.reason } }
      : {}),
    id: e.id,
    createdAt: e.createdAt.toISOString(),
    type: e.type,
    amount: e.amount,
    buckets: {
      free: e.deltas.free,
      plan: e.deltas.plan,
      bonus: e.deltas.bonus,
      purchased: e.deltas.purchased,
    },
    balanceAfter: e.balanceAfter,
    description: e.description,
    pullRequest:
      ref?.kind === "pull_request"
        ? {
            repository: ref.repository,
            number: ref.number,
            url: ref.url ?? null,
            headSha: ref.headSha ?? null,
          }
        : null,
    stripe:
      ref?.kind === "stripe"
        ? {
            checkoutSession: ref.checkoutSession ?? null,
            paymentIntent: ref.paymentIntent ?? null,
            receiptUrl: ref.receiptUrl ?? null,
            ...(ref.paidCents !== undefined && ref.currency !== undefined
              ? {
                  paid: {
                    amount: formatCents(ref.paidCents),
                    amountCents: ref.paidCents,
                    currency: ref.currency,
                  },
                }
              : {}),
          }
        : null,
  };
}
