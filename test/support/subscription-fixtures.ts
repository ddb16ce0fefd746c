/**
 * Stripe's subscription objects and events as stripe-node 23 types them (API 2026-10-28: the
 * period on the subscription's items, the invoice's subscription under
 * parent.subscription_details), for the subscription tests (test/billing/subscriptions.test.ts,
 * test/notifications/plan-payment-failed.test.ts).
 */
import type Stripe from "stripe";

export const CUSTOMER = "cus_TAcme101";
export const SUB = "sub_1Acme101";
export const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export interface SubscriptionShape {
  plan: string;
  interval: "month" | "year";
  status: Stripe.Subscription.Status;
  start: string;
  end: string;
  cancelAtPeriodEnd?: boolean;
  customer?: string;
  id?: string;
}

/** A Subscription as Stripe's API and its events carry it. */
export function subscription(s: SubscriptionShape) {
  const id = s.id ?? SUB;
  const price = {
    id: `price_${s.plan}_${s.interval}`,
    object: "price",
    active: true,
    currency: "usd",
    product: `jasper_plan_${s.plan}`,
    recurring: {
      interval: s.interval,
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: "licensed",
    },
    type: "recurring",
    unit_amount: s.plan === "team" ? 14900 : 4900,
  } satisfies Partial<Stripe.Price>;
  const item = {
    id: `si_${id}`,
    object: "subscription_item",
    created: at(s.start),
    current_period_start: at(s.start),
    current_period_end: at(s.end),
    metadata: {},
    price: price as Stripe.Price,
    quantity: 1,
    subscription: id,
  } satisfies Partial<Stripe.SubscriptionItem>;
  const rest = {
    id,
    object: "subscription",
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    collection_method: "charge_automatically",
    created: at(s.start),
    currency: "usd",
    customer: s.customer ?? CUSTOMER,
    latest_invoice: "in_1Acme",
    livemode: false,
    metadata: { jasperAccountId: "101", plan: s.plan },
    schedule: null as string | null,
    start_date: at(s.start),
    status: s.status,
  } satisfies Partial<Omit<Stripe.Subscription, "items">>;
  const items = {
    object: "list" as const,
    data: [item],
    has_more: false,
    url: `/v1/subscription_items?subscription=${id}`,
  };
  return { ...rest, items };
}

/** A subscription's invoice, paid or failed, whose one line is the period [start, end). */
export function invoice(
  id: string,
  status: Stripe.Invoice.Status,
  start: string,
  end: string,
  over: { customer?: string; subscription?: string | null } = {},
) {
  const subscriptionId = over.subscription === undefined ? SUB : over.subscription;
  const line = {
    id: `il_${id}`,
    object: "line_item",
    amount: 4900,
    currency: "usd",
    description: "1 × Jasper Pro",
    period: { start: at(start), end: at(end) },
    subscription: subscriptionId,
  } satisfies Partial<Stripe.InvoiceLineItem>;
  return {
    id,
    object: "invoice",
    amount_due: 4900,
    amount_paid: status === "paid" ? 4900 : 0,
    billing_reason: "subscription_cycle",
    currency: "usd",
    customer: over.customer ?? CUSTOMER,
    lines: { object: "list", data: [line as Stripe.InvoiceLineItem], has_more: false, url: "" },
    parent: subscriptionId
      ? {
          type: "subscription_details",
          quote_details: null,
          subscription_details: { metadata: {}, subscription: subscriptionId },
        }
      : null,
    status,
  } satisfies Partial<Stripe.Invoice>;
}

let n = 0;
export const event = (type: string, object: object) => ({
  id: `evt_${++n}`,
  object: "event",
  api_version: "2026-10-28",
  created: 1_796_205_600 + n,
  type,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object },
});
