import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type Stripe from "stripe";
import { createAuditLog } from "../../src/audit/audit-log.js";
import {
  createEnterpriseInvoices,
  type EnterpriseInvoiceResult,
} from "../../src/billing/enterprise-invoices.js";
import { enterpriseSubscriptionId, setEnterprisePlan } from "../../src/billing/enterprise-plan.js";
import { rollPlanMonths, type PlanMonthDeps } from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { STRIPE_API, testStripe } from "../support/stripe-test-kit.js";
import { storeFactories } from "../support/stores.js";

const CUSTOMER = "cus_Ent1";
const TERMS = {
  name: "Enterprise Acme",
  creditsPerMonth: 5000,
  priceCents: 250_000,
  daysUntilDue: 30,
};

/** An invoice as Stripe answers its creation, finalization and send (stripe-node's type). */
const invoiceObject = (id: string, status: Stripe.Invoice.Status) =>
  ({
    id,
    object: "invoice",
    customer: CUSTOMER,
    collection_method: "send_invoice",
    currency: "usd",
    status,
    amount_due: status === "draft" ? 0 : TERMS.priceCents,
  }) satisfies Partial<Stripe.Invoice>;

const itemObject = (invoice: string) =>
  ({
    id: `ii_${invoice}`,
    object: "invoiceitem",
    amount: TERMS.priceCents,
    currency: "usd",
    customer: CUSTOMER,
  }) satisfies Partial<Stripe.InvoiceItem>;

type Sent = { path: string; key: string; body: Record<string, string> };

/**
 * Serves one month's four calls in order; `failAt` answers that step 500 (Stripe down) and
 * serves nothing after it. Each request's idempotency key and body are kept in `sent`.
 */
function serveInvoice(id: string, sent: Sent[], failAt?: "invoice" | "item" | "finalize") {
  const steps = [
    ["invoice", "/v1/invoices", invoiceObject(id, "draft")],
    ["item", "/v1/invoiceitems", itemObject(id)],
    ["finalize", `/v1/invoices/${id}/finalize`, invoiceObject(id, "open")],
    ["send", `/v1/invoices/${id}/send`, invoiceObject(id, "open")],
  ] as const;
  const scope = nock(STRIPE_API);
  for (const [name, path, answer] of steps) {
    const down = name === failAt;
    scope.post(path).reply(function (_uri, body) {
      const key = this.req.headers["idempotency-key"];
      // The form body as Stripe reads it ("metadata[x]" keys stay flat).
      const form = Object.fromEntries(new URLSearchParams(String(body)));
      sent.push({ path, key: String(key), body: form });
      return down
        ? [500, { error: { type: "api_error", message: "Stripe is down" } }]
        : [200, answer];
    });
    if (down) return;
  }
}

