import { afterEach, describe, expect, it } from "@jest/globals";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import {
  makeLedger,
  newAccountId,
  reviewCharge,
  TestClock,
  planGrant,
} from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/** sub_1's month (the clock starts 2026-11-10 12:00). */
const NOV = { start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") };

const grant = planGrant;

describe.each(storeFactories())(
  "ledger:verify on plan refunds ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    // The plan bucket's second review found this (issue 20).
    it("ledger:verify names a refund that turns plan credits of a running month into bonus credits", async () => {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 0);
      // The same history on two accounts; on `bad` the refund is rewritten as a plan credit
      // moved to a bonus lot without expiry while its month still runs.
      const good = newAccountId();
      const bad = newAccountId();
      for (const id of [good, bad]) {
        await ledger.grantPlan(id, grant(NOV, { credits: 2 }));
        await ledger.charge(id, reviewCharge("c1"));
      }
      const refund = await ledger.refund(good, { chargeKey: "c1" });
      expect(refund).toMatchObject({
        status: "created",
        entry: { deltas: { plan: 1, bonus: 0 } },
      });
      const r = (refund as { entry: LedgerEntry }).entry;
      const charge = (await store.ledger.findByKey(bad, "c1"))!;
      const latest = (await store.ledger.latest(bad))!;
      expect(latest.seq).toBe(charge.seq);
      const seq = latest.seq + 1;
      const { id: refundId, ...rest } = r;
      expect(refundId).not.toBe(charge.id);
      await store.ledger.append({
        ...rest,
        accountId: bad,
        seq,
        refundOf: charge.id,
        deltas: { free: 0, plan: 0, bonus: 1, purchased: 0 },
        bucketsAfter: { free: 0, plan: 1, bonus: 1, purchased: 0 },
        balanceAfter: latest.balanceAfter + 1,
        lotDeltas: [{ lot: seq, amount: 1 }],
        lotsAfter: [{ lot: seq, expiresAt: null, remaining: 1 }],
      });
      expect((await store.ledger.latest(bad))?.planExpiresAt).toEqual(NOV.end);
      const problems = (await verifyLedger(store.ledger)).problems;
      expect(problems.filter((p) => p.accountId === good)).toEqual([]);
      expect(problems.filter((p) => p.accountId === bad)).not.toEqual([]);
    });
  },
);
