import { afterEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { newAccountId, purchase, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * Refunds of charges counted by name (from before ids were kept) after their counter was
 * folded into an id that was then renamed, while another repository took the old name: the
 * refund is counted on the repository now holding the name (month-use.ts, repositoryCounters;
 * nothing ties the two), and can take its credits to zero before its runs, or its runs to zero
 * before its credits. Each such change is the counter's new value for the charges after it:
 * its budget, and the month's use for people, are the month's entries added up.
 */

const ref = (number: number, repositoryId?: number, repository = "acme/api") => ({
  kind: "pull_request" as const,
  repository,
  number,
  ...(repositoryId === undefined ? {} : { repositoryId }),
});

type Ref = ReturnType<typeof ref>;

describe.each(storeFactories())(
  "refunds by name counted on the repository now holding the name, on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("a change of only the credits, or only the runs, is what the next charges read", async () => {
      const store = await create();
      const id: AccountId = newAccountId();
      // A review costs 10, a chat 1.
      const ledger = new Ledger({
        store: store.ledger,
        now: new TestClock().now,
        freePerMonth: 0,
        costs: { review: 10, chat: 1, command: 1 },
      });
      await ledger.grant(id, purchase("buy", 1000));
      const charge = async (
        key: string,
        action: "review" | "chat",
        reference: Ref,
        limits = {},
      ) => {
        const r = await ledger.charge(id, {
          action,
          description: "r",
          reference,
          idempotencyKey: key,
          limits,
        });
        return r.status;
      };
      const refund = async (key: string) =>
        expect((await ledger.refund(id, { chargeKey: key })).status).toBe("created");
      // Repository 12 as the whole month has it, and as people read it (GET /budgets).
      const twelve = async () => {
        const whole = (await ledger.monthUse(id)).repositories.find((c) => c.key === "12");
        const read = await ledger.monthCounters(id, { repositories: true, authors: false });
        expect(read.repositories.find((c) => c.key === "12")).toEqual(whole);
        return whole;
      };

      // By name: two reviews and three chats of acme/api.
      await charge("j", "review", ref(1));
      await charge("k", "review", ref(2));
      for (const [n, key] of ["m", "n", "o"].entries()) await charge(key, "chat", ref(3 + n));
      // Folded into id 11, which is then renamed; id 12 takes the name.
      await charge("f", "chat", ref(6, 11));
      await charge("r", "chat", ref(7, 11, "acme/api-v2"));
      for (const n of [8, 9, 10]) await charge(`t${n}`, "chat", ref(n, 12));
      expect(await twelve()).toEqual({ key: "12", name: "acme/api", credits: 3, runs: 3 });

      // The reviews' refunds take 12's credits to zero, then only its runs down.
      await refund("j");
      await refund("k");
      expect(await twelve()).toEqual({ key: "12", name: "acme/api", credits: 0, runs: 1 });

      // A review of 12, then the chats' refunds take its runs to zero, then only its credits.
      expect(await charge("t11", "review", ref(11, 12))).toBe("created");
      for (const key of ["m", "n", "o"]) await refund(key);
      expect(await twelve()).toEqual({ key: "12", name: "acme/api", credits: 7, runs: 0 });
      // 7 used of 8: one more chat fits, the one after does not.
      expect(await charge("t12", "chat", ref(12, 12), { repository: 8 })).toBe("created");
      expect(await charge("t13", "chat", ref(13, 12), { repository: 8 })).toBe("over_budget");
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
