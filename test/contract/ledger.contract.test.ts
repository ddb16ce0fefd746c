import { afterEach, describe, expect, it } from "@jest/globals";
import { InvalidInputError, IdempotencyConflictError } from "../../src/shared/errors.js";
import type { AdjustInput, ChargeInput, GrantInput, RefundInput } from "../../src/ledger/inputs.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import type { Store } from "../../src/store/store.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())("ledger on the $name store", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  const fresh = async (): Promise<Store> => create();

  it("spends exactly a balance of 10 across 1,000 concurrent charges", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("buy-10", 10));

    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => ledger.charge(id, reviewCharge(`review-${i}`, i + 1))),
    );

    expect(results.filter((r) => r.status === "created")).toHaveLength(10);
    expect(results.filter((r) => r.status === "insufficient")).toHaveLength(990);
    expect((await ledger.summary(id)).balance).toBe(0);
    const usage = await store.ledger.list(id, { types: ["usage"], limit: 2000 });
    expect(usage).toHaveLength(10);
    expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
  });

  it("writes one entry for one key sent 5 times concurrently", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.ensureFreeTier(id);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => ledger.charge(id, reviewCharge("same-key"))),
    );

    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual(["created", "replayed", "replayed", "replayed", "replayed"]);
    const ids = new Set(results.map((r) => ("entry" in r ? r.entry.id : "")));
    expect(ids.size).toBe(1);
    expect(await store.ledger.list(id, { types: ["usage"], limit: 10 })).toHaveLength(1);
    expect((await ledger.summary(id)).balance).toBe(2);
  });

  it("grants once per key, even when the key comes back later", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const first = await ledger.grant(id, purchase("cs_1", 100));
    const again = await ledger.grant(id, purchase("cs_1", 100));
    expect(first.status).toBe("created");
    expect(again).toMatchObject({ status: "replayed", entry: { id: first.entry.id } });
    expect((await ledger.summary(id)).balance).toBe(100);
  });

  it("refuses a key reused for another kind of entry, writing nothing", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("shared-key", 5));
    await expect(ledger.charge(id, reviewCharge("shared-key"))).rejects.toThrow(
      IdempotencyConflictError,
    );
    expect((await ledger.summary(id)).balance).toBe(8);
  });

  it("refunds a charge once, however often and concurrently it is asked, to its bucket", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 1);
    const id = newAccountId();
    await ledger.grant(id, { ...purchase("bonus-1", 5), type: "bonus" });
    await ledger.charge(id, reviewCharge("c1", 1)); // free
    const bonusCharge = await ledger.charge(id, reviewCharge("c2", 2)); // bonus
    expect(bonusCharge).toMatchObject({
      entry: { deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 } },
    });

    const refunds = await Promise.all([
      ledger.refund(id, { chargeKey: "c2" }),
      ledger.refund(id, { chargeKey: "c2" }),
      ledger.refund(id, { chargeKey: "c2", description: "worker retry" }),
    ]);
    const later = await ledger.refund(id, { chargeKey: "c2" });

    expect(refunds.filter((r) => r.status === "created")).toHaveLength(1);
    expect(later.status).toBe("replayed");
    expect(await store.ledger.list(id, { types: ["refund"], limit: 10 })).toHaveLength(1);
    const summary = await ledger.summary(id);
    expect(summary.buckets).toEqual({ free: 0, plan: 0, bonus: 5, purchased: 0 });
    expect(later).toMatchObject({
      entry: { amount: 1, deltas: { bonus: 1 }, reference: { kind: "pull_request", number: 2 } },
    });
  });

  it("answers a refund of an unknown or non-usage entry without writing", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p1", 5));
    // A refund that arrives before its charge (reordered events) finds nothing to refund.
    expect(await ledger.refund(id, { chargeKey: "not-yet" })).toEqual({
      status: "charge_not_found",
    });
    expect(await ledger.refund(id, { chargeKey: "p1" })).toEqual({
      status: "not_refundable",
      type: "purchase",
    });
    await ledger.charge(id, reviewCharge("not-yet"));
    expect((await ledger.refund(id, { chargeKey: "not-yet" })).status).toBe("created");
    expect((await ledger.summary(id)).balance).toBe(8);
  });

  it("rolls the month: unused free credits expire, 3 new ones arrive, purchases stay", async () => {
    const store = await fresh();
    const { ledger, clock } = makeLedger(store);
    const id = newAccountId();
    clock.set("2026-10-05T09:00:00Z");
    await ledger.grant(id, purchase("p1", 50));
    await ledger.charge(id, reviewCharge("oct-1", 1));

    clock.set("2026-11-01T00:00:00Z");
    // Two requests race into the new month: the roll still happens once.
    await Promise.all([ledger.summary(id), ledger.charge(id, reviewCharge("nov-1", 2))]);

    const expirations = await store.ledger.list(id, { types: ["expiration"], limit: 10 });
    expect(expirations).toHaveLength(1);
    expect(expirations[0]).toMatchObject({
      amount: -2,
      deltas: { free: -2 },
      freePeriod: "2026-10",
    });
    const grants = await store.ledger.list(id, { types: ["free_tier"], limit: 10 });
    expect(grants.map((g) => g.freePeriod)).toEqual(["2026-11", "2026-10"]);
    const summary = await ledger.summary(id);
    expect(summary.buckets).toEqual({ free: 2, plan: 0, bonus: 0, purchased: 50 });
    expect(summary.nextFreeReset.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(summary.usageThisMonth).toBe(1);
  });

  it("takes a charge that spans buckets free first, then bonus, then purchased", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p1", 10));
    await ledger.grant(id, { ...purchase("b1", 1), type: "bonus" });
    const taken = [];
    for (let i = 0; i < 5; i++) {
      const r = await ledger.charge(id, reviewCharge(`c${i}`, i + 1));
      if ("entry" in r) taken.push(r.entry.deltas);
    }
    expect(taken).toEqual([
      { free: -1, plan: 0, bonus: 0, purchased: 0 },
      { free: -1, plan: 0, bonus: 0, purchased: 0 },
      { free: -1, plan: 0, bonus: 0, purchased: 0 },
      { free: 0, plan: 0, bonus: -1, purchased: 0 },
      { free: 0, plan: 0, bonus: 0, purchased: -1 },
    ]);
  });

  it("splits one charge over several buckets when its cost needs it", async () => {
    const store = await fresh();
    const { ledger: pricey } = makeLedger(store, undefined, 1, 4);
    const id = newAccountId();
    await pricey.grant(id, { ...purchase("b", 2), type: "bonus" });
    await pricey.grant(id, purchase("p", 5));
    const r = await pricey.charge(id, reviewCharge("big"));
    expect(r).toMatchObject({
      entry: { amount: -4, deltas: { free: -1, plan: 0, bonus: -2, purchased: -1 } },
    });
    await pricey.refund(id, { chargeKey: "big" });
    expect((await pricey.summary(id)).buckets).toEqual({
      free: 1,
      plan: 0,
      bonus: 2,
      purchased: 5,
    });
  });

  it("reports the alert levels a charge crosses, once each", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 12));
    const crossings: string[][] = [];
    for (let i = 0; i < 12; i++) {
      const r = await ledger.charge(id, reviewCharge(`c${i}`, i + 1));
      if ("crossed" in r) crossings.push(r.crossed);
    }
    expect(crossings.flat()).toEqual(["warning", "critical", "depleted"]);
    expect(crossings[1]).toEqual(["warning"]); // 11 -> 10
    expect(crossings[8]).toEqual(["critical"]); // 4 -> 3
    expect(crossings[11]).toEqual(["depleted"]); // 1 -> 0
    const summary = await ledger.summary(id);
    expect(summary).toMatchObject({ balance: 0, alertLevel: "depleted", paused: true });
  });

  it("includes chat and commands without writing entries", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    for (const action of ["chat", "command"] as const) {
      const r = await ledger.charge(id, { ...reviewCharge(`x-${action}`), action });
      expect(r).toEqual({ status: "included", action });
    }
    expect((await ledger.summary(id)).balance).toBe(0);
    expect(await store.ledger.list(id, { types: ["usage"], limit: 10 })).toHaveLength(0);
  });

  it("takes credits back without going below zero and records the rest", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 100));
    for (let i = 0; i < 70; i++) await ledger.charge(id, reviewCharge(`c${i}`, i + 1));
    const back = await ledger.adjust(id, {
      amount: -100,
      bucket: "purchased",
      description: "Stripe refund of 100 credits",
      reference: { kind: "stripe", charge: "ch_123" },
      idempotencyKey: "stripe-refund:ch_123",
    });
    expect(back.entry).toMatchObject({ amount: -30, uncollected: 70, balanceAfter: 0 });
    expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
  });

  it("takes back within a room read inside the write, however many take-backs run at once", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 100));
    // The room: 100 credits less what the "tb-" take-backs already took.
    const room = async () => {
      const written = await store.ledger.list(id, { types: ["adjustment"], limit: 100 });
      return 100 + written.reduce((sum, e) => sum + e.deltas.purchased, 0);
    };
    const takeBack = (i: number) =>
      ledger.takeBack(id, {
        credits: 15,
        room,
        bucket: "purchased",
        describe: (credits) => `take-back ${i}: ${credits} credits`,
        idempotencyKey: `tb-${i}`,
      });

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => takeBack(i)));
    const written = results.flatMap((r) => ("entry" in r ? [r.entry] : []));
    // 6 x 15, then the 10 left; the other three found no room and wrote nothing.
    expect(written.map((e) => e.amount).sort((a, b) => a - b)).toStrictEqual([
      -15, -15, -15, -15, -15, -15, -10,
    ]);
    expect(written.find((e) => e.amount === -10)?.description).toMatch(/: 10 credits$/);
    expect(results.filter((r) => r.status === "no_room")).toHaveLength(3);
    expect((await ledger.summary(id)).buckets.purchased).toBe(0);

    // A key written before is a replay with its own amount, room or not.
    const first = written[0]!;
    const again = await takeBack(Number(first.idempotencyKey.slice(3)));
    expect(again).toMatchObject({
      status: "replayed",
      entry: { id: first.id, amount: first.amount },
    });
    await expect(
      ledger.takeBack(id, {
        credits: 0,
        room,
        bucket: "purchased",
        describe: () => "nothing",
        idempotencyKey: "tb-zero",
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(await store.ledger.list(id, { types: ["adjustment"], limit: 100 })).toHaveLength(7);
    expect((await verifyLedger(store.ledger)).problemCount).toBe(0);
  });

  it("takes back what the bucket holds within the room, and records the rest as uncollected", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 100));
    for (let i = 0; i < 70; i++) await ledger.charge(id, reviewCharge(`c${i}`, i + 1));
    const back = await ledger.takeBack(id, {
      credits: 100,
      room: async () => 80,
      bucket: "purchased",
      describe: (credits) => `${credits} credits taken back`,
      idempotencyKey: "stripe-refund:re_1",
    });
    expect(back).toMatchObject({
      status: "created",
      entry: { amount: -30, uncollected: 50, description: "80 credits taken back" },
    });
  });

  it("rejects bad input with a clear error and writes nothing", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const id = newAccountId();
    await ledger.grant(id, purchase("p", 5));
    const before = await store.ledger.latest(id);

    // Typed callers cannot write these; the casts stand for data from outside (JSON, a cast).
    const asGrant = (v: unknown) => v as GrantInput;
    const asCharge = (v: unknown) => v as ChargeInput;
    const asRefund = (v: unknown) => v as RefundInput;
    const asAdjust = (v: unknown) => v as AdjustInput;
    const bad: Array<[string, () => Promise<unknown>]> = [
      ["negative amount", () => ledger.grant(id, purchase("k1", -5))],
      ["fractional amount", () => ledger.grant(id, purchase("k2", 1.5))],
      ["amount as text", () => ledger.grant(id, asGrant({ ...purchase("k3", 1), amount: "5" }))],
      ["huge amount", () => ledger.grant(id, purchase("k4", 1e12))],
      ["unknown type", () => ledger.grant(id, asGrant({ ...purchase("k5", 1), type: "gift" }))],
      [
        "unknown action",
        () => ledger.charge(id, asCharge({ ...reviewCharge("k6"), action: "deploy" })),
      ],
      [
        "operator as key",
        () => ledger.charge(id, asCharge({ ...reviewCharge("x"), idempotencyKey: { $gt: "" } })),
      ],
      ["operator as charge key", () => ledger.refund(id, asRefund({ chargeKey: { $ne: null } }))],
      ["key in the refund namespace", () => ledger.grant(id, purchase("refund:c1", 1))],
      ["key in the free-tier namespace", () => ledger.grant(id, purchase("free-tier:2026-12", 1))],
      ["unknown field", () => ledger.grant(id, asGrant({ ...purchase("k7", 1), balanceAfter: 9 }))],
      ["empty description", () => ledger.grant(id, { ...purchase("k8", 1), description: " " })],
      [
        "zero adjustment",
        () =>
          ledger.adjust(id, { amount: 0, bucket: "bonus", description: "x", idempotencyKey: "k9" }),
      ],
      [
        "bad bucket",
        () =>
          ledger.adjust(
            id,
            asAdjust({ amount: 1, bucket: "gold", description: "x", idempotencyKey: "k10" }),
          ),
      ],
      [
        "bad PR reference",
        () =>
          ledger.charge(id, {
            ...reviewCharge("k11"),
            reference: { kind: "pull_request", repository: "../etc", number: 1 },
          }),
      ],
      ["bad account id", () => ledger.summary(-1 as never)],
    ];
    for (const [name, call] of bad) {
      await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
      expect([name, await store.ledger.latest(id)]).toEqual([name, before]);
    }
  });

  it("keeps each account's entries to itself", async () => {
    const store = await fresh();
    const { ledger } = makeLedger(store);
    const a = newAccountId();
    const b = newAccountId();
    await ledger.grant(a, purchase("same-key", 7));
    await ledger.grant(b, purchase("same-key", 9));
    expect((await ledger.summary(a)).balance).toBe(10);
    expect((await ledger.summary(b)).balance).toBe(12);
    expect(await ledger.refund(b, { chargeKey: "missing" })).toEqual({
      status: "charge_not_found",
    });
    const aEntries = await store.ledger.list(a, { limit: 100 });
    expect(aEntries.every((e) => e.accountId === a)).toBe(true);
  });
});
