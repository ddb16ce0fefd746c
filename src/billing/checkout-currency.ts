/**
 * The currency a checkout (a credit package, a plan subscription) is priced in: the account's
 * billing currency once its first payment fixed it (Stripe customers pay in one currency),
 * else what the buyer asked, else USD. One rule for every checkout, so that a package and a
 * plan can never be sold to one account in two currencies.
 */
import { DEFAULT_CURRENCY, isCurrency, type Currency } from "./currency.js";

export type CheckoutCurrency =
  | { status: "priced"; currency: Currency }
  /** The account pays in `fixed` since its first payment: nothing may be sold in another. */
  | { status: "currency_fixed"; fixed: string };

export function checkoutCurrency(
  fixed: string | null,
  asked: Currency | undefined,
): CheckoutCurrency {
  if (fixed !== null && asked !== undefined && asked !== fixed) {
    return { status: "currency_fixed", fixed };
  }
  // A fixed currency Jasper no longer prices (a code stored by hand) sells nothing.
  const currency = fixed ?? asked ?? DEFAULT_CURRENCY;
  if (!isCurrency(currency)) return { status: "currency_fixed", fixed: currency };
  return { status: "priced", currency };
}
