import { afterEach, describe, expect, it } from "@jest/globals";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { fundedAccount } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { mustCharge, reviewOf } from "../support/verify-faults.js";

/**
 * Which warnings an entry may take back, and how a replay adds a previous release's
 * (entry-use.ts, canBeTakenBack and replayWarned): a budget warns once a month.
 */
describe.each(storeFactories())(
  "warnings taken back and replayed on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setUp() {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      return { store, clock, id, ledger };
    }

    it("an entry taking back a repository's warning by its id is not believed: the budget does not warn again", async () => {
      const { store, id, ledger } = await setUp();
      const limits = { repository: 4, warnAtPercent: 25 };
      const c = await ledger.charge(id, { ...reviewOf("c1", { number: 1 }), limits });
      expect(c).toMatchObject({ status: "created", warnings: [{ id: "repository:11" }] });
      const prev = (await store.ledger.latest(id))!;
      // Planted: an entry of nothing that takes the id's warning back (only a name's may go).
      const planted = await store.ledger.append({
        ...prev,
        seq: prev.seq + 1,
        type: "adjustment",
        idempotencyKey: "planted",
        amount: 0,
        deltas: { free: 0, plan: 0, bonus: 0, purchased: 0 },
        reference: null,
        monthUse: {
          ...prev.monthUse!,
          repositories: [],
          authors: [],
          warned: [],
          unwarned: ["repository:11"],
        },
      });
      if (!planted.ok) throw new Error(`planting failed: ${planted.conflict}`);
      const again = await ledger.charge(id, { ...reviewOf("c2", { number: 2 }), limits });
      expect(again).toMatchObject({ status: "created", warnings: [] });
      expect((await ledger.monthUse(id)).warned).toEqual(["repository:11"]);
    });

    it("a previous release's charge right after the month's first charge holds the whole month, and ledger:verify accepts it", async () => {
      const { store, clock, id, ledger } = await setUp();
      const limits = { account: 4, warnAtPercent: 25 };
      const c = await ledger.charge(id, { ...reviewOf("c1", { number: 1 }), limits });
      expect(c).toMatchObject({ status: "created", warnings: [{ id: "account" }] });
      // It reads the first charge's counters and warnings, which are the whole month.
      const old = await previousReleaseCharge(
        store,
        clock.now(),
        id,
        "old",
        reviewOf("", { number: 2 }).reference!,
      );
      expect(old.monthUse!.warned).toEqual(["account"]);
      const next = await mustCharge(ledger, id, { ...reviewOf("c3", { number: 3 }), limits });
      expect(next.monthUse!.warned).toEqual(["account"]);
      expect((await ledger.monthUse(id)).warned).toEqual(["account"]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
