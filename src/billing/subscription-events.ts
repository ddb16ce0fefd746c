/**
 * What Stripe's subscription events do (issue 20): `checkout.session.completed` in
 * subscription mode, `customer.subscription.created/updated/deleted`, `invoice.paid` and
 * `invoice.payment_failed`.
 *
 * Each is matched to an account through the Stripe customer Jasper recorded for it
 * (stripe-customer-store.ts) and the subscription id recorded on first sight (a subscription
 * id is one account's, subscription-store.ts), never through metadata. Events arrive in any
 * order and more than once, so none is applied as it reads: each retrieves the subscription
 * from Stripe and applies its current state (plan-months.ts, applySubscriptionState), stamped
 * with the time of that reading, so a slower handler's older reading never replaces a newer
 * one. The plan is the product of the subscription's price (plan-products.ts). Grants are the
 * ledger's, keyed by (subscription, month): a redelivery grants nothing more.
 *
 * Only invoice.paid grants a period's first month, and only for an invoice whose lines cover
 * the time it is handled (a late redelivery of last period's invoice pays nothing now).
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { applySubscriptionState, type MonthGrant, type PlanMonthDeps } from "./plan-months.js";
import { stateFromStripe } from "./subscription-state.js";
import type { StripeCustomerStore } from "./stripe-customer-store.js";
import { failedFields, idOf } from "./stripe-event-schemas.js";
import type { StripeEventOutcome } from "./stripe-events.js";
import { sessionCustomer } from "./session-customer.js";
import {
  invoiceSchema,
  subscriptionSchema,
  subscriptionSessionSchema,
  type InvoiceObject,
} from "./subscription-schemas.js";
import type { SubscriptionState } from "./subscription-store.js";

/**
 * The audit log's record(), as far as this file uses it (a port: the audit layer sits beside
 * billing). An entry is recorded once per idempotency key.
 */
export interface SubscriptionAudit {
  record(input: {
    accountId: AccountId;
    actor: { kind: "stripe" };
    action: "subscription_changed" | "subscription_payment_failed";
    interface: "webhook";
    details: Record<string, unknown>;
    idempotencyKey: string;
  }): Promise<{ at: Date }>;
}

export interface SubscriptionEventsDeps {
  stripe: Stripe;
  customers: Pick<StripeCustomerStore, "findByCustomerAcrossAccounts">;
  /** The ledger, the subscription store, the plan catalog and the clock. */
  planMonths: PlanMonthDeps;
  audit: SubscriptionAudit;
  /**
   * A renewal's payment failed (invoice.payment_failed of a subscription): the billing
   * contacts are told once per invoice (the caller keys it). `firstRecordedAt`: when the
   * invoice's failure was first recorded (its audit entry, one per invoice), however often
   * the event comes. An error fails the event, so Stripe delivers it again.
   */
  onPaymentFailed?: (
    accountId: AccountId,
    subscriptionId: string,
    invoiceId: string,
    firstRecordedAt: Date,
  ) => Promise<void>;
  /**
   * Fixes the account's billing currency at its first payment (fix-currency.ts): a paid
   * subscription invoice is one, as a paid package is. Set only when unset, audited once.
   */
  fixCurrency?: (accountId: AccountId, currency: string) => Promise<unknown>;
}

type Ignored = Extract<StripeEventOutcome, { result: "ignored" }>;
const ignored = (reason: Ignored["reason"], detail: string): Ignored => ({
  result: "ignored",
  reason,
  detail,
});

