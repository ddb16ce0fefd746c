import { afterEach, describe, expect, it } from "@jest/globals";
import { setEnterprisePlan } from "../../src/billing/enterprise-plan.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { planMonthSetup } from "../support/plan-month-fixtures.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())(
  "an enterprise plan raised twice ($name)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("grants each raise's difference within the month", async () => {
      const { deps, clock, ledger } = await planMonthSetup(create, "2026-12-15T09:00:00Z");
      const id = newAccountId();
      const terms = { name: "Enterprise Acme", priceCents: 250_000, daysUntilDue: 30 };
      await setEnterprisePlan(deps, id, { ...terms, creditsPerMonth: 5000 });
      clock.set("2026-12-20T09:00:00Z");
      await setEnterprisePlan(deps, id, { ...terms, creditsPerMonth: 8000 });
      clock.set("2026-12-22T09:00:00Z");
      const again = await setEnterprisePlan(deps, id, { ...terms, creditsPerMonth: 10000 });
      expect(again).toMatchObject({ grant: { status: "created", entry: { amount: 2000 } } });
      expect((await ledger.summary(id)).buckets.plan).toBe(10000);
    });
  },
);
