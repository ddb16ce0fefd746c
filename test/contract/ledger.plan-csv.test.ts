import { afterEach, describe, expect, it } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { entriesToCsv } from "../../src/ledger/export-csv.js";
import { makeLedger, newAccountId, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

describe.each(storeFactories())(
  "the CSV export of plan credits ($name store)",
  ({ create, cleanup }) => {
    afterEach(cleanup);

    // The plan bucket's second review found this (issue 20).
    it("shows the plan bucket's change, so each row's buckets add up to its amount", async () => {
      const store = await create();
      const { ledger } = makeLedger(store, undefined, 0);
      const id = newAccountId();
      await ledger.grantPlan(id, {
        subscription: "sub_1",
        plan: "pro",
        monthStart: new Date("2026-11-10T00:00:00Z"),
        monthEnd: new Date("2026-12-10T00:00:00Z"),
        credits: 5,
        description: "Pro plan credits",
      });
      await ledger.charge(id, reviewCharge("c1"));
      let text = "";
      for await (const chunk of entriesToCsv(store.ledger.stream(id, "asc"))) text += String(chunk);
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(["plan", "usage"]));
      expect(rows.find((r) => r.type === "plan")).toMatchObject({
        plan: "5",
        expires_at: "2026-12-10T00:00:00.000Z",
      });
      expect(rows.find((r) => r.type === "usage")).toMatchObject({ plan: "-1", free: "0" });
      for (const r of rows) {
        const parts = ["free", "plan", "bonus", "purchased"].map((b) => Number(r[b] ?? 0));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(Number(r.amount));
      }
    });
  },
);
