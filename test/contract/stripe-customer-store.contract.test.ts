import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import type {
  NewStripeCustomer,
  SavedPaymentMethod,
} from "../../src/billing/stripe-customer-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const customer = (overrides: Partial<NewStripeCustomer> = {}): NewStripeCustomer => ({
  accountId: newAccountId(),
  customerId: `cus_${randomUUID().replace(/-/g, "").slice(0, 14)}`,
  createdAt: new Date("2026-12-01T09:00:00.250Z"),
  ...overrides,
});

const card = (id: string, savedAt: string, last4 = "4242"): SavedPaymentMethod => ({
  id,
  brand: "visa",
  last4,
  savedAt: new Date(savedAt),
});

describe.each(storeFactories())("Stripe customer store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("records an account's customer and finds it by account and by customer, never live", async () => {
    const { stripeCustomers: store } = await create();
    const input = customer();
    const expected = { ...input, paymentMethod: null };
    expect(await store.record(input)).toStrictEqual({ status: "recorded", record: expected });

    const found = await store.find(input.accountId);
    expect(found).toStrictEqual(expected);
    found!.customerId = "cus_changed";
    found!.createdAt.setUTCFullYear(2000);
    expect(await store.find(input.accountId)).toStrictEqual(expected);
    expect(await store.findByCustomerAcrossAccounts(input.customerId)).toStrictEqual(expected);

    expect(await store.find(newAccountId())).toBeNull();
    expect(await store.findByCustomerAcrossAccounts("cus_unknown")).toBeNull();
    // A filter built from input stays a value.
    expect(await store.findByCustomerAcrossAccounts('{"$ne":null}')).toBeNull();
  });

  it("keeps the first customer of an account: recording another returns the first unchanged", async () => {
    const { stripeCustomers: store } = await create();
    const input = customer();
    await store.record(input);
    const again = await store.record({ ...input, customerId: "cus_second" });
    expect(again).toStrictEqual({ status: "exists", record: { ...input, paymentMethod: null } });
    expect(await store.findByCustomerAcrossAccounts("cus_second")).toBeNull();
  });

  it("never gives one customer to two accounts", async () => {
    const { stripeCustomers: store } = await create();
    const input = customer();
    await store.record(input);
    const other = newAccountId();
    expect(await store.record({ ...input, accountId: other })).toStrictEqual({
      status: "conflict",
    });
    expect(await store.find(other)).toBeNull();
  });

  it("lets exactly one of many concurrent records for an account in", async () => {
    const { stripeCustomers: store } = await create();
    const accountId = newAccountId();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.record(customer({ accountId, customerId: `cus_c${i}` })),
      ),
    );
    expect(results.filter((r) => r.status === "recorded")).toHaveLength(1);
    const winner = results.find((r) => r.status === "recorded");
    for (const r of results) {
      expect(r.status === "conflict" ? null : r.record).toStrictEqual(
        winner?.status === "recorded" ? winner.record : undefined,
      );
    }
    expect(await store.find(accountId)).toStrictEqual(
      winner?.status === "recorded" ? winner.record : undefined,
    );
  });

  it("saves a card only on the account's own customer, and a later card wins whatever the order", async () => {
    const { stripeCustomers: store } = await create();
    const input = customer();
    await store.record(input);

    expect(
      await store.savePaymentMethod(
        input.accountId,
        "cus_not_theirs",
        card("pm_1", "2026-12-01T10:00:00Z"),
      ),
    ).toStrictEqual({ status: "not_found" });
    expect(
      await store.savePaymentMethod(
        newAccountId(),
        input.customerId,
        card("pm_1", "2026-12-01T10:00:00Z"),
      ),
    ).toStrictEqual({ status: "not_found" });
    expect((await store.find(input.accountId))?.paymentMethod).toBeNull();

    const first = card("pm_1", "2026-12-01T10:00:00Z");
    expect(await store.savePaymentMethod(input.accountId, input.customerId, first)).toStrictEqual({
      status: "saved",
      record: { ...input, paymentMethod: first },
    });
    const later = card("pm_2", "2026-12-02T10:00:00Z", "0005");
    expect((await store.savePaymentMethod(input.accountId, input.customerId, later)).status).toBe(
      "saved",
    );
    // The first setup's event delivered again, late: the later card stays.
    expect(await store.savePaymentMethod(input.accountId, input.customerId, first)).toStrictEqual({
      status: "outdated",
      record: { ...input, paymentMethod: later },
    });
    // The same setup delivered twice saves the same card again.
    expect((await store.savePaymentMethod(input.accountId, input.customerId, later)).status).toBe(
      "saved",
    );
    expect((await store.find(input.accountId))?.paymentMethod).toStrictEqual(later);
  });

  it("removes the saved card only when it is the one named", async () => {
    const { stripeCustomers: store } = await create();
    const input = customer();
    await store.record(input);
    expect(await store.removePaymentMethod(input.accountId, "pm_1")).toBe(false);
    const saved = card("pm_2", "2026-12-02T10:00:00Z");
    await store.savePaymentMethod(input.accountId, input.customerId, saved);

    // A card replaced since is not removed by a request about the old one.
    expect(await store.removePaymentMethod(input.accountId, "pm_1")).toBe(false);
    expect(await store.removePaymentMethod(newAccountId(), "pm_2")).toBe(false);
    expect((await store.find(input.accountId))?.paymentMethod).toStrictEqual(saved);

    expect(await store.removePaymentMethod(input.accountId, "pm_2")).toBe(true);
    expect(await store.removePaymentMethod(input.accountId, "pm_2")).toBe(false);
    expect(await store.find(input.accountId)).toStrictEqual({ ...input, paymentMethod: null });
  });
});
