import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { NewCheckoutRecord } from "../../src/billing/checkout-session-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const session = (overrides: Partial<NewCheckoutRecord> = {}): NewCheckoutRecord => ({
  sessionId: `cs_test_${randomUUID().replace(/-/g, "")}`,
  accountId: newAccountId(),
  packageId: "growth",
  credits: 500,
  priceCents: 12250,
  currency: "usd",
  createdAt: new Date("2026-11-16T10:00:00.123Z"),
  ...overrides,
});

describe.each(storeFactories())("checkout session store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);
  it("records a session and finds it again, field for field, never as a live object", async () => {
    const { checkoutSessions: store } = await create();
    const input = session();
    const recorded = await store.record(input);
    expect(recorded).toStrictEqual({
      status: "recorded",
      record: { ...input, paymentIntent: null },
    });

    const found = await store.find(input.sessionId);
    expect(found).toStrictEqual({ ...input, paymentIntent: null });
    found!.credits = 1_000_000;
    found!.createdAt.setUTCFullYear(2000);
    expect(await store.find(input.sessionId)).toStrictEqual({ ...input, paymentIntent: null });

    expect(await store.find("cs_test_unknown")).toBeNull();
    // A filter built from input stays a value.
    expect(await store.find('{"$ne":null}')).toBeNull();
  });

  it("records a session id once: recording it again returns the first record unchanged", async () => {
    const { checkoutSessions: store } = await create();
    const input = session();
    await store.record(input);
    const again = await store.record({ ...input, accountId: newAccountId(), credits: 2000 });
    expect(again).toStrictEqual({ status: "exists", record: { ...input, paymentIntent: null } });
    expect((await store.find(input.sessionId))?.credits).toBe(500);
  });

  it("lets exactly one of many concurrent records of the same session in", async () => {
    const { checkoutSessions: store } = await create();
    const input = session();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.record({ ...input, credits: 100 + i })),
    );
    expect(results.filter((r) => r.status === "recorded")).toHaveLength(1);
    const winner = results.find((r) => r.status === "recorded")!.record;
    for (const r of results) expect(r.record).toStrictEqual(winner);
  });

  it("links a session to its payment intent once, and finds the session by it", async () => {
    const { checkoutSessions: store } = await create();
    const input = session();
    // Many sessions wait for a payment at once: unpaid ones must not collide.
    const other = session();
    await store.record(input);
    await store.record(other);

    expect(await store.linkPaymentIntent("cs_test_unknown", "pi_1")).toStrictEqual({
      status: "not_found",
    });
    const linked = { ...input, paymentIntent: "pi_1" };
    expect(await store.linkPaymentIntent(input.sessionId, "pi_1")).toStrictEqual({
      status: "linked",
      record: linked,
    });
    // A redelivered event links the same again.
    expect(await store.linkPaymentIntent(input.sessionId, "pi_1")).toStrictEqual({
      status: "linked",
      record: linked,
    });
    // Never changed, and never shared.
    expect(await store.linkPaymentIntent(input.sessionId, "pi_2")).toStrictEqual({
      status: "conflict",
    });
    expect(await store.linkPaymentIntent(other.sessionId, "pi_1")).toStrictEqual({
      status: "conflict",
    });
    expect(await store.find(other.sessionId)).toStrictEqual({ ...other, paymentIntent: null });

    expect(await store.findByPaymentIntent("pi_1")).toStrictEqual(linked);
    expect(await store.findByPaymentIntent("pi_2")).toBeNull();
    expect(await store.findByPaymentIntent('{"$ne":null}')).toBeNull();
  });

  it("lets exactly one of many concurrent links of a session win", async () => {
    const { checkoutSessions: store } = await create();
    const input = session();
    await store.record(input);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.linkPaymentIntent(input.sessionId, `pi_${i}`)),
    );
    const won = results.filter((r) => r.status === "linked");
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === "conflict")).toHaveLength(9);
    const paymentIntent = (await store.find(input.sessionId))?.paymentIntent;
    expect(won[0]).toStrictEqual({ status: "linked", record: { ...input, paymentIntent } });
  });
});