describe.each(storeFactories())("enterprise invoices on the $name store", ({ create, cleanup }) => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(async () => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
    await cleanup();
  });

  async function setup(stripe: Stripe | null) {
    const store = await create();
    const clock = new TestClock(new Date("2026-12-10T09:00:00Z"));
    const { ledger } = makeLedger(store, clock, 0);
    const planMonths: PlanMonthDeps = {
      ledger,
      subscriptions: store.subscriptions,
      plans: planCatalog(parsePlans(undefined), 0),
      now: clock.now,
    };
    const audit = createAuditLog({ store: store.audit, now: clock.now });
    const account = newAccountId();
    await store.stripeCustomers.record({
      accountId: account,
      customerId: CUSTOMER,
      createdAt: clock.now(),
    });
    const invoices = createEnterpriseInvoices({
      stripe,
      customers: createStripeCustomers({ stripe, store: store.stripeCustomers }),
      audit,
      billingCurrency: async () => null,
      planMonths,
    });
    const set = await setEnterprisePlan(planMonths, account, TERMS);
    expect(set.status).toBe("set");
    /** One roll of the sweep: what the invoicer answered (or threw) for each enterprise plan. */
    const roll = async () => {
      const results: (EnterpriseInvoiceResult | "threw")[] = [];
      // The hook the worker wires: a failure reported, the roll going on.
      const hook = invoices.afterGrant(() => results.push("threw"));
      await rollPlanMonths(planMonths, 100, async (s) => {
        const r = await hook(s);
        if (r) results.push(r);
      });
      return results;
    };
    const invoiceEntries = async () =>
      (await audit.list(account, { actions: ["enterprise_invoice_created"] })).entries;
    const granted = (monthStart: string) =>
      ledger.planMonthGranted(account, enterpriseSubscriptionId(account), new Date(monthStart), [
        `enterprise-${account as number}`,
      ]);
    const state = async () => (await store.subscriptions.findByAccount(account))!;
    return { clock, account, roll, invoices, invoiceEntries, granted, state };
  }

  it("invoices a granted month once across two rolls, with payment terms, and the next month anew", async () => {
    const { clock, account, roll, invoiceEntries } = await setup(testStripe());
    const sent: Sent[] = [];
    serveInvoice("in_Dec", sent);

    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_Dec" }]);
    // The second roll asks Stripe nothing (net connect is off: a call would throw).
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);

    const month = "2026-12-10T09:00:00.000Z";
    expect(sent.map((s) => [s.path, s.key])).toStrictEqual([
      ["/v1/invoices", `jasper-enterprise-invoice:${account}:${month}:invoice`],
      ["/v1/invoiceitems", `jasper-enterprise-invoice:${account}:${month}:item`],
      ["/v1/invoices/in_Dec/finalize", `jasper-enterprise-invoice:${account}:${month}:finalize`],
      ["/v1/invoices/in_Dec/send", `jasper-enterprise-invoice:${account}:${month}:send`],
    ]);
    expect(sent[0]!.body).toMatchObject({
      customer: CUSTOMER,
      currency: "usd",
      collection_method: "send_invoice",
      days_until_due: "30",
      pending_invoice_items_behavior: "exclude",
    });
    expect(sent[1]!.body).toMatchObject({
      customer: CUSTOMER,
      invoice: "in_Dec",
      amount: "250000",
      currency: "usd",
      description: "Jasper Enterprise, December 2026",
    });
    const entries = await invoiceEntries();
    expect(entries.map((e) => [e.action, e.actor, e.details["invoice"]])).toStrictEqual([
      ["enterprise_invoice_created", { kind: "app" }, "in_Dec"],
    ]);

    // The next plan month: granted by the roll, invoiced under its own keys.
    clock.set("2027-01-10T09:00:01Z");
    const next: Sent[] = [];
    serveInvoice("in_Jan", next);
    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_Jan" }]);
    expect(next[1]!.body["description"]).toBe("Jasper Enterprise, January 2027");
    expect(next[0]!.key).toBe(
      `jasper-enterprise-invoice:${account}:2027-01-10T09:00:00.000Z:invoice`,
    );
    expect((await invoiceEntries()).length).toBe(2);
  });

  it("retries a roll that failed halfway with the same keys, so Stripe makes one invoice", async () => {
    const { roll, invoiceEntries } = await setup(testStripe());
    const sent: Sent[] = [];
    serveInvoice("in_Dec", sent, "finalize");
    expect(await roll()).toStrictEqual(["threw"]);
    expect(await invoiceEntries()).toStrictEqual([]);

    // Stripe answers a repeated key with the object it made the first time.
    serveInvoice("in_Dec", sent);
    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_Dec" }]);
    const keysOf = (path: string) => sent.filter((s) => s.path === path).map((s) => s.key);
    expect(new Set(keysOf("/v1/invoices")).size).toBe(1);
    expect(new Set(keysOf("/v1/invoiceitems")).size).toBe(1);
    expect(keysOf("/v1/invoices")).toHaveLength(2);
    expect(await invoiceEntries()).toHaveLength(1);
  });

  it("keeps the grant when Stripe is down and invoices the month once on the next roll", async () => {
    const { roll, invoiceEntries, granted } = await setup(testStripe());
    const sent: Sent[] = [];
    serveInvoice("in_Dec", sent, "invoice");
    expect(await roll()).toStrictEqual(["threw"]);
    expect(await granted("2026-12-10T09:00:00Z")).toBe(TERMS.creditsPerMonth);

    serveInvoice("in_Dec", sent);
    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_Dec" }]);
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);
    expect(await granted("2026-12-10T09:00:00Z")).toBe(TERMS.creditsPerMonth);
    expect(await invoiceEntries()).toHaveLength(1);
  });

  it("reports a failure through the roll's hook, which goes on, and passes other plans by", async () => {
    const { invoices, granted, state } = await setup(testStripe());
    serveInvoice("in_Dec", [], "invoice");
    const failed: string[] = [];
    const hook = invoices.afterGrant((s, err) =>
      failed.push(`${s.subscriptionId}: ${(err as Error).message}`),
    );
    const enterprise = await state();
    expect(await hook(enterprise)).toBeNull();
    expect(failed).toStrictEqual([`${enterprise.subscriptionId}: Stripe is down`]);
    expect(await hook({ ...enterprise, custom: undefined })).toBeNull();
    expect(failed).toHaveLength(1);
    expect(await granted("2026-12-10T09:00:00Z")).toBe(TERMS.creditsPerMonth);
  });

  it("sends nothing when Stripe is not configured", async () => {
    const { roll, invoiceEntries, granted } = await setup(null);
    // Net connect is off and nothing is served: any request would fail the roll's result.
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "no_stripe" }]);
    expect(await granted("2026-12-10T09:00:00Z")).toBe(TERMS.creditsPerMonth);
    expect(await invoiceEntries()).toStrictEqual([]);
  });
});
