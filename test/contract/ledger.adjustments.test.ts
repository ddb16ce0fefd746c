import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { ADJUSTABLE_BUCKETS, type AdjustableBucket } from "../../src/ledger/types.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** Operator corrections (Ledger.adjust): up and down on every bucket, never below zero. */
describe.each(storeFactories())("adjustments on the $name store", ({ create, cleanup }) => {
  afterEach(cleanup);

  const adjust = (amount: number, bucket: AdjustableBucket, key: string) => ({
    amount,
    bucket,
    description: `correction of ${amount}`,
    reference: { kind: "operator" as const, actor: "alice" },
    idempotencyKey: key,
  });

  it.each(ADJUSTABLE_BUCKETS)(
    "adjusts the %s bucket up, then down, never below zero",
    async (bucket) => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 3);
      const id = newAccountId();
      await ledger.grant(id, purchase("p", 10));
      const before = await ledger.summary(id);

      const up = await ledger.adjust(id, adjust(5, bucket, "up"));
      expect(up).toMatchObject({ status: "created", entry: { amount: 5, uncollected: 0 } });
      const raised = await ledger.summary(id);
      expect(raised.balance).toBe(before.balance + 5);
      expect(raised.buckets).toEqual({ ...before.buckets, [bucket]: before.buckets[bucket] + 5 });

      const down = await ledger.adjust(id, adjust(-2, bucket, "down"));
      expect(down).toMatchObject({ status: "created", entry: { amount: -2, uncollected: 0 } });
      expect((await ledger.summary(id)).buckets[bucket]).toBe(before.buckets[bucket] + 3);

      // More than the bucket holds: it is emptied and the rest recorded, the others untouched.
      const held = before.buckets[bucket] + 3;
      const drain = await ledger.adjust(id, adjust(-(held + 4), bucket, "drain"));
      expect(drain.entry).toMatchObject({ amount: -held, uncollected: 4 });
      const after = await ledger.summary(id);
      expect(after.buckets).toEqual({ ...before.buckets, [bucket]: 0 });
      expect(after.balance).toBe(before.balance - before.buckets[bucket]);

      // A retry of a key is the same entry.
      expect(await ledger.adjust(id, adjust(5, bucket, "up"))).toMatchObject({
        status: "replayed",
        entry: { id: up.entry.id },
      });
      expect((await ledger.summary(id)).balance).toBe(after.balance);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    },
  );

  it("credits added by an adjustment pay for reviews like any other", async () => {
    const store = await create();
    const { ledger } = makeLedger(store, undefined, 0);
    const id = newAccountId();
    expect((await ledger.charge(id, reviewCharge("c0"))).status).toBe("insufficient");
    for (const bucket of ADJUSTABLE_BUCKETS)
      await ledger.adjust(id, adjust(1, bucket, `up-${bucket}`));
    for (let i = 1; i <= 3; i++) {
      expect((await ledger.charge(id, reviewCharge(`c${i}`, i))).status).toBe("created");
    }
    expect((await ledger.charge(id, reviewCharge("c4", 4))).status).toBe("insufficient");
    expect((await verifyLedger(store.ledger)).problems).toEqual([]);
  });
});
