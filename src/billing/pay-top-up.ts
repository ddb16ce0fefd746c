/**
 * The automatic top-up job's work: for one crossing of the threshold (an account and the
 * ledger entry that crossed), check again on what the database says now (decideTopUp), record
 * the attempt, then create the off-session PaymentIntent that pays it.
 *
 * - The attempt key is the job key (`auto-top-up:<account>:<entry>`) and Stripe's idempotency
 *   key: a retried job finds its attempt and asks Stripe again with the same key and the same
 *   parameters, so Stripe answers the intent it made the first time, never a second one.
 * - The attempt is written BEFORE the intent is created: the success event can arrive before
 *   Stripe's answer does (top-up-payment-events.ts finds it by the key in the metadata).
 * - Stripe unreachable (a connection error, a 5xx, a rate limit): the attempt stays in flight,
 *   the error is thrown, and the queue retries the job with the same key. An account with an
 *   attempt in flight starts no other (the store's partial unique index decides).
 * - A decline Stripe answers at once (card_error): settled `declined` (or
 *   `authentication_required`) right away, and `onNotPaid` follows up.
 * - Credits are never granted here: only the signed success event grants.
 */
import Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import type { AutoTopUpStore } from "./auto-top-up-store.js";
import { DEFAULT_CURRENCY, isCurrency } from "./currency.js";
import { priceIn, type CreditPackage } from "./packages.js";
import type { StripeCustomerStore } from "./stripe-customer-store.js";
import { ATTEMPT_METADATA_KEY } from "./top-up-payment-events.js";
import type { AttemptOutcome, TopUpAttempt, TopUpAttemptStore } from "./top-up-attempt-store.js";
import { decideTopUp, MIN_MS_BETWEEN_ATTEMPTS, type TopUpDecision } from "./top-up-rules.js";

/** The job key, the attempt key and Stripe's idempotency key: one per crossing entry. */
export const topUpAttemptKey = (accountId: AccountId, entryId: string) =>
  `auto-top-up:${accountId}:${entryId}`;

export interface PayTopUpDeps {
  stripe: Stripe;
  settings: Pick<AutoTopUpStore, "find">;
  customers: Pick<StripeCustomerStore, "find">;
  attempts: TopUpAttemptStore;
  /** The account's balance now (the ledger's). */
  balance: (accountId: AccountId) => Promise<number>;
  packages: readonly CreditPackage[];
  /**
   * The account's billing currency, fixed by its first payment (null before it: the top-up
   * is then charged in USD, and its success fixes that).
   */
  billingCurrency?: (accountId: AccountId) => Promise<string | null>;
  /** The attempt recorded as not paid at once: emails, and the switch-off after declines. */
  onNotPaid?: (attempt: TopUpAttempt, outcome: AttemptOutcome) => Promise<void>;
  now?: () => Date;
}

export type PayTopUpResult =
  /** The intent exists at Stripe and is linked; its events settle it. */
  | { status: "requested"; attempt: TopUpAttempt; paymentIntent: string }
  | { status: "not_paid"; attempt: TopUpAttempt; outcome: AttemptOutcome }
  /** Nothing asked of Stripe: why (the check's answer, or the attempt done already). */
  | {
      status: "skipped";
      because: Extract<TopUpDecision, { pay: false }>["because"] | "settled";
      /** For "too_soon": when the hourly rule lets this crossing be tried again. */
      retryAt?: Date;
    };

const startOfMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));

/** Stripe could not be asked, or could not answer now: the job retries with the same key. */
const retryable = (err: unknown) =>
  err instanceof Stripe.errors.StripeConnectionError ||
  err instanceof Stripe.errors.StripeAPIError ||
  err instanceof Stripe.errors.StripeRateLimitError ||
  (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500);