export function createSubscriptionEvents(deps: SubscriptionEventsDeps) {
  const { stripe, planMonths } = deps;

  /** The account whose recorded customer this is; null for a customer Jasper did not make. */
  async function accountOfCustomer(customerId: string | undefined) {
    if (!customerId) return null;
    return deps.customers.findByCustomerAcrossAccounts(customerId);
  }

  /**
   * The subscription as Stripe holds it now, as Jasper's state for `accountId`; an Ignored
   * when it is not on the account's customer or not on one of Jasper's plans.
   */
  async function readState(
    subscriptionId: string,
    accountId: AccountId,
    customerId: string,
  ): Promise<SubscriptionState | Ignored> {
    const answer = subscriptionSchema.safeParse(
      await stripe.subscriptions.retrieve(subscriptionId),
    );
    // Read after Stripe answered: a later reading is a newer state.
    const readAt = planMonths.now();
    // What Jasper recorded of it that Stripe's object does not say (a scheduled change), read
    // after Stripe answered: a change recorded before this read is carried; one recorded after
    // it has a later time than `readAt`, so this state cannot replace it.
    const known = await planMonths.subscriptions.find(subscriptionId);
    if (!answer.success) {
      return ignored(
        "malformed",
        `subscription ${subscriptionId} from Stripe: ${failedFields(answer.error)}`,
      );
    }
    const scheduledChange = known?.accountId === accountId ? known.scheduledChange : undefined;
    const owner = { accountId, customerId, scheduledChange };
    const state = stateFromStripe(answer.data, planMonths.plans, owner, readAt);
    return "mismatch" in state ? ignored("terms_mismatch", state.mismatch) : state;
  }

  /**
   * Retrieves and applies the subscription's current state for the account, then records in
   * the audit log what changed (once per state, by key).
   */
  async function sync(
    subscriptionId: string,
    accountId: AccountId,
    customerId: string,
    invoicePaid = false,
  ): Promise<StripeEventOutcome> {
    const state = await readState(subscriptionId, accountId, customerId);
    if ("result" in state) return state;
    const before = await planMonths.subscriptions.find(subscriptionId);
    const applied = await applySubscriptionState(planMonths, state, { invoicePaid });
    if (applied === null) {
      return ignored("not_ours", `subscription ${subscriptionId} is recorded for another account`);
    }
    if (applied.status !== "stale") await auditChange(before, state);
    return { result: outcomeOf(applied) };
  }

  async function auditChange(before: SubscriptionState | null, s: SubscriptionState) {
    const changed =
      !before ||
      before.plan !== s.plan ||
      before.interval !== s.interval ||
      before.status !== s.status ||
      before.cancelAtPeriodEnd !== s.cancelAtPeriodEnd ||
      before.currentPeriodEnd.getTime() !== s.currentPeriodEnd.getTime();
    if (!changed) return;
    const period = s.currentPeriodEnd.toISOString();
    await deps.audit.record({
      accountId: s.accountId,
      actor: { kind: "stripe" },
      action: "subscription_changed",
      interface: "webhook",
      details: {
        subscription: s.subscriptionId,
        plan: s.plan,
        interval: s.interval,
        status: s.status,
        currentPeriodEnd: period,
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        ...(before && {
          was: {
            plan: before.plan,
            status: before.status,
            cancelAtPeriodEnd: before.cancelAtPeriodEnd,
          },
        }),
      },
      // One entry per state, however often Stripe delivers the events that lead to it.
      idempotencyKey: `subscription:${s.subscriptionId}:${s.plan}:${s.interval}:${s.status}:${s.cancelAtPeriodEnd}:${period}`,
    });
  }

  async function checkoutCompleted(object: unknown): Promise<StripeEventOutcome> {
    const parsed = subscriptionSessionSchema.safeParse(object);
    if (!parsed.success) {
      return ignored(
        "malformed",
        `not a subscription Checkout Session: ${failedFields(parsed.error)}`,
      );
    }
    const session = parsed.data;
    if (session.status !== "complete") {
      return ignored("not_paid", `subscription Checkout Session ${session.id} is not complete`);
    }
    const whose = await sessionCustomer(deps.customers, session, "subscription");
    if ("ignored" in whose) return whose.ignored;
    const { record } = whose;
    const subscriptionId = idOf(session.subscription);
    if (!subscriptionId) {
      return ignored(
        "malformed",
        `subscription Checkout Session ${session.id} has no subscription`,
      );
    }
    return sync(subscriptionId, record.accountId, record.customerId);
  }

  async function subscriptionChanged(object: unknown): Promise<StripeEventOutcome> {
    const parsed = subscriptionSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a Subscription: ${failedFields(parsed.error)}`);
    }
    const record = await accountOfCustomer(idOf(parsed.data.customer));
    if (!record) {
      return ignored("not_ours", `subscription ${parsed.data.id} is for no customer of Jasper's`);
    }
    const outcome = await sync(parsed.data.id, record.accountId, record.customerId);
    // A subscription that ended leaves its last month's credits to expire on time.
    await planMonths.ledger.ensureFreeTier(record.accountId);
    return outcome;
  }

  /** The invoice's subscription and account, or why it is none of Jasper's subscriptions'. */
  async function invoiceSubscription(object: unknown) {
    const parsed = invoiceSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not an Invoice: ${failedFields(parsed.error)}`);
    }
    const invoice = parsed.data;
    const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null);
    // A package's invoice (Checkout's invoice creation) is the purchase's, not a plan's.
    if (!subscriptionId) {
      return ignored("unhandled_type", `invoice ${invoice.id} is not a subscription's`);
    }
    const record = await accountOfCustomer(idOf(invoice.customer));
    if (!record) return ignored("not_ours", `invoice ${invoice.id} is for no customer of Jasper's`);
    return { invoice, subscriptionId, record };
  }

  async function invoicePaid(object: unknown): Promise<StripeEventOutcome> {
    const found = await invoiceSubscription(object);
    if ("result" in found) return found;
    const { invoice, subscriptionId, record } = found;
    if (invoice.status !== "paid") return ignored("not_paid", `invoice ${invoice.id} is not paid`);
    const covers = coversNow(invoice, planMonths.now());
    const outcome = await sync(subscriptionId, record.accountId, record.customerId, covers);
    // After the grant, so a failure here is retried by Stripe's redelivery, which grants
    // nothing twice. Any paid invoice of the account's subscription, a late one included:
    // Stripe bills the customer in this currency from now on.
    if (outcome.result !== "ignored") await deps.fixCurrency?.(record.accountId, invoice.currency);
    return outcome;
  }

  async function paymentFailed(object: unknown): Promise<StripeEventOutcome> {
    const found = await invoiceSubscription(object);
    if ("result" in found) return found;
    const { invoice, subscriptionId, record } = found;
    const outcome = await sync(subscriptionId, record.accountId, record.customerId);
    if (outcome.result === "ignored") return outcome;
    const audited = await deps.audit.record({
      accountId: record.accountId,
      actor: { kind: "stripe" },
      action: "subscription_payment_failed",
      interface: "webhook",
      details: { subscription: subscriptionId, invoice: invoice.id },
      idempotencyKey: `subscription-payment-failed:${invoice.id}`,
    });
    await deps.onPaymentFailed?.(record.accountId, subscriptionId, invoice.id, audited.at);
    return { result: "subscription_payment_failed" };
  }

  return {
    checkoutCompleted,
    subscriptionChanged,
    invoicePaid,
    paymentFailed,
  };
}

export type SubscriptionEvents = ReturnType<typeof createSubscriptionEvents>;

/** Whether one of the invoice's lines is a service period running at `now`. */
function coversNow(invoice: InvoiceObject, now: Date): boolean {
  const t = now.getTime() / 1000;
  return invoice.lines.data.some((l) => l.period.start <= t && t < l.period.end);
}

function outcomeOf(applied: MonthGrant | { status: "stale" }) {
  return applied.status === "created"
    ? ("plan_month_granted" as const)
    : ("subscription_synced" as const);
}
