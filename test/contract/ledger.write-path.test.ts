import { afterEach, describe, expect, it } from "@jest/globals";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { zeroBuckets } from "../../src/ledger/types.js";
import { LedgerContentionError } from "../../src/shared/errors.js";
import { writeEntry, type Draft, type WriteContext } from "../../src/ledger/write-entry.js";
import { makeLedger, newAccountId, reviewCharge, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The write path (write-entry.ts): how often it tries under contention; its last line of
 * defence, drafts no Ledger method makes today, written straight through writeEntry as a future
 * builder with a bug would, refused without writing anything; and a refund some other path
 * wrote, the one refund of its charge.
 */
describe.each(storeFactories())(
  "the write path's guards on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setup() {
      const store = await create();
      const clock = new TestClock();
      const { ledger } = makeLedger(store, clock, 3);
      const ctx: WriteContext = { store: store.ledger, now: clock.now };
      return { store, ledger, ctx, clock };
    }

    const draft = (over: Partial<Draft>): Draft => ({
      type: "adjustment",
      deltas: zeroBuckets(),
      description: "by hand",
      reference: null,
      ...over,
    });

    it("tries maxAttempts times under contention, then gives up; once is enough without it", async () => {
      const { store, clock } = await setup();
      const id = newAccountId();
      // Every insert finds that another writer got in first.
      let appends = 0;
      const crowded: LedgerStore = Object.create(store.ledger) as LedgerStore;
      crowded.append = () => {
        appends++;
        return Promise.resolve({ ok: false, conflict: "sequence" });
      };
      const build = () => ({ draft: draft({ freePeriod: "2026-11" }) });
      const gaveUp = writeEntry({ store: crowded, now: clock.now, maxAttempts: 3 }, id, "k", build);
      await expect(gaveUp).rejects.toThrow(LedgerContentionError);
      expect(appends).toBe(3);

      const once = new Ledger({
        store: store.ledger,
        now: clock.now,
        freePerMonth: 3,
        maxAttempts: 1,
      });
      // The month's free tier first: a charge that finds it due writes it and tries again.
      await once.ensureFreeTier(id);
      expect(await once.charge(id, reviewCharge("c1"))).toMatchObject({ status: "created" });
    });

    it("refuses a first entry that starts no free period, and writes nothing", async () => {
      const { store, ctx } = await setup();
      const id = newAccountId();
      const write = writeEntry(ctx, id, "first", () => ({
        draft: draft({ type: "purchase", deltas: { ...zeroBuckets(), purchased: 5 } }),
      }));
      await expect(write).rejects.toThrow(/first entry must start a free period/);
      expect(await store.ledger.latest(id)).toBeNull();
    });

    it("refuses plan credits without the month they expire with, and writes nothing", async () => {
      const { store, ledger, ctx } = await setup();
      const id = newAccountId();
      await ledger.ensureFreeTier(id);
      const before = await store.ledger.latest(id);
      const write = writeEntry(ctx, id, "plan-by-hand", () => ({
        draft: draft({ deltas: { ...zeroBuckets(), plan: 4 } }),
      }));
      await expect(write).rejects.toThrow(/plan bucket holds credits without an expiry/);
      expect((await store.ledger.latest(id))?.seq).toBe(before?.seq);
      expect((await ledger.summary(id)).buckets.plan).toBe(0);
    });

    it("answers a refund of a charge already refunded under another key with that refund", async () => {
      const { ledger, ctx } = await setup();
      const id = newAccountId();
      const charged = await ledger.charge(id, reviewCharge("c1"));
      if (!("entry" in charged)) throw new Error(`charge refused: ${charged.status}`);
      const charge = charged.entry;
      const giveBack = (key: string) =>
        writeEntry(ctx, id, key, () => ({
          draft: draft({
            type: "refund",
            deltas: { ...zeroBuckets(), free: 1 },
            reference: charge.reference,
            refundOf: charge.id,
          }),
        }));

      // Some other path (an older release's key) refunded the charge.
      const other = await giveBack("refund-by-another-key");
      expect(other.status).toBe("created");
      const otherId = other.status === "created" ? other.entry.id : "";

      // A second refund of it under a third key is refused by the store, not written.
      expect(await giveBack("refund-by-a-third-key")).toEqual({
        status: "conflict",
        conflict: "refund",
      });
      // The ledger's own refund of it is that refund, replayed.
      expect(await ledger.refund(id, { chargeKey: "c1" })).toMatchObject({
        status: "replayed",
        entry: { id: otherId, refundOf: charge.id },
      });
      expect((await ledger.refundOfCharge(id, "c1"))?.id).toBe(otherId);
      // The credit came back once.
      expect((await ledger.summary(id)).buckets.free).toBe(3);
    });
  },
);
