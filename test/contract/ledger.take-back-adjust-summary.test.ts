import { afterEach, describe, expect, it } from "@jest/globals";
import { InvalidInputError } from "../../src/shared/errors.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { makeLedger, newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The edges of take-backs (Ledger.takeBack: credits that are not a positive number), of
 * adjustments (the reference kept) and of the balance summary (paused at exactly a review's
 * cost, the free period named).
 */
describe.each(storeFactories())(
  "take-backs, adjustments and summaries on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function funded(credits = 20) {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(), 0);
      const id = newAccountId();
      await ledger.grant(id, purchase("p", credits));
      return { store, ledger, id };
    }

    it.each([0, -5, Number.NaN])(
      "refuses to take back %p credits, before reading anything",
      async (credits) => {
        const { store, ledger, id } = await funded();
        let roomRead = false;
        const err = await ledger
          .takeBack(id, {
            credits,
            room: async () => {
              roomRead = true;
              return 100;
            },
            bucket: "purchased",
            describe: (n) => `${n} credits taken back`,
            idempotencyKey: "tb",
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidInputError);
        expect(err).toMatchObject({
          message: "credits: must be positive",
          issues: [{ path: "credits", message: "must be positive" }],
        });
        expect(roomRead).toBe(false);
        expect(await store.ledger.list(id, { types: ["adjustment"], limit: 10 })).toEqual([]);
        expect((await ledger.summary(id)).balance).toBe(20);
      },
    );

    it("keeps an adjustment's reference on its entry", async () => {
      const { ledger, id } = await funded();
      const reference = { kind: "operator" as const, actor: "alice" };
      const up = await ledger.adjust(id, {
        amount: 3,
        bucket: "bonus",
        description: "goodwill",
        reference,
        idempotencyKey: "adj",
      });
      expect(up.entry.reference).toEqual(reference);
      const page = await ledger.list(id, { types: ["adjustment"], limit: 10 });
      expect(page.entries[0]?.reference).toEqual(reference);
    });

    it("takes nothing from an empty bonus bucket: all uncollected, no lot made", async () => {
      const { store, ledger, id } = await funded();
      const down = await ledger.adjust(id, {
        amount: -3,
        bucket: "bonus",
        description: "correction",
        idempotencyKey: "down",
      });
      expect(down.entry).toMatchObject({ amount: 0, uncollected: 3 });
      expect((await ledger.summary(id)).buckets).toEqual({
        free: 0,
        plan: 0,
        bonus: 0,
        purchased: 20,
      });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("pauses reviews only when the balance is below a review's cost", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, new TestClock(), 0, 3);
      const id = newAccountId();
      await ledger.grant(id, purchase("p", 5));
      expect(await ledger.summary(id)).toMatchObject({
        balance: 5,
        paused: false,
        freePeriod: "2026-11",
      });
      expect(
        (await ledger.charge(id, { action: "review", description: "r1", idempotencyKey: "r1" }))
          .status,
      ).toBe("created");
      // 2 left, a review costs 3: refused with the balance it found, and paused.
      expect(
        await ledger.charge(id, { action: "review", description: "r2", idempotencyKey: "r2" }),
      ).toEqual({ status: "insufficient", balance: 2, cost: 3 });
      expect(await ledger.summary(id)).toMatchObject({ balance: 2, paused: true });
      await ledger.grant(id, purchase("p2", 1));
      // Exactly a review's cost: not paused.
      expect(await ledger.summary(id)).toMatchObject({ balance: 3, paused: false });
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
