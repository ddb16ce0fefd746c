import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { mustCharge, reviewOf } from "../support/verify-faults.js";

/**
 * A constant-size entry whose month counting starts at a whole-month snapshot that is not
 * there (a corrupt `from`): the charges after it are still decided, from the entries there
 * are (entry-use.ts, snapshotOf), and ledger:verify reports the entry.
 */
describe.each(storeFactories())(
  "a month counted from a snapshot that is not there on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("does not stop the account's charges, and ledger:verify reports it", async () => {
      const store = await create();
      const id = newAccountId();
      const { ledger } = makeLedger(store, new TestClock(), 0);
      await ledger.grant(id, purchase("buy", 100));
      const c = await mustCharge(ledger, id, reviewOf("c1", { number: 1 }));
      // Planted: the charge again, counting from a snapshot at seq 0, which no entry has.
      const planted = await store.ledger.append({
        ...c,
        seq: c.seq + 1,
        idempotencyKey: "planted",
        reference: reviewOf("", { number: 2 }).reference!,
        monthUse: { ...c.monthUse!, from: 0, fromSnapshot: true },
      });
      if (!planted.ok) throw new Error(`planting failed: ${planted.conflict}`);
      const r = await ledger.charge(id, { ...reviewOf("c3", { number: 3 }), limits: {} });
      expect(r.status).toBe("created");
      const problems = (await verifyLedger(store.ledger)).problems.map((p) => [p.seq, p.problem]);
      expect(problems).toContainEqual([
        c.seq + 1,
        expect.stringMatching(/counts from seq 0, the entries give 1/),
      ]);
    });
  },
);
