import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { AccountId } from "../../src/accounts/types.js";
import { rawEntry } from "../support/entries.js";
import {
  makeLedger,
  newAccountId,
  purchase,
  reviewCharge,
  TestClock,
  planGrant,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** A monthly Pro subscription whose months start on the 10th (the clock starts 2026-11-10 12:00). */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };
const DEC = { start: new Date("2026-12-10T00:00:00Z"), end: new Date("2027-01-10T00:00:00Z") };

const month = planGrant;
const upgrade = (m: { start: Date; end: Date }) =>
  month(m, { plan: "team", credits: 8, upgrade: true, description: "Team plan credits" });

describe.each(storeFactories())("the plan bucket on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  async function setup(freePerMonth = 1) {
    const store = await create();
    const clock = new TestClock();
    const { ledger } = makeLedger(store, clock, freePerMonth);
    const id: AccountId = newAccountId();
    const verified = async () => (await verifyLedger(store.ledger)).problems;
    return { store, clock, ledger, id, verified };
  }

  it("grants a month once per (subscription, month), expiring at the month's end", async () => {
    const { ledger, id, verified } = await setup();
    const first = await ledger.grantPlan(id, month(NOV));
    expect(first).toMatchObject({
      status: "created",
      entry: {
        type: "plan",
        amount: 5,
        deltas: { free: 0, plan: 5, bonus: 0, purchased: 0 },
        planExpiresAt: NOV.end,
        reference: { kind: "plan_month", subscription: "sub_1", plan: "pro" },
      },
    });
    const again = await ledger.grantPlan(id, month(NOV));
    expect(again).toMatchObject({
      status: "replayed",
      entry: { id: (first as { entry: { id: string } }).entry.id },
    });
    const together = await Promise.all(
      Array.from({ length: 8 }, () => ledger.grantPlan(id, month(NOV))),
    );
    expect(together.every((r) => r.status === "replayed")).toBe(true);
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 1,
      plan: 5,
      bonus: 0,
      purchased: 0,
    });
    expect(await verified()).toEqual([]);
  });

  it("grants a month only while it runs", async () => {
    const { ledger, id } = await setup();
    expect(await ledger.grantPlan(id, month(DEC))).toEqual({ status: "month_not_started" });
    const oct = { start: new Date("2026-10-10T00:00:00Z"), end: NOV.start };
    expect(await ledger.grantPlan(id, month(oct))).toEqual({ status: "month_ended" });
    expect((await ledger.summary(id)).buckets.plan).toBe(0);
  });

  it("spends free, then plan, then bonus, then purchased credits", async () => {
    const { ledger, id, verified } = await setup(1);
    await ledger.grant(id, purchase("buy", 1));
    await ledger.grant(id, { type: "bonus", amount: 1, description: "promo", idempotencyKey: "b" });
    await ledger.grantPlan(id, month(NOV, { credits: 2 }));
    const taken: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await ledger.charge(id, reviewCharge(`c${i}`, i));
      if (r.status !== "created") throw new Error(r.status);
      taken.push(Object.entries(r.entry.deltas).find(([, v]) => v < 0)![0]);
    }
    expect(taken).toEqual(["free", "plan", "plan", "bonus", "purchased"]);
    expect((await ledger.charge(id, reviewCharge("c6", 6))).status).toBe("insufficient");
    expect(await verified()).toEqual([]);
  });

  it("expires what is left of the plan at the month's end while bonus and purchased stay", async () => {
    const { ledger, id, clock, verified } = await setup(0);
    await ledger.grant(id, purchase("buy", 4));
    await ledger.grant(id, { type: "bonus", amount: 2, description: "promo", idempotencyKey: "b" });
    await ledger.grantPlan(id, month(NOV));
    await ledger.charge(id, reviewCharge("c1"));
    clock.set("2026-12-09T23:59:59Z");
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 4,
      bonus: 2,
      purchased: 4,
    });
    clock.set("2026-12-10T00:00:00Z");
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 0,
      bonus: 2,
      purchased: 4,
    });
    const expired = (await ledger.list(id, { types: ["expiration"] })).entries;
    expect(expired.map((e) => e.deltas.plan)).toEqual([-4]);
    // The next month's grant starts afresh: nothing rolled over.
    expect(await ledger.grantPlan(id, month(DEC))).toMatchObject({ entry: { amount: 5 } });
    expect((await ledger.summary(id)).buckets.plan).toBe(5);
    expect(await verified()).toEqual([]);
  });

  it("grants an upgrade's difference at once, once, in either order with the month's grant", async () => {
    const { ledger, id, verified } = await setup(0);
    await ledger.grantPlan(id, month(NOV));
    await ledger.charge(id, reviewCharge("c1"));
    expect(await ledger.grantPlan(id, upgrade(NOV))).toMatchObject({ entry: { amount: 3 } });
    expect(await ledger.grantPlan(id, upgrade(NOV))).toMatchObject({ status: "replayed" });
    expect((await ledger.summary(id)).buckets.plan).toBe(7);
    // Back to a plan granted already this month: nothing more.
    expect(await ledger.grantPlan(id, { ...month(NOV), upgrade: true })).toEqual({
      status: "covered",
    });

    const other = newAccountId();
    expect(await ledger.grantPlan(other, upgrade(NOV))).toMatchObject({ entry: { amount: 8 } });
    // The month's own grant arriving after the upgrade: already covered.
    expect(await ledger.grantPlan(other, month(NOV))).toEqual({ status: "covered" });
    expect((await ledger.summary(other)).buckets.plan).toBe(8);
    expect(await verified()).toEqual([]);
  });

  it("gives a refunded plan credit back to the plan, or as bonus once its month has ended", async () => {
    const { ledger, id, clock, verified } = await setup(0);
    await ledger.grantPlan(id, month(NOV, { credits: 2 }));
    await ledger.charge(id, reviewCharge("c1", 1));
    await ledger.charge(id, reviewCharge("c2", 2));
    expect(await ledger.refund(id, { chargeKey: "c1" })).toMatchObject({
      status: "created",
      entry: { deltas: { plan: 1, bonus: 0 } },
    });
    clock.set("2026-12-20T00:00:00Z");
    const late = await ledger.refund(id, { chargeKey: "c2" });
    expect(late).toMatchObject({ status: "created", entry: { deltas: { plan: 0, bonus: 1 } } });
    const lot = (late as { entry: { lotsAfter: { expiresAt: Date | null }[] } }).entry.lotsAfter;
    expect(lot).toEqual([expect.objectContaining({ expiresAt: null, remaining: 1 })]);
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 0,
      bonus: 1,
      purchased: 0,
    });
    expect(await verified()).toEqual([]);
  });

  it("replaces another month's credits still held by a new subscription's month", async () => {
    const { ledger, id, clock, verified } = await setup(0);
    await ledger.grantPlan(id, month(NOV));
    clock.set("2026-11-20T00:00:00Z");
    const next = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-12-20T00:00:00Z") };
    const r = await ledger.grantPlan(id, month(next, { subscription: "sub_2", credits: 3 }));
    expect(r).toMatchObject({ status: "created", entry: { amount: 3, planExpiresAt: next.end } });
    expect((await ledger.summary(id)).buckets.plan).toBe(3);
    expect(await verified()).toEqual([]);
  });

  it("reads entries written before the plan bucket as holding none, and charges after them", async () => {
    const { store, ledger, id, verified } = await setup(0);
    const legacy = rawEntry(id, 1, { createdAt: new Date("2026-11-09T00:00:00Z") });
    // As a previous release wrote it: no plan bucket, no plan expiry.
    const old: Record<string, unknown> = {
      ...legacy,
      deltas: { free: 0, bonus: 1, purchased: 0 },
      bucketsAfter: { free: 0, bonus: 1, purchased: 0 },
    };
    delete old.planExpiresAt;
    await store.ledger.append(old as unknown as typeof legacy);
    expect((await store.ledger.latest(id))?.bucketsAfter.plan).toBe(0);
    expect((await store.ledger.latest(id))?.planExpiresAt).toBeNull();
    await ledger.grantPlan(id, month(NOV, { credits: 1 }));
    const r = await ledger.charge(id, reviewCharge("c1"));
    expect(r).toMatchObject({ status: "created", entry: { deltas: { plan: -1, bonus: 0 } } });
    expect(await verified()).toEqual([]);
  });

  it("refuses a plan grant that is not one, and a caller's key in the plan's key space", async () => {
    const { ledger, id } = await setup();
    await expect(ledger.grantPlan(id, month(NOV, { monthEnd: NOV.start }))).rejects.toThrow(
      /monthEnd/,
    );
    await expect(ledger.grantPlan(id, month(NOV, { credits: -1 }))).rejects.toThrow(/credits/);
    await expect(ledger.grant(id, purchase("plan:sub_1:x", 1))).rejects.toThrow(/reserved/);
    await expect(
      ledger.adjust(id, {
        amount: 1,
        bucket: "plan" as "free",
        description: "x",
        idempotencyKey: "adj",
      }),
    ).rejects.toThrow(/bucket/);
  });
});

