/**
 * What Stripe's (already verified) PaymentIntent events do to an automatic top-up: a
 * `payment_intent.succeeded` for the PaymentIntent of a recorded attempt grants the attempt's
 * package once, as a `purchase` entry marked as an automatic top-up; a
 * `payment_intent.payment_failed` settles the attempt as declined (or as needing the
 * customer's authentication).
 *
 * The attempt is recorded before its PaymentIntent is created (top-up-attempt-store.ts), and
 * linked to it when Stripe's answer comes back. Stripe may deliver the event before that
 * answer: then the intent is found through the account's stored customer (never metadata's
 * account) and the attempt key the intent carries in its metadata, and linked here, once; the
 * job's own link then finds the same intent. Either way the intent's amount, currency and
 * customer must be the attempt's and the stored customer's, or nothing is granted: an
 * operator looks (logged at error by the route).
 *
 * Every write is keyed: the grant by the attempt key (one per attempt, whichever delivery
 * comes first), the audit entry by the attempt and its outcome, so a redelivery, or a crash
 * between two writes repaired by one, changes nothing twice.
 */
import type { Ledger } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import { findPackage, type CreditPackage } from "./packages.js";
import type { StripeCustomerStore } from "./stripe-customer-store.js";
import {
  failedFields,
  idOf,
  paymentIntentSchema,
  type PaymentIntentObject,
} from "./stripe-event-schemas.js";
import type { StripeEventOutcome } from "./stripe-events.js";
import type { AttemptOutcome, TopUpAttempt, TopUpAttemptStore } from "./top-up-attempt-store.js";

/** The PaymentIntent metadata key naming the attempt (set by the top-up job). */
export const ATTEMPT_METADATA_KEY = "jasperTopUpAttempt";

/**
 * The audit log's record(), as far as this file uses it (a port: the audit layer sits
 * above billing). An entry is recorded once per idempotency key.
 */
export interface AttemptAudit {
  record(input: {
    accountId: TopUpAttempt["accountId"];
    actor: { kind: "stripe" };
    action: "auto_top_up_attempt";
    interface: "webhook";
    details: Record<string, unknown>;
    idempotencyKey: string;
  }): Promise<unknown>;
}

export interface TopUpPaymentEventsDeps {
  ledger: Pick<Ledger, "grant">;
  attempts: TopUpAttemptStore;
  customers: Pick<StripeCustomerStore, "find" | "findByCustomerAcrossAccounts">;
  packages: readonly CreditPackage[];
  audit: AttemptAudit;
  /** Fixes the account's billing currency at its first payment (stripe-events.ts's). */
  fixCurrency?: (accountId: TopUpAttempt["accountId"], currency: string) => Promise<unknown>;
  /** The purchase entry's audit (src/audit/ledger-audit.ts), as the Checkout grants have. */
  auditEntry?: (entry: LedgerEntry) => Promise<void>;
  /**
   * Called after an attempt was settled as not paid (on replays too, so a crash before it is
   * repaired): the failure's emails and the switch-off after repeated declines.
   */
  onNotPaid?: (attempt: TopUpAttempt, outcome: AttemptOutcome) => Promise<void>;
  now?: () => Date;
}

const ignored = (
  reason: "malformed" | "not_ours" | "terms_mismatch",
  detail: string,
): StripeEventOutcome => ({ result: "ignored", reason, detail });

/** The audit key of an attempt's outcome: one entry per attempt and outcome. */
export const attemptAuditKey = (attemptKey: string, outcome: AttemptOutcome) =>
  `${attemptKey}:${outcome}`;

