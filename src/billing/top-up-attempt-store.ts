/**
 * Automatic top-up attempts: each recorded BEFORE its off-session PaymentIntent is created,
 * so that a crash, a timeout or a redelivery finds it and reuses its key instead of paying
 * again, and so that the success event is granted only for a payment Jasper recorded, on the
 * terms recorded here.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - An attempt key is recorded at most once (the account and the ledger entry that crossed
 *   the threshold); recording it again returns the existing attempt unchanged.
 * - An account has at most one attempt in flight: while one is, `begin` of another answers
 *   "busy", however many are begun at once. The database decides, never the queue.
 * - A payment intent belongs to at most one attempt, set once; an attempt settles once, except
 *   that a payment settles one recorded as not paid (never the other way).
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";
import type { AttemptState } from "./top-up-rules.js";

/** How an attempt ended: paid, or why not. */
export type AttemptOutcome =
  | "paid"
  | "declined"
  | "authentication_required"
  /** Stripe could not be asked, or answered an error other than a decline. */
  | "failed";

export interface TopUpAttempt {
  /** `auto-top-up:<account>:<entry that crossed>`: also Stripe's idempotency key. */
  attemptKey: string;
  accountId: AccountId;
  packageId: string;
  credits: number;
  /** Integer cents: what the PaymentIntent must be for, and what its success must show. */
  priceCents: number;
  currency: string;
  customerId: string;
  paymentMethodId: string;
  createdAt: Date;
  state: AttemptState;
  paymentIntent: string | null;
  outcome: AttemptOutcome | null;
  settledAt: Date | null;
}

export type NewTopUpAttempt = Omit<
  TopUpAttempt,
  "state" | "paymentIntent" | "outcome" | "settledAt"
>;

export type BeginResult =
  | { status: "begun"; attempt: TopUpAttempt }
  /** This key was begun before: the attempt as it stands (a retry continues it). */
  | { status: "exists"; attempt: TopUpAttempt }
  /** Another attempt of the account is in flight: nothing recorded. */
  | { status: "busy" };

export interface TopUpAttemptStore {
  begin(attempt: NewTopUpAttempt): Promise<BeginResult>;
  find(accountId: AccountId, attemptKey: string): Promise<TopUpAttempt | null>;
  /** Sets the attempt's PaymentIntent once; false when it has another, or the intent is taken. */
  linkPaymentIntent(
    accountId: AccountId,
    attemptKey: string,
    paymentIntent: string,
  ): Promise<boolean>;
  /** Cross-account read: the attempt a Stripe event's PaymentIntent belongs to. */
  findByPaymentIntentAcrossAccounts(paymentIntent: string): Promise<TopUpAttempt | null>;
  /**
   * Ends an attempt in flight; null when it was settled already (or is unknown). `paid` also
   * ends one settled as not paid: Stripe confirmed a payment after a decline was recorded.
   */
  settle(
    accountId: AccountId,
    attemptKey: string,
    outcome: AttemptOutcome,
    at: Date,
  ): Promise<TopUpAttempt | null>;
  /** The account's attempts created at or after `since`, and any still in flight, newest first. */
  recent(accountId: AccountId, since: Date): Promise<TopUpAttempt[]>;
}
