import { afterEach, describe, expect, it } from "@jest/globals";
import type { SubscriptionState } from "../../src/billing/subscription-store.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

let n = 0;
const state = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  accountId: newAccountId(),
  customerId: "cus_1",
  subscriptionId: `sub_${++n}_${Date.now()}`,
  plan: "pro",
  interval: "month",
  status: "active",
  currentPeriodStart: new Date("2026-11-10T00:00:00Z"),
  currentPeriodEnd: new Date("2026-12-10T00:00:00Z"),
  cancelAtPeriodEnd: false,
  updatedAt: new Date("2026-11-10T00:00:01Z"),
  ...over,
});

describe.each(storeFactories())("subscription store contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("records a subscription, replaces its state whole, and answers the one before", async () => {
    const { subscriptions: store } = await create();
    const first = state();
    expect(await store.put(first)).toStrictEqual({ status: "saved", state: first, previous: null });
    const next = { ...first, plan: "team", status: "past_due" as const, cancelAtPeriodEnd: true };
    expect(await store.put(next)).toStrictEqual({ status: "saved", state: next, previous: first });
    expect(await store.find(first.subscriptionId)).toStrictEqual(next);
    expect(await store.find("sub_unknown")).toBeNull();
    const found = await store.find(first.subscriptionId);
    found!.currentPeriodEnd.setTime(0);
    expect((await store.find(first.subscriptionId))!.currentPeriodEnd).toEqual(
      next.currentPeriodEnd,
    );
  });

  it("keeps an enterprise plan's terms with its state, as given and not shared", async () => {
    const { subscriptions: store } = await create();
    const custom = {
      name: "Enterprise",
      creditsPerMonth: 5000,
      priceCents: 250000,
      daysUntilDue: 30,
    };
    const s = state({ subscriptionId: `enterprise_${++n}`, plan: "enterprise-1", custom });
    await store.put(s);
    const found = await store.find(s.subscriptionId);
    expect(found).toStrictEqual(s);
    found!.custom!.creditsPerMonth = 1;
    expect((await store.findByAccount(s.accountId))!.custom).toStrictEqual(custom);
    // The enterprise plan ends (the operator moves the account to a catalog plan): a state
    // without terms drops the stored ones.
    const next: SubscriptionState = {
      ...s,
      plan: "pro",
      updatedAt: new Date(s.updatedAt.getTime() + 1_000),
    };
    delete next.custom;
    await store.put(next);
    expect(await store.find(s.subscriptionId)).toStrictEqual(next);
  });

  it("keeps a scheduled change with its state until a state without it replaces it", async () => {
    const { subscriptions: store } = await create();
    const scheduledChange = {
      plan: "starter",
      interval: "month" as const,
      effectiveAt: new Date("2026-12-10T00:00:00Z"),
    };
    const s = state({ scheduledChange });
    await store.put(s);
    const found = await store.find(s.subscriptionId);
    expect(found).toStrictEqual(s);
    found!.scheduledChange!.effectiveAt.setTime(0);
    expect((await store.findByAccount(s.accountId))!.scheduledChange).toStrictEqual(
      scheduledChange,
    );
    const next: SubscriptionState = { ...s, updatedAt: new Date("2026-11-10T00:00:02Z") };
    delete next.scheduledChange;
    await store.put(next);
    expect(await store.find(s.subscriptionId)).toStrictEqual(next);
  });

  it("keeps a subscription id to its account: another account's put changes nothing", async () => {
    const { subscriptions: store } = await create();
    const mine = state();
    await store.put(mine);
    const theirs = { ...mine, accountId: newAccountId(), plan: "team" };
    expect(await store.put(theirs)).toEqual({ status: "conflict" });
    expect(await store.find(mine.subscriptionId)).toStrictEqual(mine);
    expect(await store.findByAccount(theirs.accountId)).toBeNull();
  });

  it("finds an account's newest subscription and pages them by status", async () => {
    const { subscriptions: store } = await create();
    const account = newAccountId();
    const old = state({ accountId: account, subscriptionId: "sub_a", status: "canceled" });
    const now = state({
      accountId: account,
      subscriptionId: "sub_b",
      updatedAt: new Date("2026-11-20T00:00:00Z"),
    });
    const other = state({ subscriptionId: "sub_c", status: "trialing" });
    for (const s of [now, old, other]) await store.put(s);
    expect(await store.findByAccount(account)).toStrictEqual(now);
    const page1 = await store.listByStatus(["active", "trialing"], null, 1);
    expect(page1.map((s) => s.subscriptionId)).toEqual(["sub_b"]);
    const page2 = await store.listByStatus(["active", "trialing"], "sub_b", 1);
    expect(page2.map((s) => s.subscriptionId)).toEqual(["sub_c"]);
    expect(await store.listByStatus(["active", "trialing"], "sub_c", 1)).toEqual([]);
  });

  it("keeps the newer state: a state delivered late changes nothing and answers the stored one", async () => {
    const { subscriptions: store } = await create();
    const newer = state({ plan: "team", updatedAt: new Date("2026-11-10T00:00:09Z") });
    await store.put(newer);
    const late = { ...newer, plan: "pro", updatedAt: new Date("2026-11-10T00:00:02Z") };
    expect(await store.put(late)).toStrictEqual({ status: "stale", current: newer });
    expect(await store.find(newer.subscriptionId)).toStrictEqual(newer);
    // The same instant replaces (the later arrival wins); another account's id still conflicts.
    const same = { ...newer, status: "past_due" as const };
    expect(await store.put(same)).toStrictEqual({ status: "saved", state: same, previous: newer });
    expect(await store.put({ ...late, accountId: newAccountId() })).toEqual({ status: "conflict" });
  });

  it("of two puts at once, the newer state stays whichever lands last", async () => {
    const { subscriptions: store } = await create();
    const first = state();
    await store.put(first);
    const states = [5, 3, 9, 1, 7].map((s) => ({
      ...first,
      plan: `p${s}`,
      updatedAt: new Date(first.updatedAt.getTime() + s * 1000),
    }));
    await Promise.all(states.map((s) => store.put(s)));
    expect((await store.find(first.subscriptionId))?.plan).toBe("p9");
  });
});
