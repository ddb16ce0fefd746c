/**
 * The Checkout Sessions Jasper created, and what each one sells. This, not the session's
 * metadata, is what a payment is fulfilled against: anyone with access to the Stripe account
 * (another integration, a dashboard user, a leaked key) can create a session or edit its
 * metadata, and Stripe signs the events of those sessions just the same. A session is granted
 * only if it is recorded here, for the credits recorded here, at the price recorded here.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - A session id is recorded at most once; recording it again returns the existing record
 *   unchanged (a retried checkout gets the same session back from Stripe).
 * - A payment intent belongs to at most one session, and a session to at most one payment
 *   intent, set once and never changed.
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";

export interface CheckoutRecord {
  /** Stripe's Checkout Session id (cs_...). */
  sessionId: string;
  accountId: AccountId;
  packageId: string;
  /** The credits sold, as the package had them when the buyer was shown the price. */
  credits: number;
  /** Integer cents: what the session must have been paid to grant. */
  priceCents: number;
  /** Lowercase ISO code, as Stripe writes it ("usd"). */
  currency: string;
  createdAt: Date;
  /**
   * The session's PaymentIntent, set by the first paid event. A refund's charge carries only
   * its payment intent, so this is how a refund finds the purchase it undoes.
   */
  paymentIntent: string | null;
}

export type NewCheckoutRecord = Omit<CheckoutRecord, "paymentIntent">;

export type RecordResult =
  { status: "recorded"; record: CheckoutRecord } | { status: "exists"; record: CheckoutRecord };

export type LinkResult =
  /** The session has this payment intent now (or had it already). */
  | { status: "linked"; record: CheckoutRecord }
  | { status: "not_found" }
  /** The session has another payment intent, or this one belongs to another session. */
  | { status: "conflict" };

export interface CheckoutSessionStore {
  record(session: NewCheckoutRecord): Promise<RecordResult>;
  find(sessionId: string): Promise<CheckoutRecord | null>;
  linkPaymentIntent(sessionId: string, paymentIntent: string): Promise<LinkResult>;
  findByPaymentIntent(paymentIntent: string): Promise<CheckoutRecord | null>;
}
