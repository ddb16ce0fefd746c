import type { Account } from "../accounts/types.js";
import { DEFAULT_CURRENCY, isCurrency, type Currency } from "../billing/currency.js";

/**
 * The currency the account's money is shown in: its billing currency once its first payment
 * fixed it, USD before (what a checkout defaults to). A stored code Jasper does not price
 * (a hand edit) shows as USD rather than failing every billing page.
 */
export const accountCurrency = (account: Pick<Account, "billingCurrency">): Currency =>
  isCurrency(account.billingCurrency) ? account.billingCurrency : DEFAULT_CURRENCY;
