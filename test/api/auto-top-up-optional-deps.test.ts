import { describe, expect, it } from "@jest/globals";
import { createAutoTopUpSettings } from "../../src/administration/auto-top-up-settings.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { ACME, ADMIN } from "../support/auto-top-up-admin.js";
import { saveCard } from "../support/top-up-fixtures.js";

/**
 * The use case with only what it needs: no billing currency (the limit is in dollars), no
 * in-flight check, no attempts (none shown) and no clock (the real one, as in production,
 * where the wiring passes no `now`).
 */
describe("auto top-up's settings with only the dependencies it must have", () => {
  const minimal = () => {
    const store = createMemoryStore();
    const settings = createAutoTopUpSettings({
      store: store.autoTopUp,
      customers: store.stripeCustomers,
      packages: DEFAULT_PACKAGES,
      audit: createAuditLog({ store: store.audit }),
    });
    return { store, settings };
  };
  const on = {
    enabled: true,
    packageId: "growth",
    thresholdCredits: 20,
    monthlyMaxCount: 2,
    monthlyMaxCents: 12_250,
  };

  it("shows the defaults with no top-ups and no last attempt", async () => {
    const { settings } = minimal();
    expect(await settings.view(ACME)).toEqual({
      enabled: false,
      packageId: "starter",
      thresholdCredits: 10,
      monthlyMaxCount: 3,
      monthlyMaxCents: 9_000,
      switchedOffBecause: null,
      paymentMethod: null,
      thisMonth: { count: 0, cents: 0 },
      lastAttempt: null,
    });
  });

  it("switches on with a limit of the dollar price, on the real clock", async () => {
    const { store, settings } = minimal();
    await saveCard(store, ACME, "cus_TAcme4242", new Date("2026-12-01T00:00:00Z"));

    const under = await settings.change(ACME, ADMIN, { ...on, monthlyMaxCents: 12_249 });
    expect(under).toEqual({ status: "limit_too_low" });

    const before = Date.now();
    const result = await settings.change(ACME, ADMIN, on);
    const after = Date.now();
    expect(result).toMatchObject({ status: "changed", view: { ...on, lastAttempt: null } });
    const stored = await store.autoTopUp.find(ACME);
    expect(stored).toMatchObject(on);
    const savedAt = stored?.updatedAt.getTime() ?? NaN;
    expect(savedAt >= before && savedAt <= after).toBe(true);
  });
});
