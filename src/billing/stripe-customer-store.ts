/**
 * The Stripe Customer of each account: created once (stripe-customers.ts) and kept here, so
 * every off-session payment, saved card and subscription of an account goes to the one
 * customer Jasper made for it. What Stripe sends about a customer is matched against this
 * record (a stored id), never against metadata anyone with access to the Stripe account can
 * write.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - An account has at most one customer, and a customer belongs to at most one account:
 *   the first record wins, and recording the account again returns that record unchanged.
 * - The saved payment method changes only on the account's own customer, and a later save
 *   (by Stripe's time of the setup) is never undone by an earlier one delivered late.
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";

/** A card saved with the customer's consent for payments made without them (auto top-up). */
export interface SavedPaymentMethod {
  /** Stripe's PaymentMethod id (pm_...). */
  id: string;
  /** The card's brand as Stripe names it ("visa", "mastercard"), for display. */
  brand: string;
  /** The card's last four digits, for display. */
  last4: string;
  /** When the customer saved it (Stripe's creation time of the SetupIntent). */
  savedAt: Date;
}

export interface StripeCustomerRecord {
  accountId: AccountId;
  /** Stripe's Customer id (cus_...). */
  customerId: string;
  createdAt: Date;
  paymentMethod: SavedPaymentMethod | null;
}

export type NewStripeCustomer = Omit<StripeCustomerRecord, "paymentMethod">;

export type RecordCustomerResult =
  | { status: "recorded"; record: StripeCustomerRecord }
  /** The account has a customer already: this one, which the caller uses instead. */
  | { status: "exists"; record: StripeCustomerRecord }
  /** The customer id is another account's: a bug or tampering, nothing recorded. */
  | { status: "conflict" };

export type SavePaymentMethodResult =
  | { status: "saved"; record: StripeCustomerRecord }
  /** A method saved later (by `savedAt`) is kept: an earlier setup delivered late. */
  | { status: "outdated"; record: StripeCustomerRecord }
  /** The account has no customer, or another one than `customerId`. */
  | { status: "not_found" };

export interface StripeCustomerStore {
  record(customer: NewStripeCustomer): Promise<RecordCustomerResult>;
  find(accountId: AccountId): Promise<StripeCustomerRecord | null>;
  /**
   * Cross-account read: the record of a Stripe customer, for an event that names only the
   * customer. Its result carries its account.
   */
  findByCustomerAcrossAccounts(customerId: string): Promise<StripeCustomerRecord | null>;
  /** Saves the card on the account's record, when `customerId` is the account's customer. */
  savePaymentMethod(
    accountId: AccountId,
    customerId: string,
    method: SavedPaymentMethod,
  ): Promise<SavePaymentMethodResult>;
  /**
   * Forgets the saved card when it is `paymentMethodId` (a card saved since stays); true
   * when this call removed it.
   */
  removePaymentMethod(accountId: AccountId, paymentMethodId: string): Promise<boolean>;
}
