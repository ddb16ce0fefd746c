/**
 * Enterprise invoices: each granted month of an enterprise plan (enterprise-plan.ts) is billed
 * by a Stripe invoice with payment terms, sent to the account's one customer
 * (stripe-customers.ts): an invoice (collection_method send_invoice, days_until_due from the
 * terms), its one item (the month's price in the account's billing currency), finalized and
 * sent. The invoice events then store it for the Invoices page (invoice-events.ts), matched by
 * the stored customer, like any other.
 *
 * Once per month, whatever retries and however late:
 * - the audit entry written after the send is the record that the month is invoiced, keyed by
 *   (subscription, month): the roll reads it first and asks Stripe nothing more;
 * - without it, the roll first looks for the month's invoice at Stripe (by the metadata set on
 *   it, enterprise-invoice-lookup.ts) and continues the one it finds: a draft gets its item if
 *   it lacks it and is finalized, an open one is sent, a paid one only recorded. So a roll that
 *   stopped after the create (a crash, Stripe down, the audit write failing) and runs again
 *   days later, when Stripe has forgotten the idempotency keys, makes no second invoice;
 * - an invoice of the month that an operator voided or marked uncollectible is not replaced:
 *   the month is recorded with its status and the result says so, for the worker to log;
 * - every Stripe call still sends an idempotency key of (account, month, step): within the
 *   24 hours or more Stripe keeps one, a retry gets the same objects back even if two rolls
 *   race past the lookup together.
 * An open invoice found again is sent again: Stripe's Invoice does not say whether it was sent,
 * and a second email of the same invoice is harmless where a second invoice is not.
 * Stripe unreachable: the month's grant stands (it is written before), the error is the
 * roll's to log, and the next roll invoices the month.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { DEFAULT_CURRENCY, isCurrency } from "./currency.js";
import {
  findMonthInvoice,
  hasMonthItem,
  isClosedByOperator,
  isLive,
  type MonthInvoiceTags,
} from "./enterprise-invoice-lookup.js";
import { planMonthAt, type PlanMonthDeps } from "./plan-months.js";
import type { StripeCustomers } from "./stripe-customers.js";
import type { SubscriptionState } from "./subscription-store.js";
import { planOfSubscription } from "./subscription-plan.js";

export const ENTERPRISE_INVOICE_ACTION = "enterprise_invoice_created" as const;

/**
 * The audit log's record() and list(), as far as this file uses them (a port: audit is not
 * below billing). The entry is the record that a month is invoiced.
 */
export interface EnterpriseInvoiceAudit {
  record(input: {
    accountId: AccountId;
    actor: { kind: "app" };
    action: typeof ENTERPRISE_INVOICE_ACTION;
    interface: "app";
    details: Record<string, unknown>;
    idempotencyKey: string;
  }): Promise<unknown>;
  list(
    accountId: AccountId,
    query: { actions: readonly (typeof ENTERPRISE_INVOICE_ACTION)[]; limit: number },
  ): Promise<{ entries: readonly { details: Record<string, unknown> }[] }>;
}

export interface EnterpriseInvoiceDeps {
  /** null when STRIPE_SECRET_KEY is unset: nothing is invoiced then. */
  stripe: Stripe | null;
  customers: Pick<StripeCustomers, "ensure">;
  audit: EnterpriseInvoiceAudit;
  /** The account's billing currency, fixed by its first payment (null before it: USD). */
  billingCurrency: (accountId: AccountId) => Promise<string | null>;
  planMonths: Pick<PlanMonthDeps, "ledger" | "plans" | "now">;
}

export type EnterpriseInvoiceResult =
  | { status: "created"; invoice: string }
  /** An earlier roll's invoice of the month, found at Stripe (as `found`) and completed. */
  | { status: "resumed"; invoice: string; found: "draft" | "open" | "paid" }
  /** The month's invoice was voided or written off at Stripe: recorded, no other made. */
  | { status: "not_replaced"; invoice: string; found: "void" | "uncollectible" }
  /** Nothing to invoice now: why. */
  | {
      status: "skipped";
      because:
        | "no_stripe"
        | "not_enterprise"
        | "free"
        | "outside_period"
        | "not_granted"
        | "invoiced"
        | "unknown_currency";
    };

/** Stripe's idempotency key of one step of one month's invoice. */
export const enterpriseInvoiceKey = (accountId: AccountId, monthStart: Date, step: string) =>
  `jasper-enterprise-invoice:${accountId}:${monthStart.toISOString()}:${step}`;

/** The audit entry's key, the record that the month is invoiced. */
const recordKey = (s: SubscriptionState, monthStart: Date) =>
  `enterprise-invoice:${s.subscriptionId}:${monthStart.toISOString()}`;

/** "December 2026": what the invoice's line calls the plan month starting then. */
const monthName = (start: Date) =>
  start.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });

export function createEnterpriseInvoices(deps: EnterpriseInvoiceDeps) {
  /** Whether the month starting `start` has its audit entry (written after the send). */
  async function invoiced(s: SubscriptionState, start: Date): Promise<boolean> {
    // Newest first: the month running now is the newest invoiced, if it is; a year has twelve.
    const page = await deps.audit.list(s.accountId, {
      actions: [ENTERPRISE_INVOICE_ACTION],
      limit: 24,
    });
    const key = recordKey(s, start);
    return page.entries.some((e) => e.details["record"] === key);
  }

  /** Invoices the plan month running now of an enterprise subscription, once it is granted. */
  async function invoiceMonth(s: SubscriptionState): Promise<EnterpriseInvoiceResult> {
    const stripe = deps.stripe;
    if (!stripe) return { status: "skipped", because: "no_stripe" };
    const terms = s.custom;
    if (!terms) return { status: "skipped", because: "not_enterprise" };
    // A plan the operator gives away has nothing to bill.
    if (terms.priceCents <= 0) return { status: "skipped", because: "free" };
    const month = planMonthAt(s, deps.planMonths.now());
    if (!month) return { status: "skipped", because: "outside_period" };
    if (await invoiced(s, month.start)) return { status: "skipped", because: "invoiced" };
    const plan = planOfSubscription(deps.planMonths.plans, s);
    const plans = [...new Set([...deps.planMonths.plans.map((p) => p.id), s.plan])];
    const granted = plan
      ? await deps.planMonths.ledger.planMonthGranted(
          s.accountId,
          s.subscriptionId,
          month.start,
          plans,
        )
      : 0;
    // Only a granted month is billed: the grant comes first, the invoice follows it.
    if (granted <= 0) return { status: "skipped", because: "not_granted" };
    const currency = (await deps.billingCurrency(s.accountId)) ?? DEFAULT_CURRENCY;
    // A stored code Jasper does not price is never billed (a bug or a hand edit).
    if (!isCurrency(currency)) return { status: "skipped", because: "unknown_currency" };

    const ready = await deps.customers.ensure(s.accountId);
    if (ready.status !== "ready") return { status: "skipped", because: "no_stripe" };
    const customer = ready.customer.customerId;
    const key = (step: string) => ({
      idempotencyKey: enterpriseInvoiceKey(s.accountId, month.start, step),
    });
    const metadata: MonthInvoiceTags = {
      jasperAccountId: String(s.accountId),
      jasperSubscription: s.subscriptionId,
      jasperMonthStart: month.start.toISOString(),
    };
    /** The record that the month is invoiced, written last. */
    const record = (invoice: string, invoiceCurrency: string, found?: string) =>
      deps.audit.record({
        accountId: s.accountId,
        actor: { kind: "app" },
        action: ENTERPRISE_INVOICE_ACTION,
        interface: "app",
        details: {
          record: recordKey(s, month.start),
          invoice,
          plan: s.plan,
          monthStart: month.start.toISOString(),
          amountCents: terms.priceCents,
          currency: invoiceCurrency,
          daysUntilDue: terms.daysUntilDue,
          // Only when an earlier roll's invoice was found: its status then.
          ...(found ? { foundStatus: found } : {}),
        },
        idempotencyKey: recordKey(s, month.start),
      });

    /** The month's one item on the invoice, under the month's key. */
    const addItem = (invoice: string, itemCurrency: string) =>
      stripe.invoiceItems.create(
        {
          customer,
          invoice,
          amount: terms.priceCents,
          currency: itemCurrency,
          description: `Jasper Enterprise, ${monthName(month.start)}`,
          metadata: { ...metadata },
        },
        key("item"),
      );

    // The month may have its invoice already: a roll stopped after the create, maybe days ago.
    const found = await findMonthInvoice(stripe, customer, month.start, metadata);
    if (found) {
      const status = found.status;
      if (isClosedByOperator(status)) {
        await record(found.id, found.currency, status);
        return { status: "not_replaced", invoice: found.id, found: status };
      }
      if (!isLive(status)) {
        throw new Error(`the enterprise month's invoice ${found.id} is ${String(status)}`);
      }
      if (status === "draft") {
        // Its own currency: the account's may have been fixed since the draft was made.
        if (!(await hasMonthItem(stripe, found.id, metadata))) {
          await addItem(found.id, found.currency);
        }
        await stripe.invoices.finalizeInvoice(found.id, { auto_advance: false }, key("finalize"));
      }
      if (status !== "paid") await stripe.invoices.sendInvoice(found.id, {}, key("send"));
      await record(found.id, found.currency, status);
      return { status: "resumed", invoice: found.id, found: status };
    }

    // The invoice first, then its item attached by id: no other pending item is swept in.
    const draft = await stripe.invoices.create(
      {
        customer,
        currency,
        collection_method: "send_invoice",
        days_until_due: terms.daysUntilDue,
        pending_invoice_items_behavior: "exclude",
        auto_advance: false,
        description: `${terms.name}: the month from ${month.start.toISOString().slice(0, 10)}`,
        metadata: { ...metadata },
      },
      key("invoice"),
    );
    if (draft.object !== "invoice" || !draft.id || draft.customer !== customer) {
      throw new Error("Stripe answered the enterprise invoice creation with something else");
    }
    await addItem(draft.id, currency);
    await stripe.invoices.finalizeInvoice(draft.id, { auto_advance: false }, key("finalize"));
    await stripe.invoices.sendInvoice(draft.id, {}, key("send"));
    await record(draft.id, currency);
    return { status: "created", invoice: draft.id };
  }

  /**
   * The roll's hook (rollPlanMonths' afterGrant): an enterprise subscription's month invoiced,
   * others passed by. A failure (Stripe unreachable) goes to `onError` and the roll goes on:
   * the grant stands and the next roll invoices the month.
   */
  const afterGrant =
    (onError: (s: SubscriptionState, err: unknown) => void) =>
    async (s: SubscriptionState): Promise<EnterpriseInvoiceResult | null> => {
      if (!s.custom) return null;
      try {
        return await invoiceMonth(s);
      } catch (err) {
        onError(s, err);
        return null;
      }
    };

  return { invoiceMonth, afterGrant };
}

export type EnterpriseInvoices = ReturnType<typeof createEnterpriseInvoices>;
