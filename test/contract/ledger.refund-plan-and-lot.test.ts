import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import {
  makeLedger,
  newAccountId,
  planGrant,
  purchase,
  TestClock,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * A refund, after the plan month ended and one bonus lot expired, of a charge that took plan
 * credits and the credits of two bonus lots: the plan's and the expired lot's go to one new
 * bonus lot without expiry, the live lot's back to it, and they pay for reviews like any other.
 */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };

describe.each(storeFactories())(
  "refunds of plan and expired lot credits on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("gives plan credits and an expired lot's credits back to one new bonus lot, a live lot's to that lot", async () => {
      const store = await create();
      const { ledger, clock } = makeLedger(store, new TestClock(), 0, 8);
      const id = newAccountId();
      await ledger.grantPlan(id, planGrant(NOV));
      await ledger.grant(id, {
        type: "bonus",
        amount: 2,
        description: "welcome bonus",
        idempotencyKey: "bonus",
        expiresAt: new Date("2026-11-20T00:00:00Z"),
      });
      await ledger.grant(id, {
        type: "bonus",
        amount: 1,
        description: "later bonus",
        idempotencyKey: "bonus-later",
        expiresAt: new Date("2027-01-31T00:00:00Z"),
      });
      await ledger.grant(id, purchase("p", 10));
      const charged = await ledger.charge(id, {
        action: "review",
        description: "big review",
        idempotencyKey: "c1",
      });
      expect(charged).toMatchObject({
        status: "created",
        entry: { deltas: { free: 0, plan: -5, bonus: -3, purchased: 0 } },
      });

      clock.set("2026-12-11T00:00:00Z");
      const refunded = await ledger.refund(id, { chargeKey: "c1" });
      expect(refunded).toMatchObject({
        status: "created",
        entry: { amount: 8, deltas: { free: 0, plan: 0, bonus: 8, purchased: 0 } },
      });
      expect((await ledger.summary(id)).buckets).toEqual({
        free: 0,
        plan: 0,
        bonus: 8,
        purchased: 10,
      });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);

      // The later lot holds its credit again and the new lot seven: two reviews spend them and
      // then the purchased credits.
      for (const key of ["c2", "c3"]) {
        const r = await ledger.charge(id, {
          action: "review",
          description: key,
          idempotencyKey: key,
        });
        expect(r.status).toBe("created");
      }
      expect((await ledger.summary(id)).buckets).toEqual({
        free: 0,
        plan: 0,
        bonus: 0,
        purchased: 2,
      });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
