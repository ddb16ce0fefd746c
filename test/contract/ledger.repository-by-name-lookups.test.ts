import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { previousReleaseCharge } from "../support/previous-release.js";
import { fundedAccount } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";
import { mustCharge, reviewOf } from "../support/verify-faults.js";

/**
 * A charge counted by name (a reference from before repository ids were kept) whose name has
 * no counter of its own this month counts against the id counter now carrying that name, as
 * the whole month did (month-use.ts, repositoryCounters): of several, the one changed longest
 * ago; none when the id has been charged under another name since, or emptied. On
 * constant-size entries that counter is looked up (entry-use.ts, lookUp's `folded`).
 */

/** A review of acme/api by id (11 unless told), or by name only when `id` is null. */
const byId = (key: string, number: number, id: number | null = 11, name = "acme/api") =>
  reviewOf(key, { repository: name, repositoryId: id, number });

describe.each(storeFactories())(
  "repository budgets of charges counted by name on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    async function setUp() {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      return { store, clock, id, ledger: ledger as Ledger };
    }

    const charges = async (ledger: Ledger, id: AccountId, ...inputs: ReturnType<typeof byId>[]) => {
      for (const input of inputs) await mustCharge(ledger, id, input);
    };

    it("of two ids carrying the name, counts the one changed longest ago", async () => {
      const { store, id, ledger } = await setUp();
      // Id 11 is charged first, but id 12 (renamed to acme/api since) changed longest ago.
      await charges(
        ledger,
        id,
        byId("a1", 1),
        byId("b1", 2, 12),
        byId("b2", 3, 12),
        byId("b3", 4, 12),
        byId("a2", 5),
      );
      const r = await ledger.charge(id, { ...byId("n1", 6, null), limits: { repository: 3 } });
      expect(r).toMatchObject({ status: "over_budget", budget: "repository", used: 3 });
      // Id 11's 2 credits would have let it through.
      const fits = await ledger.charge(id, { ...byId("n2", 7, null), limits: { repository: 4 } });
      expect(fits.status).toBe("created");
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("counts an id unchanged since the whole-month snapshot the month started from before one changed after it", async () => {
      const { store, clock, id, ledger } = await setUp();
      clock.set("2026-12-02T12:00:00Z");
      // A previous release starts December: id 11 as acme/api, 2 credits, held whole.
      await previousReleaseCharge(store, clock.now(), id, "old-1", byId("", 1).reference!);
      await previousReleaseCharge(store, clock.now(), id, "old-2", byId("", 2).reference!);
      await charges(ledger, id, byId("b1", 3, 12));
      const r = await ledger.charge(id, { ...byId("n1", 4, null), limits: { repository: 2 } });
      expect(r).toMatchObject({ status: "over_budget", budget: "repository", used: 2 });
    });

    it("does not count an id charged under another name since", async () => {
      const { store, id, ledger } = await setUp();
      // Id 12 was acme/api, then renamed (changed longest ago); id 11 is acme/api now.
      await charges(
        ledger,
        id,
        byId("b1", 1, 12),
        byId("b2", 2, 12, "acme/web"),
        byId("a1", 3),
        byId("a2", 4),
      );
      const r = await ledger.charge(id, { ...byId("n1", 5, null), limits: { repository: 2 } });
      expect(r).toMatchObject({ status: "over_budget", budget: "repository", used: 2 });
      // With no id carrying the name any more, the name counts from zero.
      await charges(ledger, id, byId("a3", 6, 11, "acme/api-v2"));
      const alone = await ledger.charge(id, { ...byId("n2", 7, null), limits: { repository: 1 } });
      expect(alone.status).toBe("created");
      expect((await ledger.monthUse(id)).repositories).toEqual([
        { key: "12", name: "acme/web", credits: 2, runs: 2 },
        { key: "11", name: "acme/api-v2", credits: 3, runs: 3 },
        { key: "acme/api", credits: 1, runs: 1 },
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });

    it("does not count an id whose counter was emptied this month", async () => {
      const { store, id, ledger } = await setUp();
      await charges(ledger, id, byId("a1", 1));
      expect((await ledger.refund(id, { chargeKey: "a1" })).status).toBe("created");
      const r = await ledger.charge(id, { ...byId("n1", 2, null), limits: { repository: 1 } });
      expect(r).toMatchObject({ status: "created" });
      expect((await ledger.monthUse(id)).repositories).toEqual([
        { key: "acme/api", credits: 1, runs: 1 },
      ]);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
