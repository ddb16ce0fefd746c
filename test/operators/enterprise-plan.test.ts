import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { rollPlanMonths } from "../../src/billing/plan-months.js";
import { DEFAULT_PAID_PLANS, planCatalog } from "../../src/billing/plans.js";
import { EXIT } from "../../src/cli/admin-commands.js";
import { adminCli } from "../support/admin-cli.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const TOKEN = "op_9f2c4e1a7b3d5f6e8a0c2e4b6d8f0a1c";

afterEach(closeHarnesses);

/**
 * Enterprise: an operator puts one account on a custom plan through the CLI and the operator
 * API, audited; its months are granted through the plan bucket, once per month however often
 * it is set, the next months by the month roll; billing status shows it.
 */
describe("an operator's enterprise plan", () => {
  let h: ApiHarness;
  let admin: ReturnType<typeof adminCli>["admin"];
  let out: string[];
  let err: string[];
  beforeEach(async () => {
    h = await createApiHarness({ env: { OPERATOR_TOKEN: TOKEN } });
    h.clock.set("2026-11-10T09:00:00Z");
    ({ admin, out, err } = adminCli(h));
  });
  const setByCli = (credits = "5000") =>
    admin(
      "enterprise-plan",
      "Acme-Corp",
      "--credits",
      credits,
      "--price-cents",
      "250000",
      "--days-until-due",
      "30",
      "--name",
      "Enterprise Acme",
      "--reason",
      "contract 2026-114",
    );
  const planCredits = async () => (await h.ledger.summary(h.orgA.id)).buckets.plan;
  const status = async () =>
    (
      await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing/status",
        headers: h.auth(h.keyA),
      })
    ).json();
  const put = (account: string, payload: Record<string, unknown>) =>
    h.server.inject({
      method: "PUT",
      url: `/api/operator/v1/accounts/${account}/enterprise-plan`,
      headers: { authorization: `Bearer ${TOKEN}`, "x-operator": "alice" },
      payload,
    });

  it("the CLI sets it, grants this month once however often it is set, audited; status shows it", async () => {
    expect(await setByCli()).toBe(EXIT.ok);
    expect(out.at(-1)).toBe(
      "enterprise plan set: Acme-Corp Enterprise Acme, 5000 credits a month to 2027-11-10, 250000 cents a month due in 30 days (this month: created)",
    );
    expect(await planCredits()).toBe(5000);
    // Set again (a retried command): this month's grant stands, nothing more.
    h.clock.set("2026-11-10T09:05:00Z");
    expect(await setByCli()).toBe(EXIT.ok);
    expect(await planCredits()).toBe(5000);
    expect(await status()).toMatchObject({
      plan: { id: "enterprise-101", name: "Enterprise Acme", creditsPerMonth: 5000 },
      status: "active",
      custom: { price: "2500.00", priceCents: 250000, daysUntilDue: 30 },
      currentPeriod: { start: "2026-11-10T09:00:00.000Z", end: "2027-11-10T09:00:00.000Z" },
    });
    const audit = await h.store.audit.list(h.orgA.id, { limit: 10 });
    expect(audit.map((e) => [e.action, e.actor, e.interface])).toEqual([
      ["enterprise_plan_set", { kind: "operator", name: "bob" }, "cli"],
      ["enterprise_plan_set", { kind: "operator", name: "bob" }, "cli"],
    ]);
    expect(audit[1]!.details).toMatchObject({
      creditsPerMonth: 5000,
      priceCents: 250000,
      daysUntilDue: 30,
      reason: "contract 2026-114",
      granted: "created",
    });
  });

  it("the month roll grants the next month on its terms, and what is left of the last expires", async () => {
    expect(await setByCli("400")).toBe(EXIT.ok);
    h.clock.set("2026-12-10T09:00:01Z");
    const deps = {
      ledger: h.ledger,
      subscriptions: h.store.subscriptions,
      plans: planCatalog(DEFAULT_PAID_PLANS, 3),
      now: h.clock.now,
    };
    expect(await rollPlanMonths(deps)).toBe(1);
    expect(await rollPlanMonths(deps)).toBe(0);
    expect(await planCredits()).toBe(400);
    const plan = await h.store.ledger.list(h.orgA.id, { types: ["plan"], limit: 10 });
    expect(plan.map((e) => e.amount)).toEqual([400, 400]);
  });

  it("the operator API sets it; bad input, an unknown account or a Stripe subscription change nothing", async () => {
    const terms = { creditsPerMonth: 1000, priceCents: 90000, daysUntilDue: 45, reason: "deal" };
    const bad = await put("Acme-Corp", { ...terms, creditsPerMonth: 0, daysUntilDue: 400 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/creditsPerMonth.*daysUntilDue|daysUntilDue/s);
    expect((await put("no-such-org", terms)).statusCode).toBe(404);
    await h.store.subscriptions.put({
      accountId: h.orgB.id,
      customerId: "cus_b",
      subscriptionId: "sub_b",
      plan: "pro",
      interval: "month",
      status: "active",
      currentPeriodStart: new Date("2026-11-01T00:00:00Z"),
      currentPeriodEnd: new Date("2026-12-01T00:00:00Z"),
      cancelAtPeriodEnd: false,
      updatedAt: new Date("2026-11-01T00:00:00Z"),
    });
    const held = await put("Globex", terms);
    expect([held.statusCode, held.json().error.code]).toEqual([409, "has_subscription"]);
    expect(await h.store.subscriptions.findByAccount(h.orgA.id)).toBeNull();
    expect(await h.store.audit.list(h.orgA.id, { limit: 10 })).toEqual([]);

    const ok = await put("Acme-Corp", terms);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: "set",
      account: "Acme-Corp",
      plan: "enterprise-101",
      terms: { name: "Enterprise", creditsPerMonth: 1000, priceCents: 90000, daysUntilDue: 45 },
      thisMonth: "created",
    });
    expect(await planCredits()).toBe(1000);
    const [entry] = await h.store.audit.list(h.orgA.id, { limit: 10 });
    expect([entry!.action, entry!.actor, entry!.interface]).toEqual([
      "enterprise_plan_set",
      { kind: "operator", name: "alice" },
      "operator_api",
    ]);
  });

  it("the CLI refuses bad flags with nothing written", async () => {
    expect(await admin("enterprise-plan", "Acme-Corp", "--credits", "ten")).toBe(EXIT.usage);
    expect(err.at(-1)).toMatch(/--credits: must be a whole number/);
    expect(await h.store.subscriptions.findByAccount(h.orgA.id)).toBeNull();
  });
});
