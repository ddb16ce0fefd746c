import { describe, expect, it } from "@jest/globals";
import { entriesToCsv } from "../../src/ledger/export-csv.js";
import { toAccountId } from "../../src/accounts/types.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { rawEntry } from "../support/entries.js";

describe("CSV export", () => {
  it("pulls entries only as fast as the reader reads, and lets go when it stops", async () => {
    let pulled = 0;
    let released = false;
    // An endless history: a CSV export that loaded everything first would never return.
    async function* endless(): AsyncGenerator<LedgerEntry> {
      try {
        for (let seq = 1; ; seq++) {
          pulled++;
          yield { ...rawEntry(toAccountId(1), seq), id: `e${seq}` };
        }
      } finally {
        released = true; // where a database cursor is closed
      }
    }

    const csv = entriesToCsv(endless());
    let rows = 0;
    for await (const chunk of csv) {
      rows += String(chunk).split("\n").length - 1;
      if (rows > 2000) break;
    }
    expect(rows).toBeGreaterThan(2000);
    // What was read, plus the stream's small read-ahead buffer; nothing like "everything".
    expect(pulled).toBeLessThan(rows + 500);
    expect(released).toBe(true);
  });
});
