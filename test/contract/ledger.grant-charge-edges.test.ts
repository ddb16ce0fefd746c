import { afterEach, describe, expect, it } from "@jest/globals";
import type { LedgerEntry } from "../../src/ledger/types.js";
import type { AlertLevel } from "../../src/ledger/credits.js";
import { InvalidInputError } from "../../src/shared/errors.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { verifyLedger } from "../../src/ledger/verify-ledger.js";
import { newAccountId, purchase, reviewCharge, TestClock } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

/**
 * The edges of grants and charges: a bonus expiring now, a ledger on the system clock, the
 * cost table, the entry hook called for created entries only, and a replayed charge's warnings.
 */
describe.each(storeFactories())(
  "grant and charge edges on the $name store",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    it("refuses a bonus that expires now, writing nothing", async () => {
      const store = await create();
      const clock = new TestClock();
      const ledger = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 0 });
      const id = newAccountId();
      const err = await ledger
        .grant(id, {
          type: "bonus",
          amount: 5,
          description: "bonus",
          idempotencyKey: "b",
          expiresAt: clock.now(),
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err).toMatchObject({
        message: "expiresAt: must be in the future",
        issues: [{ path: "expiresAt", message: "must be in the future" }],
      });
      expect((await ledger.summary(id)).balance).toBe(0);
      expect(await store.ledger.list(id, { types: ["bonus"], limit: 10 })).toEqual([]);
    });

    it("runs on the system clock when given none, and reports its costs", async () => {
      const store = await create();
      const ledger = new Ledger({
        store: store.ledger,
        freePerMonth: 2,
        costs: { review: 2, chat: 0, command: 1 },
      });
      expect(ledger.costOf("review")).toBe(2);
      expect(ledger.costOf("command")).toBe(1);
      const id = newAccountId();
      const before = Date.now();
      await ledger.grant(id, purchase("p", 5));
      const summary = await ledger.summary(id);
      expect(summary.balance).toBe(7);
      expect(summary.nextFreeReset.getTime()).toBeGreaterThan(before);
      const month = new Date().toISOString().slice(0, 7);
      expect(summary.freePeriod).toBe(month);
    });

    it("calls the entry hook once for each entry created, never for a replay", async () => {
      const store = await create();
      const clock = new TestClock();
      const seen: { key: string; crossed: AlertLevel[] }[] = [];
      const ledger = new Ledger({
        store: store.ledger,
        now: clock.now,
        freePerMonth: 0,
        onEntry: async (entry: LedgerEntry, crossed: AlertLevel[]) => {
          seen.push({ key: entry.idempotencyKey, crossed });
        },
      });
      const id = newAccountId();
      const keys = () => seen.map((s) => s.key).filter((k) => k === "p" || k === "c1");
      await ledger.grant(id, purchase("p", 3));
      expect(keys()).toEqual(["p"]);
      await ledger.grant(id, purchase("p", 3));
      await ledger.charge(id, reviewCharge("c1"));
      expect(keys()).toEqual(["p", "c1"]);
      await ledger.charge(id, reviewCharge("c1"));
      expect(keys()).toEqual(["p", "c1"]);
    });

    it("hands back no warnings on a replayed charge that warned nothing", async () => {
      const store = await create();
      const clock = new TestClock();
      const ledger = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 0 });
      const id = newAccountId();
      await ledger.grant(id, purchase("p", 10));
      const first = await ledger.charge(id, reviewCharge("c1"));
      expect(first).toMatchObject({ status: "created", warnings: [] });
      expect(await ledger.charge(id, reviewCharge("c1"))).toMatchObject({
        status: "replayed",
        warnings: [],
      });
      const limits = { account: 100, warnAtPercent: 80 };
      await ledger.charge(id, { ...reviewCharge("c2", 2), limits });
      expect(await ledger.charge(id, { ...reviewCharge("c2", 2), limits })).toMatchObject({
        status: "replayed",
        warnings: [],
      });
    });

    it("charges a budgeted review that names no pull request", async () => {
      const store = await create();
      const clock = new TestClock();
      const ledger = new Ledger({ store: store.ledger, now: clock.now, freePerMonth: 0 });
      const id = newAccountId();
      await ledger.grant(id, purchase("p", 10));
      const limits = { account: 100, pullRequestRuns: 1, enforce: true };
      for (const key of ["c1", "c2"]) {
        const r = await ledger.charge(id, {
          action: "review",
          description: "a review",
          idempotencyKey: key,
          limits,
        });
        expect(r.status).toBe("created");
      }
      expect((await ledger.summary(id)).balance).toBe(8);
      expect((await verifyLedger(store.ledger)).problems).toEqual([]);
    });
  },
);
