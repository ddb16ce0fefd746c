import { afterEach, describe, expect, it } from "@jest/globals";
import { previousReleaseCharge } from "../support/previous-release.js";
import { apiPr, fundedAccount } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * A replay of a charge a previous release wrote (a whole-month entry, not constant-size): it
 * hands back the warnings that charge added to its month, compared with the entry before it
 * only when that entry is of the same month.
 */

const pr = apiPr;

describe.each(storeFactories())(
  "replays of a previous release's charges on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("hands back a warning its charge added in a new month, though last month's warned it too", async () => {
      const store = await create();
      const { clock, id, ledger } = await fundedAccount(store, 100);
      const limits = { account: 2, warnAtPercent: 50 };
      const nov = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(1),
        idempotencyKey: "nov",
        limits,
      });
      expect(nov).toMatchObject({ status: "created", warnings: [{ id: "account" }] });

      clock.set("2026-12-01T12:00:00Z");
      await previousReleaseCharge(store, clock.now(), id, "dec", pr(2), ["account"]);
      const replay = await ledger.charge(id, {
        action: "review",
        description: "r",
        reference: pr(2),
        idempotencyKey: "dec",
        limits,
      });
      expect(replay).toMatchObject({
        status: "replayed",
        warnings: [{ id: "account", budget: "account", cap: 2, used: 1 }],
      });
    });
  },
);
