import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { MAX_INVOICES_SCANNED } from "../../src/billing/enterprise-invoice-lookup.js";
import {
  createEnterpriseInvoices,
  type EnterpriseInvoiceAudit,
  type EnterpriseInvoiceResult,
} from "../../src/billing/enterprise-invoices.js";
import { enterpriseSubscriptionId, setEnterprisePlan } from "../../src/billing/enterprise-plan.js";
import { rollPlanMonths, type PlanMonthDeps } from "../../src/billing/plan-months.js";
import { parsePlans, planCatalog } from "../../src/billing/plans.js";
import { createStripeCustomers } from "../../src/billing/stripe-customers.js";
import { makeLedger, newAccountId, TestClock } from "../support/ledger-fixture.js";
import { fakeStripeInvoices } from "../support/stripe-invoice-fake.js";
import { testStripe } from "../support/stripe-test-kit.js";
import { storeFactories } from "../support/stores.js";

const CUSTOMER = "cus_Ent1";
const TERMS = {
  name: "Enterprise Acme",
  creditsPerMonth: 5000,
  priceCents: 250_000,
  daysUntilDue: 30,
};
/** The plan month the tests bill: the plan is set at this instant. */
const MONTH = "2026-12-10T09:00:00.000Z";

describe.each(storeFactories())("enterprise invoices on the $name store", ({ create, cleanup }) => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(async () => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
    await cleanup();
  });

  async function setup(options: { stripe?: boolean } = {}) {
    const store = await create();
    const clock = new TestClock(new Date(MONTH));
    const { ledger } = makeLedger(store, clock, 0);
    const planMonths: PlanMonthDeps = {
      ledger,
      subscriptions: store.subscriptions,
      plans: planCatalog(parsePlans(undefined), 0),
      now: clock.now,
    };
    const log = createAuditLog({ store: store.audit, now: clock.now });
    let auditDown = false;
    // The audit log, whose write can be made to fail once (after Stripe sent the invoice).
    const audit: EnterpriseInvoiceAudit = {
      record: async (input) => {
        if (auditDown) {
          auditDown = false;
          throw new Error("audit store unreachable");
        }
        return log.record(input);
      },
      list: (accountId, query) => log.list(accountId, query),
    };
    const account = newAccountId();
    await store.stripeCustomers.record({
      accountId: account,
      customerId: CUSTOMER,
      createdAt: clock.now(),
    });
    const stripe = options.stripe === false ? null : testStripe();
    const fake = fakeStripeInvoices(CUSTOMER, clock.now);
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
      const results: (EnterpriseInvoiceResult | string)[] = [];
      // The hook the worker wires: a failure reported, the roll going on.
      const hook = invoices.afterGrant((_s, err) => results.push(`threw: ${String(err)}`));
      await rollPlanMonths(planMonths, 100, async (s) => {
        const r = await hook(s);
        if (r) results.push(r);
      });
      return results;
    };
    const invoiceEntries = async () =>
      (await log.list(account, { actions: ["enterprise_invoice_created"] })).entries;
    const granted = (monthStart: string) =>
      ledger.planMonthGranted(account, enterpriseSubscriptionId(account), new Date(monthStart), [
        `enterprise-${account as number}`,
      ]);
    const state = async () => (await store.subscriptions.findByAccount(account))!;
    /** The metadata Jasper sets on the month's invoice and item. */
    const tags = (monthStart = MONTH) => ({
      jasperAccountId: String(account),
      jasperSubscription: enterpriseSubscriptionId(account),
      jasperMonthStart: monthStart,
    });
    const breakAudit = () => void (auditDown = true);
    return {
      clock,
      account,
      fake,
      roll,
      invoices,
      invoiceEntries,
      granted,
      state,
      tags,
      breakAudit,
    };
  }

  const keyOf = (account: unknown, step: string, month = MONTH) =>
    `jasper-enterprise-invoice:${String(account)}:${month}:${step}`;

  it("invoices a granted month once across two rolls, with payment terms, and the next month anew", async () => {
    const { clock, account, fake, roll, invoiceEntries, tags } = await setup();

    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_1" }]);
    // The second roll asks Stripe nothing: the record is read first.
    const asked = fake.requests.length;
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);
    expect(fake.requests).toHaveLength(asked);

    // The calls of before, each under its key, and the one lookup ahead of them.
    expect(fake.requests.map((r) => [r.step, r.path, r.key])).toStrictEqual([
      ["list", "/v1/invoices", undefined],
      ["invoice", "/v1/invoices", keyOf(account, "invoice")],
      ["item", "/v1/invoiceitems", keyOf(account, "item")],
      ["finalize", "/v1/invoices/in_1/finalize", keyOf(account, "finalize")],
      ["send", "/v1/invoices/in_1/send", keyOf(account, "send")],
    ]);
    // The customer's invoices since a day before the month started, a page of 100.
    const monthSeconds = Date.parse(MONTH) / 1000;
    expect(fake.requests[0]!.params).toStrictEqual({
      customer: CUSTOMER,
      "created[gte]": String(monthSeconds - 24 * 60 * 60),
      limit: "100",
    });
    const metadata = {
      "metadata[jasperAccountId]": tags().jasperAccountId,
      "metadata[jasperSubscription]": tags().jasperSubscription,
      "metadata[jasperMonthStart]": MONTH,
    };
    expect(fake.requests[1]!.params).toMatchObject({
      customer: CUSTOMER,
      currency: "usd",
      collection_method: "send_invoice",
      days_until_due: "30",
      pending_invoice_items_behavior: "exclude",
      ...metadata,
    });
    expect(fake.requests[2]!.params).toMatchObject({
      customer: CUSTOMER,
      invoice: "in_1",
      amount: "250000",
      currency: "usd",
      description: "Jasper Enterprise, December 2026",
      ...metadata,
    });
    expect(fake.invoices.map((i) => [i.id, i.status, i.amount_due])).toStrictEqual([
      ["in_1", "open", TERMS.priceCents],
    ]);
    expect(fake.sends.get("in_1")).toBe(1);
    const entries = await invoiceEntries();
    expect(entries.map((e) => [e.action, e.actor, e.details["invoice"]])).toStrictEqual([
      ["enterprise_invoice_created", { kind: "app" }, "in_1"],
    ]);
    expect(entries[0]!.details).not.toHaveProperty("foundStatus");

    // The next plan month: granted by the roll, invoiced under its own keys though December's
    // invoice is on the same customer.
    clock.set("2027-01-10T09:00:01Z");
    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_3" }]);
    const january = fake.requests.filter((r) => r.step === "invoice" || r.step === "item");
    expect(january.map((r) => r.key)).toStrictEqual([
      keyOf(account, "invoice"),
      keyOf(account, "item"),
      keyOf(account, "invoice", "2027-01-10T09:00:00.000Z"),
      keyOf(account, "item", "2027-01-10T09:00:00.000Z"),
    ]);
    expect(fake.items.map((i) => i.description)).toStrictEqual([
      "Jasper Enterprise, December 2026",
      "Jasper Enterprise, January 2027",
    ]);
    expect((await invoiceEntries()).length).toBe(2);
  });

  it("retries a roll that failed halfway within Stripe's key window: one invoice, finished", async () => {
    const { roll, fake, invoiceEntries } = await setup();
    fake.failNext("finalize");
    expect(await roll()).toStrictEqual(["threw: Error: Stripe is down"]);
    expect(await invoiceEntries()).toStrictEqual([]);

    expect(await roll()).toStrictEqual([{ status: "resumed", invoice: "in_1", found: "draft" }]);
    expect(fake.invoices.map((i) => [i.id, i.status])).toStrictEqual([["in_1", "open"]]);
    expect(fake.items).toHaveLength(1);
    expect(fake.requests.filter((r) => r.step === "invoice")).toHaveLength(1);
    expect(fake.sends.get("in_1")).toBe(1);
    expect(await invoiceEntries()).toHaveLength(1);
  });

  it("keeps the grant when Stripe is down and invoices the month once on the next roll", async () => {
    const { roll, fake, invoiceEntries, granted } = await setup();
    fake.failNext("invoice");
    expect(await roll()).toStrictEqual(["threw: Error: Stripe is down"]);
    expect(await granted(MONTH)).toBe(TERMS.creditsPerMonth);
    expect(fake.invoices).toStrictEqual([]);

    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_1" }]);
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);
    expect(await granted(MONTH)).toBe(TERMS.creditsPerMonth);
    expect(fake.invoices).toHaveLength(1);
    expect(await invoiceEntries()).toHaveLength(1);
  });

  describe.each([
    // Where the first roll stopped, and what the retry finds at Stripe.
    { after: "the create", failAt: "item", found: "draft", sends: 1 },
    { after: "the item", failAt: "finalize", found: "draft", sends: 1 },
    { after: "the finalize", failAt: "send", found: "open", sends: 1 },
    // Sent, but not recorded: sent again, since Stripe cannot say it was (an email, not a bill).
    { after: "the send", failAt: "audit", found: "open", sends: 2 },
  ] as const)("a roll that died after $after", ({ failAt, found, sends }) => {
    it("is finished days later, when Stripe has forgotten the keys, without a second invoice", async () => {
      const { clock, fake, roll, invoiceEntries, breakAudit } = await setup();
      if (failAt === "audit") breakAudit();
      else fake.failNext(failAt);
      expect(await roll()).toHaveLength(1);
      expect(await invoiceEntries()).toStrictEqual([]);
      expect(fake.invoices).toHaveLength(1);

      // Three days of outage: Stripe answers a repeated key with a new object now.
      clock.set("2026-12-13T09:00:00Z");
      fake.forgetKeys();
      expect(await roll()).toStrictEqual([{ status: "resumed", invoice: "in_1", found }]);

      expect(fake.invoices.map((i) => [i.id, i.status, i.amount_due])).toStrictEqual([
        ["in_1", "open", TERMS.priceCents],
      ]);
      expect(fake.items.map((i) => [i.invoice, i.amount])).toStrictEqual([
        ["in_1", TERMS.priceCents],
      ]);
      expect(fake.sends.get("in_1")).toBe(sends);
      const entries = await invoiceEntries();
      expect(entries.map((e) => [e.details["invoice"], e.details["foundStatus"]])).toStrictEqual([
        ["in_1", found],
      ]);
      // Recorded: the next roll asks Stripe nothing.
      const asked = fake.requests.length;
      expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);
      expect(fake.requests).toHaveLength(asked);
    });
  });

  it.each(["void", "uncollectible"] as const)(
    "does not replace the month's invoice an operator marked %s: records it and says so",
    async (closed) => {
      const { clock, fake, roll, invoiceEntries } = await setup();
      fake.failNext("finalize");
      expect(await roll()).toHaveLength(1);
      // The operator closes the draft's month in the Dashboard, days pass, the keys go.
      fake.setStatus("in_1", closed);
      clock.set("2026-12-12T09:00:00Z");
      fake.forgetKeys();
      const asked = fake.requests.length;

      expect(await roll()).toStrictEqual([
        { status: "not_replaced", invoice: "in_1", found: closed },
      ]);
      // Looked up, and nothing else asked of Stripe.
      expect(fake.requests.slice(asked).map((r) => r.step)).toStrictEqual(["list"]);
      expect(fake.invoices.map((i) => [i.id, i.status])).toStrictEqual([["in_1", closed]]);
      expect(fake.sends.size).toBe(0);
      const entries = await invoiceEntries();
      expect(entries.map((e) => [e.details["invoice"], e.details["foundStatus"]])).toStrictEqual([
        ["in_1", closed],
      ]);
      expect(await roll()).toStrictEqual([{ status: "skipped", because: "invoiced" }]);
    },
  );

  it("records a paid invoice of the month without sending it again", async () => {
    const { fake, roll, invoiceEntries, tags } = await setup();
    const paid = fake.seed({ status: "paid", metadata: tags() });
    expect(await roll()).toStrictEqual([{ status: "resumed", invoice: paid.id, found: "paid" }]);
    expect(fake.requests.map((r) => r.step)).toStrictEqual(["list"]);
    expect((await invoiceEntries()).map((e) => e.details["invoice"])).toStrictEqual([paid.id]);
  });

  it("does not take another month's, subscription's or account's invoice on the customer for this month's", async () => {
    const { fake, roll, invoiceEntries, tags } = await setup();
    const others = [
      fake.seed({ status: "open", metadata: tags("2026-11-10T09:00:00.000Z") }),
      fake.seed({ status: "draft", metadata: { ...tags(), jasperSubscription: "sub_Other" } }),
      fake.seed({ status: "void", metadata: { ...tags(), jasperAccountId: "999999" } }),
      // A top-up's or a hand-made invoice: no Jasper month on it.
      fake.seed({ status: "paid" }),
    ];
    expect(await roll()).toStrictEqual([{ status: "created", invoice: "in_5" }]);
    expect(fake.invoices.slice(0, 4)).toStrictEqual(others);
    expect(fake.items.map((i) => i.invoice)).toStrictEqual(["in_5"]);
    expect(fake.sends.get("in_5")).toBe(1);
    expect((await invoiceEntries()).map((e) => e.details["invoice"])).toStrictEqual(["in_5"]);
  });

  it("finds the month's invoice behind a page of newer ones, and continues the live one of two", async () => {
    const { clock, fake, roll, invoiceEntries, tags } = await setup();
    // Billed twice before the lookup existed: the first voided by an operator, the second live.
    fake.seed({ status: "void", metadata: tags() });
    const live = fake.seed({ status: "draft", metadata: tags() });
    clock.set("2026-12-11T09:00:00Z");
    for (let n = 0; n < 150; n++) fake.seed({ status: "paid" });

    expect(await roll()).toStrictEqual([{ status: "resumed", invoice: live.id, found: "draft" }]);
    expect(fake.requests.filter((r) => r.step === "list")).toHaveLength(2);
    expect(fake.requests.filter((r) => r.step === "invoice")).toHaveLength(0);
    expect(fake.items.map((i) => i.invoice)).toStrictEqual([live.id]);
    expect((await invoiceEntries()).map((e) => e.details["invoice"])).toStrictEqual([live.id]);
  });

  it("makes no invoice when the customer has more invoices since the month began than it reads", async () => {
    const { fake, roll, invoiceEntries } = await setup();
    for (let n = 0; n <= MAX_INVOICES_SCANNED; n++) fake.seed({ status: "paid" });
    const [result] = await roll();
    expect(result).toMatch(/^threw: Error: more than 1000 invoices of cus_Ent1/);
    expect(fake.requests.filter((r) => r.step !== "list")).toStrictEqual([]);
    expect(await invoiceEntries()).toStrictEqual([]);
  });

  it("reports a failure through the roll's hook, which goes on, and passes other plans by", async () => {
    const { invoices, fake, granted, state } = await setup();
    fake.failNext("list");
    const failed: string[] = [];
    const hook = invoices.afterGrant((s, err) =>
      failed.push(`${s.subscriptionId}: ${(err as Error).message}`),
    );
    const enterprise = await state();
    expect(await hook(enterprise)).toBeNull();
    expect(failed).toStrictEqual([`${enterprise.subscriptionId}: Stripe is down`]);
    expect(await hook({ ...enterprise, custom: undefined })).toBeNull();
    expect(failed).toHaveLength(1);
    expect(await granted(MONTH)).toBe(TERMS.creditsPerMonth);
  });

  it("sends nothing when Stripe is not configured", async () => {
    const { roll, fake, invoiceEntries, granted } = await setup({ stripe: false });
    expect(await roll()).toStrictEqual([{ status: "skipped", because: "no_stripe" }]);
    expect(fake.requests).toStrictEqual([]);
    expect(await granted(MONTH)).toBe(TERMS.creditsPerMonth);
    expect(await invoiceEntries()).toStrictEqual([]);
  });
});
