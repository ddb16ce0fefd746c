import { afterEach, describe, expect, it } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { InvalidInputError } from "../../src/shared/errors.js";
import { presentEntry } from "../../src/api/present.js";
import type { NewEntry } from "../../src/ledger/ledger-store.js";
import type { LedgerEntry, Lot, LotDelta } from "../../src/ledger/types.js";
import type { AccountId } from "../../src/accounts/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { rawEntry } from "../support/entries.js";
import {
  bonus,
  entryOf,
  lot,
  makeLedger,
  newAccountId,
  prRef,
  purchase,
  reviewCharge,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** A hand-written entry that moves only bonus credits, as a bug or a hand edit would. */
function bonusEntry(
  accountId: AccountId,
  seq: number,
  over: {
    type: NewEntry["type"];
    change: number;
    after: number;
    lotDeltas: LotDelta[];
    lotsAfter: Lot[];
    at: string;
    refundOf?: string;
  },
): NewEntry {
  return rawEntry(accountId, seq, {
    type: over.type,
    amount: over.change,
    deltas: { free: 0, plan: 0, bonus: over.change, purchased: 0 },
    bucketsAfter: { free: 0, plan: 0, bonus: over.after, purchased: 0 },
    balanceAfter: over.after,
    lotDeltas: over.lotDeltas,
    lotsAfter: over.lotsAfter,
    refundOf: over.refundOf ?? null,
    createdAt: new Date(over.at),
  });
}

describe.each(storeFactories())("bonus lots on the $name store", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);

  it("spends free, then the soonest-expiring bonus lot, lots without expiry last, then purchased", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 1); // the clock starts 2026-11-10T12:00Z
    const id = newAccountId();
    const forever = entryOf(await ledger.grant(id, bonus("a", 2)));
    const late = entryOf(await ledger.grant(id, bonus("b", 1, "2026-11-20T00:00:00Z")));
    const soon = entryOf(await ledger.grant(id, bonus("c", 1, "2026-11-15T00:00:00Z")));
    await ledger.grant(id, purchase("p", 1));
    expect(soon.lotsAfter).toEqual([
      lot(soon.seq, 1, "2026-11-15T00:00:00Z"),
      lot(late.seq, 1, "2026-11-20T00:00:00Z"),
      lot(forever.seq, 2),
    ]);

    const taken: LedgerEntry[] = [];
    for (let i = 0; i < 6; i++) taken.push(entryOf(await ledger.charge(id, reviewCharge(`c${i}`))));
    expect(taken.map((e) => [e.deltas, e.lotDeltas])).toEqual([
      [{ free: -1, plan: 0, bonus: 0, purchased: 0 }, []],
      [{ free: 0, plan: 0, bonus: -1, purchased: 0 }, [{ lot: soon.seq, amount: -1 }]],
      [{ free: 0, plan: 0, bonus: -1, purchased: 0 }, [{ lot: late.seq, amount: -1 }]],
      [{ free: 0, plan: 0, bonus: -1, purchased: 0 }, [{ lot: forever.seq, amount: -1 }]],
      [{ free: 0, plan: 0, bonus: -1, purchased: 0 }, [{ lot: forever.seq, amount: -1 }]],
      [{ free: 0, plan: 0, bonus: 0, purchased: -1 }, []],
    ]);
    // Empty lots with an expiry stay listed until it passes (a refund can still go back to
    // them); an empty lot without expiry is gone.
    expect(taken.at(-1)?.lotsAfter).toEqual([
      lot(soon.seq, 0, "2026-11-15T00:00:00Z"),
      lot(late.seq, 0, "2026-11-20T00:00:00Z"),
    ]);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("expires what is left of a lot once, on the first touch at or after its expiry", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const soon = entryOf(await ledger.grant(id, bonus("soon", 5, "2026-11-12T00:00:00Z")));
    const forever = entryOf(await ledger.grant(id, bonus("forever", 3)));
    await ledger.charge(id, reviewCharge("c1", 1));

    clock.set("2026-11-12T00:00:00Z"); // exactly the expiry: expired
    const [, c2, c3] = await Promise.all([
      ledger.summary(id),
      ledger.charge(id, reviewCharge("c2", 2)),
      ledger.charge(id, reviewCharge("c3", 3)),
    ]);
    clock.set("2026-11-20T00:00:00Z");
    await ledger.summary(id);

    const expirations = await store.ledger.list(id, { types: ["expiration"], limit: 10 });
    expect(expirations).toHaveLength(1);
    expect(expirations[0]).toMatchObject({
      amount: -4,
      deltas: { free: 0, plan: 0, bonus: -4, purchased: 0 },
      lotDeltas: [{ lot: soon.seq, amount: -4 }],
      lotsAfter: [lot(forever.seq, 3)],
      idempotencyKey: `bonus-expiration:${soon.seq}`,
    });
    // Both charges came after the expiration, from the lot without expiry.
    for (const c of [c2, c3]) {
      const e = entryOf(c);
      expect(e.seq).toBeGreaterThan(expirations[0]!.seq);
      expect(e.lotDeltas).toEqual([{ lot: forever.seq, amount: -1 }]);
    }
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 0,
      bonus: 1,
      purchased: 0,
    });
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("refunds to the lot while it is live, and to a new lot without expiry once it expired", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const x = entryOf(await ledger.grant(id, bonus("x", 1, "2026-11-20T00:00:00Z")));
    const y = entryOf(await ledger.grant(id, bonus("y", 2, "2026-11-30T00:00:00Z")));
    await ledger.charge(id, reviewCharge("c1", 1)); // x, now empty
    await ledger.charge(id, reviewCharge("c2", 2)); // y

    const back = entryOf(await ledger.refund(id, { chargeKey: "c1" }));
    expect(back.lotDeltas).toEqual([{ lot: x.seq, amount: 1 }]);
    expect(back.lotsAfter).toEqual([
      lot(x.seq, 1, "2026-11-20T00:00:00Z"),
      lot(y.seq, 1, "2026-11-30T00:00:00Z"),
    ]);
    await ledger.charge(id, reviewCharge("c3", 3)); // x again: the soonest to expire

    clock.set("2026-12-05T00:00:00Z"); // x expired empty, y with 1 left
    const late2 = entryOf(await ledger.refund(id, { chargeKey: "c2" }));
    const late3 = entryOf(await ledger.refund(id, { chargeKey: "c3" }));
    expect(late2.lotDeltas).toEqual([{ lot: late2.seq, amount: 1 }]);
    expect(late3.lotDeltas).toEqual([{ lot: late3.seq, amount: 1 }]);
    expect(late3.lotsAfter).toEqual([lot(late2.seq, 1), lot(late3.seq, 1)]);

    const expirations = await store.ledger.list(id, { types: ["expiration"], limit: 10 });
    expect(expirations.map((e) => e.lotDeltas)).toEqual([[{ lot: y.seq, amount: -1 }]]);
    // The expired lots are never written to again.
    const after = await store.ledger.list(id, { limit: 100 });
    const touched = after
      .filter((e) => e.seq > expirations[0]!.seq)
      .flatMap((e) => [...(e.lotDeltas ?? []), ...(e.lotsAfter ?? [])].map((l) => l.lot));
    expect(touched).not.toContain(x.seq);
    expect(touched).not.toContain(y.seq);
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 0,
      bonus: 2,
      purchased: 0,
    });
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("adjusts bonus credits: added as a lot without expiry, taken soonest-expiring first", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const dated = entryOf(await ledger.grant(id, bonus("d", 3, "2026-11-15T00:00:00Z")));
    const added = entryOf(
      await ledger.adjust(id, {
        amount: 2,
        bucket: "bonus",
        description: "goodwill",
        idempotencyKey: "adj-1",
      }),
    );
    expect(added.lotDeltas).toEqual([{ lot: added.seq, amount: 2 }]);
    const taken = entryOf(
      await ledger.adjust(id, {
        amount: -9,
        bucket: "bonus",
        description: "clawback",
        idempotencyKey: "adj-2",
      }),
    );
    expect(taken).toMatchObject({ amount: -5, uncollected: 4 });
    expect(taken.lotDeltas).toEqual([
      { lot: dated.seq, amount: -3 },
      { lot: added.seq, amount: -2 },
    ]);
    expect(taken.lotsAfter).toEqual([lot(dated.seq, 0, "2026-11-15T00:00:00Z")]);
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });

  it("refuses an expiry that has passed, an expiry on purchased credits and the expiration keys", async () => {
    const store = await create();
    const { ledger, clock } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    await ledger.grant(id, bonus("ok", 1, "2026-11-11T00:00:00Z"));
    const before = await store.ledger.latest(id);
    const bad: Array<[string, () => Promise<unknown>]> = [
      ["expiry passed", () => ledger.grant(id, bonus("k1", 1, "2026-11-01T00:00:00Z"))],
      ["expiry now", () => ledger.grant(id, bonus("k2", 1, "2026-11-10T12:00:00Z"))],
      [
        "expiry on a purchase",
        () => ledger.grant(id, { ...purchase("k3", 1), expiresAt: new Date("2027-01-01") }),
      ],
      [
        "expiry as text",
        () => ledger.grant(id, { ...bonus("k4", 1), expiresAt: "2027-01-01" as never }),
      ],
      [
        "key in the lot expiration namespace",
        () => ledger.grant(id, bonus("bonus-expiration:2", 1)),
      ],
    ];
    for (const [name, call] of bad) {
      await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
      expect([name, await store.ledger.latest(id)]).toEqual([name, before]);
    }
    // A key seen before is a replay, even once its expiry has passed.
    clock.set("2026-11-12T00:00:00Z");
    const again = await ledger.grant(id, bonus("ok", 1, "2026-11-11T00:00:00Z"));
    expect(again.status).toBe("replayed");
  });

  it("reads and extends a history written before lots: its bonus bucket is one lot without expiry", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    // As the ledger wrote them before lots existed: no lot fields at all.
    await store.ledger.append(
      rawEntry(id, 1, {
        amount: 5,
        deltas: { free: 0, plan: 0, bonus: 5, purchased: 0 },
        bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
        balanceAfter: 5,
      }),
    );
    await store.ledger.append(
      rawEntry(id, 2, {
        type: "usage",
        amount: -1,
        deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
        bucketsAfter: { free: 0, plan: 0, bonus: 4, purchased: 0 },
        balanceAfter: 4,
        reference: prRef(1),
        idempotencyKey: "old-charge",
      }),
    );
    expect((await store.ledger.latest(id))?.lotsAfter).toBeNull();
    expect((await ledger.summary(id)).buckets).toEqual({
      free: 0,
      plan: 0,
      bonus: 4,
      purchased: 0,
    });

    const fresh = entryOf(await ledger.grant(id, bonus("new", 2, "2026-11-20T00:00:00Z")));
    expect(fresh.lotsAfter).toEqual([lot(fresh.seq, 2, "2026-11-20T00:00:00Z"), lot(0, 4)]);
    const charge = entryOf(await ledger.charge(id, reviewCharge("c1", 2)));
    expect(charge.lotDeltas).toEqual([{ lot: fresh.seq, amount: -1 }]);
    const refund = entryOf(await ledger.refund(id, { chargeKey: "old-charge" }));
    expect(refund.lotDeltas).toEqual([{ lot: 0, amount: 1 }]);
    expect(refund.lotsAfter).toEqual([lot(fresh.seq, 1, "2026-11-20T00:00:00Z"), lot(0, 5)]);
    const report = await verifyLedger(store.ledger);
    expect(report.problems.filter((p) => p.accountId === id)).toEqual([]);
  });

  it("shows a bonus grant's expiry in the API and the CSV export", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    const dated = entryOf(await ledger.grant(id, bonus("d", 2, "2026-12-31T00:00:00Z")));
    const plain = entryOf(await ledger.grant(id, bonus("p", 1)));
    const bought = entryOf(await ledger.grant(id, purchase("b", 1)));
    expect(presentEntry(dated).expiresAt).toBe("2026-12-31T00:00:00.000Z");
    expect(presentEntry(plain).expiresAt).toBeNull();
    expect(presentEntry(bought)).not.toHaveProperty("expiresAt");

    let csv = "";
    for await (const chunk of ledger.export(id)) csv += String(chunk);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.type, r.expires_at])).toEqual([
      ["purchase", ""],
      ["bonus", ""],
      ["bonus", "2026-12-31T00:00:00.000Z"],
      ["free_tier", ""],
    ]);
  });

  it("ledger:verify finds planted lot inconsistencies", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const good = newAccountId();
    await ledger.grant(good, bonus("g", 3, "2026-11-20T00:00:00Z"));
    await ledger.charge(good, reviewCharge("c1"));
    const exp = "2026-11-05T00:00:00Z";
    const grant = (accountId: AccountId, amount: number, seq = 1) =>
      bonusEntry(accountId, seq, {
        type: "bonus",
        change: amount,
        after: amount,
        lotDeltas: [{ lot: seq, amount }],
        lotsAfter: [lot(seq, amount, exp)],
        at: "2026-11-01T00:00:00Z",
      });

    // Lots that do not add up to the bonus bucket.
    const sums = newAccountId();
    await store.ledger.append(grant(sums, 5));
    await store.ledger.append(
      bonusEntry(sums, 2, {
        type: "usage",
        change: -1,
        after: 4,
        lotDeltas: [{ lot: 1, amount: -2 }],
        lotsAfter: [lot(1, 3, exp)],
        at: "2026-11-02T00:00:00Z",
      }),
    );
    // A lot below zero (the bucket itself is fine).
    const negative = newAccountId();
    await store.ledger.append(grant(negative, 1));
    await store.ledger.append(
      bonusEntry(negative, 2, {
        type: "bonus",
        change: 2,
        after: 3,
        lotDeltas: [{ lot: 2, amount: 2 }],
        lotsAfter: [lot(1, 1, exp), lot(2, 2)],
        at: "2026-11-02T00:00:00Z",
      }),
    );
    await store.ledger.append(
      bonusEntry(negative, 3, {
        type: "usage",
        change: -2,
        after: 1,
        lotDeltas: [{ lot: 1, amount: -2 }],
        lotsAfter: [lot(1, -1, exp), lot(2, 2)],
        at: "2026-11-03T00:00:00Z",
      }),
    );
    // A lot expired in part, then again.
    const twice = newAccountId();
    await store.ledger.append(grant(twice, 2));
    await store.ledger.append(
      bonusEntry(twice, 2, {
        type: "expiration",
        change: -1,
        after: 1,
        lotDeltas: [{ lot: 1, amount: -1 }],
        lotsAfter: [lot(1, 1, exp)],
        at: "2026-11-06T00:00:00Z",
      }),
    );
    await store.ledger.append(
      bonusEntry(twice, 3, {
        type: "expiration",
        change: -1,
        after: 0,
        lotDeltas: [{ lot: 1, amount: -1 }],
        lotsAfter: [],
        at: "2026-11-07T00:00:00Z",
      }),
    );
    // A refund given back to a lot after its expiry.
    const late = newAccountId();
    await store.ledger.append(grant(late, 1));
    const charged = await store.ledger.append(
      bonusEntry(late, 2, {
        type: "usage",
        change: -1,
        after: 0,
        lotDeltas: [{ lot: 1, amount: -1 }],
        lotsAfter: [lot(1, 0, exp)],
        at: "2026-11-03T00:00:00Z",
      }),
    );
    if (!charged.ok) throw new Error("append failed");
    await store.ledger.append(
      bonusEntry(late, 3, {
        type: "refund",
        change: 1,
        after: 1,
        lotDeltas: [{ lot: 1, amount: 1 }],
        lotsAfter: [lot(1, 1, exp)],
        at: "2026-11-08T00:00:00Z",
        refundOf: charged.entry.id,
      }),
    );

    // A refund that puts a live lot's credit in a new lot.
    const skipped = newAccountId();
    await store.ledger.append(grant(skipped, 1));
    const spent = await store.ledger.append(
      bonusEntry(skipped, 2, {
        type: "usage",
        change: -1,
        after: 0,
        lotDeltas: [{ lot: 1, amount: -1 }],
        lotsAfter: [lot(1, 0, exp)],
        at: "2026-11-02T00:00:00Z",
      }),
    );
    if (!spent.ok) throw new Error("append failed");
    await store.ledger.append(
      bonusEntry(skipped, 3, {
        type: "refund",
        change: 1,
        after: 1,
        lotDeltas: [{ lot: 3, amount: 1 }],
        lotsAfter: [lot(1, 0, exp), lot(3, 1)],
        at: "2026-11-03T00:00:00Z",
        refundOf: spent.entry.id,
      }),
    );

    const report = await verifyLedger(store.ledger);
    const of = (accountId: AccountId) =>
      report.problems.filter((p) => p.accountId === accountId).map((p) => [p.seq, p.problem]);
    expect(of(good)).toEqual([]);
    expect(of(sums)).toEqual([
      [2, "lot changes add up to -2, the bonus change is -1"],
      [2, "bonus lots add up to 3, the bonus bucket is 4"],
    ]);
    expect(of(negative)).toEqual([[3, "lot 1 is negative (-1)"]]);
    expect(of(twice)).toEqual([
      [2, "lot 1 holds 1 after its expiration (seq 2)"],
      [3, "lot 1 expires again (first at seq 2)"],
    ]);
    expect(of(late)).toEqual([[3, "lot 1 still holds 1 past its expiry"]]);
    expect(of(skipped)).toEqual([[3, "refund does not give back to lot 1, which is live"]]);
  });
});
