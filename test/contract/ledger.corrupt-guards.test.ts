import { afterEach, describe, expect, it } from "@jest/globals";
import type { NewEntry } from "../../src/ledger/ledger-store.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The ledger refuses to write rather than carry a corrupt newest entry forward: entries
 * planted straight into the store, as a bug or a hand edit in the database would leave them.
 * Whatever the call, it throws and writes nothing.
 */
describe.each(storeFactories())(
  "refusing to build on a corrupt entry, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function planted(...entries: ((id: ReturnType<typeof newAccountId>) => NewEntry)[]) {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      for (const e of entries) {
        const r = await store.ledger.append(e(id));
        if (!r.ok) throw new Error("planting failed");
      }
      return { store, ledger, id };
    }

    const newest = async (store: Store, id: ReturnType<typeof newAccountId>) =>
      (await store.ledger.latest(id))?.seq;

    it("a bucket below zero: a grant on top of it is refused", async () => {
      const { store, ledger, id } = await planted(
        (id) =>
          rawEntry(id, 1, {
            type: "purchase",
            amount: 5,
            deltas: { free: 0, plan: 0, bonus: 0, purchased: 5 },
            bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: 5 },
            balanceAfter: 5,
          }),
        (id) =>
          rawEntry(id, 2, {
            type: "adjustment",
            amount: -8,
            deltas: { free: 0, plan: 0, bonus: 0, purchased: -8 },
            bucketsAfter: { free: 0, plan: 0, bonus: 0, purchased: -3 },
            balanceAfter: -3,
          }),
      );
      await expect(ledger.grant(id, purchase("more", 2))).rejects.toThrow(
        /purchase would take purchased below zero/,
      );
      expect(await newest(store, id)).toBe(2);
    });

    it("bonus lots that do not add up to the bonus bucket: nothing more is written", async () => {
      const { store, ledger, id } = await planted((id) =>
        rawEntry(id, 1, {
          amount: 5,
          deltas: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          balanceAfter: 5,
          lotDeltas: [{ lot: 1, amount: 5 }],
          lotsAfter: [{ lot: 1, expiresAt: null, remaining: 3 }],
        }),
      );
      await expect(ledger.grant(id, purchase("more", 2))).rejects.toThrow(
        /after purchase the bonus lots do not add up to the bucket/,
      );
      expect(await newest(store, id)).toBe(1);
    });

    it("a bonus lot below zero: nothing more is written", async () => {
      const { store, ledger, id } = await planted((id) =>
        rawEntry(id, 1, {
          amount: 3,
          deltas: { free: 0, plan: 0, bonus: 3, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 3, purchased: 0 },
          balanceAfter: 3,
          lotDeltas: [{ lot: 1, amount: 3 }],
          lotsAfter: [
            { lot: 1, expiresAt: null, remaining: 4 },
            { lot: 0, expiresAt: null, remaining: -1 },
          ],
        }),
      );
      await expect(ledger.grant(id, purchase("more", 2))).rejects.toThrow(
        /purchase would take a bonus lot below zero/,
      );
      expect(await newest(store, id)).toBe(1);
    });

    it("a charge that took bonus credits from no lot cannot be refunded", async () => {
      const { store, ledger, id } = await planted(
        (id) =>
          rawEntry(id, 1, {
            amount: 5,
            deltas: { free: 0, plan: 0, bonus: 5, purchased: 0 },
            bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
            balanceAfter: 5,
            lotDeltas: [{ lot: 1, amount: 5 }],
            lotsAfter: [{ lot: 1, expiresAt: null, remaining: 5 }],
          }),
        (id) =>
          rawEntry(id, 2, {
            type: "usage",
            amount: -1,
            deltas: { free: 0, plan: 0, bonus: -1, purchased: 0 },
            bucketsAfter: { free: 0, plan: 0, bonus: 4, purchased: 0 },
            balanceAfter: 4,
            // The lots say 4 are left, but the charge names no lot it took the credit from.
            lotDeltas: [],
            lotsAfter: [{ lot: 1, expiresAt: null, remaining: 4 }],
            reference: { kind: "pull_request", repository: "acme/api", number: 1 },
            idempotencyKey: "charge",
          }),
      );
      await expect(ledger.refund(id, { chargeKey: "charge" })).rejects.toThrow(
        /refund's lot changes do not add up to its bonus change/,
      );
      expect(await newest(store, id)).toBe(2);
    });

    it("a bonus bucket its lots cannot pay from: a charge is refused", async () => {
      const { store, ledger, id } = await planted((id) =>
        rawEntry(id, 1, {
          amount: 5,
          deltas: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          bucketsAfter: { free: 0, plan: 0, bonus: 5, purchased: 0 },
          balanceAfter: 5,
          lotDeltas: [],
          lotsAfter: [],
        }),
      );
      await expect(
        ledger.charge(id, {
          action: "review",
          description: "Review of acme/api#1",
          reference: { kind: "pull_request", repository: "acme/api", number: 1 },
          idempotencyKey: "charge",
        }),
      ).rejects.toThrow(/bonus lots are 1 short/);
      expect(await newest(store, id)).toBe(1);
    });
  },
);