export function createTopUpPayer(deps: PayTopUpDeps) {
  const now = deps.now ?? (() => new Date());

  async function run(accountId: AccountId, entryId: string): Promise<PayTopUpResult> {
    const key = topUpAttemptKey(accountId, entryId);
    const existing = await deps.attempts.find(accountId, key);
    // A retry of this job: continue the attempt it recorded, never check or begin again.
    if (existing) return continueAttempt(existing);

    const at = now();
    const [settings, customer, balance, attempts, fixed] = await Promise.all([
      deps.settings.find(accountId),
      deps.customers.find(accountId),
      deps.balance(accountId),
      deps.attempts.recent(
        accountId,
        new Date(Math.min(startOfMonth(at).getTime(), at.getTime() - MIN_MS_BETWEEN_ATTEMPTS)),
      ),
      deps.billingCurrency?.(accountId) ?? null,
    ]);
    // A stored code Jasper does not price is never charged (a bug or a hand edit).
    const currency = fixed ?? DEFAULT_CURRENCY;
    if (!isCurrency(currency)) return { status: "skipped", because: "unknown_package" };
    const decision = decideTopUp({
      settings,
      hasCard: customer?.paymentMethod != null,
      balance,
      // Priced in the account's currency: the monthly money limit is counted in it.
      packages: deps.packages.map((p) => ({ ...p, priceCents: priceIn(p, currency) })),
      attempts: attempts.map((a) => ({
        state: a.state,
        priceCents: a.priceCents,
        at: a.createdAt,
      })),
      now: at,
    });
    if (!decision.pay || !customer?.paymentMethod) {
      if (decision.pay) return { status: "skipped", because: "no_card" };
      const { because, retryAt } = decision;
      return retryAt ? { status: "skipped", because, retryAt } : { status: "skipped", because };
    }
    const begun = await deps.attempts.begin({
      attemptKey: key,
      accountId,
      packageId: decision.pkg.id,
      credits: decision.pkg.credits,
      priceCents: decision.pkg.priceCents,
      currency,
      customerId: customer.customerId,
      paymentMethodId: customer.paymentMethod.id,
      createdAt: at,
    });
    if (begun.status === "busy") return { status: "skipped", because: "in_flight" };
    return continueAttempt(begun.attempt);
  }

  /** Creates (or, on a retry, asks Stripe again for) the attempt's PaymentIntent. */
  async function continueAttempt(attempt: TopUpAttempt): Promise<PayTopUpResult> {
    if (attempt.state !== "in_flight") return { status: "skipped", because: "settled" };
    if (attempt.paymentIntent) {
      return { status: "requested", attempt, paymentIntent: attempt.paymentIntent };
    }
    let intent: Stripe.PaymentIntent;
    try {
      // Every parameter comes from the attempt, so a retry sends the same request: Stripe
      // refuses a reused key with other parameters.
      intent = await deps.stripe.paymentIntents.create(
        {
          amount: attempt.priceCents,
          currency: attempt.currency,
          customer: attempt.customerId,
          payment_method: attempt.paymentMethodId,
          off_session: true,
          confirm: true,
          description: `Jasper automatic top-up: ${attempt.credits} credits`,
          metadata: { [ATTEMPT_METADATA_KEY]: attempt.attemptKey },
        },
        { idempotencyKey: attempt.attemptKey },
      );
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) return declinedAtOnce(attempt, err);
      // Unreachable or overloaded: in flight, retried by the queue with the same key.
      if (retryable(err)) throw err;
      // Anything else (a refused request) will not change on a retry: settled as failed.
      await settleFailed(attempt);
      throw err;
    }
    await link(attempt, intent.id);
    return {
      status: "requested",
      attempt: { ...attempt, paymentIntent: intent.id },
      paymentIntent: intent.id,
    };
  }

  /** Settles the attempt `failed` (Stripe's failure, not the card's) and follows it up, once. */
  async function settleFailed(attempt: TopUpAttempt): Promise<void> {
    const settled = await deps.attempts.settle(
      attempt.accountId,
      attempt.attemptKey,
      "failed",
      now(),
    );
    if (settled) await deps.onNotPaid?.(settled, "failed");
  }

  async function declinedAtOnce(
    attempt: TopUpAttempt,
    err: Stripe.errors.StripeCardError,
  ): Promise<PayTopUpResult> {
    const intentId = err.payment_intent?.id;
    if (intentId) await link(attempt, intentId);
    const outcome: AttemptOutcome =
      err.code === "authentication_required" ? "authentication_required" : "declined";
    const settled =
      (await deps.attempts.settle(attempt.accountId, attempt.attemptKey, outcome, now())) ??
      (await deps.attempts.find(attempt.accountId, attempt.attemptKey));
    if (!settled || settled.outcome === null || settled.outcome === "paid") {
      return { status: "skipped", because: "settled" };
    }
    await deps.onNotPaid?.(settled, settled.outcome);
    return { status: "not_paid", attempt: settled, outcome: settled.outcome };
  }

  async function link(attempt: TopUpAttempt, intentId: string): Promise<void> {
    // False only when the attempt has another intent (or the intent another attempt): the
    // webhook may have linked this one already, which answers true.
    const linked = await deps.attempts.linkPaymentIntent(
      attempt.accountId,
      attempt.attemptKey,
      intentId,
    );
    if (!linked) {
      throw new Error(
        `top-up ${attempt.attemptKey}: payment intent ${intentId} is not the attempt's own`,
      );
    }
  }

  /**
   * Asks Stripe again for an attempt in flight without its PaymentIntent, with its own key
   * and parameters (repair-top-ups.ts, for an attempt whose job gave up).
   */
  const resume = (attempt: TopUpAttempt) => continueAttempt(attempt);

  return { run, resume, settleFailed };
}

export type TopUpPayer = ReturnType<typeof createTopUpPayer>;
