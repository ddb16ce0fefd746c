import { afterEach, describe, expect, it } from "@jest/globals";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { forecastRunway, runwayOf } from "../../src/usage/runway.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The billing summary's alert level and usage this month (net spend: charges less refunds):
 * the level each balance sits in, the month's spend when the running totals cannot answer it
 * (summed, refunds included), nothing spent for an account without entries, and a balance and
 * usage that describe the same newest entry.
 */
describe.each(storeFactories())("the billing summary on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  it("gives the alert level each balance sits in", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 12));
    const levels: [number, string][] = [];
    for (let i = 0; i <= 12; i++) {
      const s = await ledger.summary(id);
      levels.push([s.balance, s.alertLevel]);
      if (s.balance > 0) await ledger.charge(id, reviewCharge(`c${i}`, i + 1));
    }
    expect(levels).toEqual([
      [12, "none"],
      [11, "none"],
      [10, "warning"],
      [9, "warning"],
      [8, "warning"],
      [7, "warning"],
      [6, "warning"],
      [5, "warning"],
      [4, "warning"],
      [3, "critical"],
      [2, "critical"],
      [1, "critical"],
      [0, "depleted"],
    ]);
  });

  it("an account without entries has spent nothing", async () => {
    const store = await create();
    const id = newAccountId();
    const now = new Date("2026-11-10T12:00:00Z");
    expect(await runwayOf(store.ledger, id, 0, now)).toEqual(forecastRunway(0, 0, now));
    const { ledger } = makeLedger(store, undefined, 0);
    expect(await ledger.summary(id)).toMatchObject({ balance: 0, usageThisMonth: 0 });
  });

  it("sums the month, refunds included, when its totals count from different entries", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    // October: totals counted from the first entry.
    clock.set("2026-10-20T12:00:00Z");
    await ledger.grant(id, purchase("p", 10));
    for (const key of ["oct-1", "oct-2", "oct-3"]) await ledger.charge(id, reviewCharge(key));
    clock.set("2026-11-02T12:00:00Z");
    await ledger.charge(id, reviewCharge("nov-1", 1));
    const latest = (await store.ledger.latest(id))!;
    // November 3rd: a previous release's charge, without a total (a mixed-version deploy).
    const appended = await store.ledger.append(
      rawEntry(id, latest.seq + 1, {
        type: "usage",
        amount: -1,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
        bucketsAfter: { ...latest.bucketsAfter, purchased: latest.bucketsAfter.purchased - 1 },
        balanceAfter: latest.balanceAfter - 1,
        freePeriod: latest.freePeriod,
        lotsAfter: [],
        lotDeltas: [],
        createdAt: new Date("2026-11-03T12:00:00Z"),
      }),
    );
    expect(appended.ok).toBe(true);
    // November 4th: counting starts again, a charge and a refund of it.
    clock.set("2026-11-04T12:00:00Z");
    await ledger.charge(id, reviewCharge("nov-2", 2));
    await ledger.charge(id, reviewCharge("nov-3", 3));
    await ledger.refund(id, { chargeKey: "nov-3" });
    clock.set("2026-11-10T12:00:00Z");
    // Four November charges, one refunded.
    expect((await ledger.summary(id)).usageThisMonth).toBe(3);
  });

  it("a charge written while the summary reads is in neither its balance nor its usage", async () => {
    const store = await create();
    const { ledger: writer, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await writer.grant(id, purchase("p", 10));
    await writer.charge(id, reviewCharge("c1", 1));
    await writer.charge(id, reviewCharge("c2", 2));
    const before = await writer.summary(id);
    expect(before).toMatchObject({ balance: 8, usageThisMonth: 2 });

    // Another process charges between the summary's read of the newest entry and its read of
    // the month's start.
    let raced = false;
    const racing = new Proxy(store.ledger, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop !== "spentAt") return value.bind(target);
        return async (...args: Parameters<LedgerStore["spentAt"]>) => {
          if (!raced) {
            raced = true;
            await writer.charge(id, reviewCharge("c3", 3));
          }
          return target.spentAt(...args);
        };
      },
    });
    const reader = new Ledger({ store: racing, now: clock.now, freePerMonth: 0 });
    const summary = await reader.summary(id);
    expect(raced).toBe(true);
    expect(summary).toMatchObject({ balance: 8, usageThisMonth: 2 });
    expect(await writer.summary(id)).toMatchObject({ balance: 7, usageThisMonth: 3 });
  });
});