export function createTopUpPaymentEvents(deps: TopUpPaymentEventsDeps) {
  const now = deps.now ?? (() => new Date());

  /**
   * The attempt this PaymentIntent pays, linked to it, with the stored customer matching; or
   * why not. Unknown intents and intents of other customers are not Jasper's top-ups.
   */
  async function attemptOf(
    pi: PaymentIntentObject,
  ): Promise<{ attempt: TopUpAttempt } | { outcome: StripeEventOutcome }> {
    const customerId = idOf(pi.customer);
    let attempt = await deps.attempts.findByPaymentIntentAcrossAccounts(pi.id);
    if (!attempt) {
      // Delivered before the job linked it, or not a top-up at all. The account comes from
      // the stored customer; the metadata only names which of its attempts to look at.
      const key = pi.metadata?.[ATTEMPT_METADATA_KEY];
      const owner = customerId
        ? await deps.customers.findByCustomerAcrossAccounts(customerId)
        : null;
      const candidate = key && owner ? await deps.attempts.find(owner.accountId, key) : null;
      if (!candidate) {
        return {
          outcome: ignored(
            // A payment of Jasper's customer, or naming an attempt, that Jasper did not record
            // is for an operator (logged at error); others' (Checkout's) are not top-ups.
            key || owner ? "terms_mismatch" : "not_ours",
            `payment intent ${pi.id} is not the payment of a recorded top-up attempt`,
          ),
        };
      }
      // Matched before linking: an intent on other terms must not take the attempt's link.
      const mismatch = termsMismatch(candidate, pi, owner?.customerId);
      if (mismatch)
        return { outcome: ignored("terms_mismatch", `payment intent ${pi.id}: ${mismatch}`) };
      if (
        !(await deps.attempts.linkPaymentIntent(candidate.accountId, candidate.attemptKey, pi.id))
      ) {
        return {
          outcome: ignored(
            "terms_mismatch",
            `payment intent ${pi.id}: attempt ${candidate.attemptKey} has another payment`,
          ),
        };
      }
      attempt = { ...candidate, paymentIntent: pi.id };
    }
    const stored = await deps.customers.find(attempt.accountId);
    const mismatch = termsMismatch(attempt, pi, stored?.customerId);
    if (mismatch)
      return { outcome: ignored("terms_mismatch", `payment intent ${pi.id}: ${mismatch}`) };
    return { attempt };
  }

  async function succeeded(object: unknown): Promise<StripeEventOutcome> {
    const parsed = paymentIntentSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a PaymentIntent: ${failedFields(parsed.error)}`);
    }
    const pi = parsed.data;
    if (pi.status !== "succeeded" || (pi.amount_received ?? pi.amount) !== pi.amount) {
      return ignored("terms_mismatch", `payment intent ${pi.id} is not fully paid`);
    }
    const found = await attemptOf(pi);
    if ("outcome" in found) return found.outcome;
    const { attempt } = found;

    const pkg = findPackage(deps.packages, attempt.packageId)?.name ?? attempt.packageId;
    // Whatever state the attempt is in: the customer paid this intent, so its credits are
    // theirs (a decline recorded earlier for it does not undo a payment Stripe confirms).
    const written = await deps.ledger.grant(attempt.accountId, {
      type: "purchase",
      amount: attempt.credits,
      description: `Automatic top-up, ${pkg} package: ${attempt.credits} credits`,
      reference: {
        kind: "stripe",
        paymentIntent: pi.id,
        autoTopUp: attempt.attemptKey,
        // What Stripe charged, equal to the attempt's terms (termsMismatch checked both).
        paidCents: pi.amount,
        currency: pi.currency,
      },
      idempotencyKey: attempt.attemptKey,
    });
    await deps.auditEntry?.(written.entry);
    await deps.fixCurrency?.(attempt.accountId, pi.currency);
    await deps.attempts.settle(attempt.accountId, attempt.attemptKey, "paid", now());
    await auditAttempt(attempt, "paid", pi.id, written.entry.id);
    return { result: written.status === "created" ? "top_up_granted" : "already_granted" };
  }

  async function failed(object: unknown): Promise<StripeEventOutcome> {
    const parsed = paymentIntentSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a PaymentIntent: ${failedFields(parsed.error)}`);
    }
    const pi = parsed.data;
    const found = await attemptOf(pi);
    if ("outcome" in found) return found.outcome;
    const { attempt } = found;
    const outcome: AttemptOutcome =
      pi.last_payment_error?.code === "authentication_required" || pi.status === "requires_action"
        ? "authentication_required"
        : "declined";
    const settled = await deps.attempts.settle(
      attempt.accountId,
      attempt.attemptKey,
      outcome,
      now(),
    );
    // Settled before (by the job's synchronous decline, or an earlier delivery): the outcome
    // recorded then stands, and its follow-ups are repeated with it (each is keyed).
    const final = settled ?? (await deps.attempts.find(attempt.accountId, attempt.attemptKey));
    if (!final || final.outcome === "paid" || final.outcome === null) {
      return { result: "top_up_declined" };
    }
    await auditAttempt(final, final.outcome, pi.id);
    await deps.onNotPaid?.(final, final.outcome);
    return { result: "top_up_declined" };
  }

  async function auditAttempt(
    attempt: TopUpAttempt,
    outcome: AttemptOutcome,
    paymentIntent: string,
    entryId?: string,
  ): Promise<void> {
    await deps.audit.record({
      accountId: attempt.accountId,
      actor: { kind: "stripe" },
      action: "auto_top_up_attempt",
      interface: "webhook",
      details: {
        attemptKey: attempt.attemptKey,
        outcome,
        paymentIntent,
        packageId: attempt.packageId,
        credits: attempt.credits,
        amountCents: attempt.priceCents,
        currency: attempt.currency,
        ...(entryId ? { entryId } : {}),
      },
      idempotencyKey: attemptAuditKey(attempt.attemptKey, outcome),
    });
  }

  return { succeeded, failed };
}

export type TopUpPaymentEvents = ReturnType<typeof createTopUpPaymentEvents>;

/**
 * Why a PaymentIntent is not the attempt's payment, or null when it is: the amount and
 * currency recorded for the attempt, the attempt's customer, and that customer still the
 * account's stored one.
 */
function termsMismatch(
  attempt: TopUpAttempt,
  pi: PaymentIntentObject,
  storedCustomer: string | undefined,
): string | null {
  if (pi.amount !== attempt.priceCents) return "amount is not the attempt's price";
  if (pi.currency !== attempt.currency) return "currency is not the attempt's currency";
  const customer = idOf(pi.customer);
  if (customer !== attempt.customerId) return "customer is not the attempt's customer";
  if (customer !== storedCustomer) return "customer is not the account's stored customer";
  return null;
}
