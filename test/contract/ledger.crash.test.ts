import { afterEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import type { Store } from "../../src/store/store.js";
import { newAccountId, purchase, reviewCharge, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * A store that dies once around one append: before it reaches the database ("before"), or
 * after the database took it but before the caller heard back ("after") — the two ways a
 * process crash or a lost connection can cut a write.
 */
function crashingOnce(inner: LedgerStore, when: "before" | "after", nth: number): LedgerStore {
  let appends = 0;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== "append") return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<LedgerStore["append"]>) => {
        appends++;
        if (appends === nth && when === "before") throw new Error("crash before append");
        const result = await target.append(...args);
        if (appends === nth && when === "after") throw new Error("crash after append");
        return result;
      };
    },
  });
}

describe.each(storeFactories())("ledger crashes on the $name store", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  const setup = async (when: "before" | "after", nth: number) => {
    const store: Store = await create();
    const clock = new TestClock();
    const id = newAccountId();
    const healthy = new Ledger({ store: store.ledger, freePerMonth: 0, now: clock.now });
    const crashing = new Ledger({
      store: crashingOnce(store.ledger, when, nth),
      freePerMonth: 0,
      now: clock.now,
    });
    return { store, clock, id, healthy, crashing };
  };

  it.each(["before", "after"] as const)(
    "a charge cut %s its write is charged once when retried with its key",
    async (when) => {
      const { store, id, healthy, crashing } = await setup(when, 1);
      await healthy.grant(id, purchase("p", 5));
      await expect(crashing.charge(id, reviewCharge("c1"))).rejects.toThrow(/crash/);
      const retried = await healthy.charge(id, reviewCharge("c1"));
      expect(retried.status).toBe(when === "after" ? "replayed" : "created");
      expect(await store.ledger.list(id, { types: ["usage"], limit: 10 })).toHaveLength(1);
      expect((await healthy.summary(id)).balance).toBe(4);
    },
  );

  it.each(["before", "after"] as const)(
    "a refund cut %s its write is refunded once when retried",
    async (when) => {
      const { store, id, healthy, crashing } = await setup(when, 1);
      await healthy.grant(id, purchase("p", 5));
      await healthy.charge(id, reviewCharge("c1"));
      await expect(crashing.refund(id, { chargeKey: "c1" })).rejects.toThrow(/crash/);
      await healthy.refund(id, { chargeKey: "c1" });
      expect(await store.ledger.list(id, { types: ["refund"], limit: 10 })).toHaveLength(1);
      expect((await healthy.summary(id)).balance).toBe(5);
    },
  );

  it("a month roll cut between its expiration and its grant completes on the next touch", async () => {
    const store: Store = await create();
    const clock = new TestClock();
    const id = newAccountId();
    const healthy = new Ledger({ store: store.ledger, freePerMonth: 3, now: clock.now });
    clock.set("2026-10-20T10:00:00Z");
    await healthy.grant(id, purchase("p", 5));
    clock.set("2026-11-02T10:00:00Z");
    // Append 1 is the expiration, append 2 the new month's grant: cut after the first lands.
    const crashing = new Ledger({
      store: crashingOnce(store.ledger, "before", 2),
      freePerMonth: 3,
      now: clock.now,
    });
    await expect(crashing.charge(id, reviewCharge("c1"))).rejects.toThrow(/crash/);
    const types = (await store.ledger.list(id, { limit: 10 })).map((e) => e.type);
    expect(types).toEqual(["expiration", "purchase", "free_tier"]);

    expect((await healthy.charge(id, reviewCharge("c1"))).status).toBe("created");
    const after = await store.ledger.list(id, { limit: 10 });
    expect(after.map((e) => e.type)).toEqual([
      "usage",
      "free_tier",
      "expiration",
      "purchase",
      "free_tier",
    ]);
    expect((await healthy.summary(id)).buckets).toEqual({
      free: 2,
      plan: 0,
      bonus: 0,
      purchased: 5,
    });
  });
});