describe.each(storeFactories())(
  "ledger:verify on the plan bucket ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("names plan credits held without a month's end, past it, or spent out of order", async () => {
      const store = await create();
      const id = newAccountId();
      const base = rawEntry(id, 1);
      await store.ledger.append({
        ...base,
        type: "adjustment",
        amount: 2,
        deltas: { free: 0, plan: 2, bonus: 0, purchased: 0 },
        bucketsAfter: { free: 0, plan: 2, bonus: 0, purchased: 0 },
        balanceAfter: 2,
        lotsAfter: [],
        lotDeltas: [],
      });
      await store.ledger.append({
        ...rawEntry(id, 2),
        type: "purchase",
        amount: 1,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 1 },
        bucketsAfter: { free: 0, plan: 2, bonus: 0, purchased: 1 },
        balanceAfter: 3,
        lotsAfter: [],
        lotDeltas: [],
        planExpiresAt: new Date("2026-11-01T00:00:00Z"),
      });
      await store.ledger.append({
        ...rawEntry(id, 3),
        type: "usage",
        amount: -1,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: -1 },
        bucketsAfter: { free: 0, plan: 2, bonus: 0, purchased: 0 },
        balanceAfter: 2,
        lotsAfter: [],
        lotDeltas: [],
        planExpiresAt: new Date("2026-12-01T00:00:00Z"),
      });
      const problems = (await verifyLedger(store.ledger)).problems.map(
        (p) => `${p.seq}: ${p.problem}`,
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          "1: plan credits held without a month's end",
          "1: adjustment adds to the plan bucket",
          expect.stringMatching(/^2: plan credits held past their month's end/),
          "3: took from purchased while plan still held credits",
        ]),
      );
    });
  },
);
