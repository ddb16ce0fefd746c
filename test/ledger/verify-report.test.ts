import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { formatVerifyReport } from "../../src/ledger/verify-report.js";

describe("ledger:verify report", () => {
  it("says what it checked and that it is clean", () => {
    expect(formatVerifyReport({ accounts: 2, entries: 1, problemCount: 0, problems: [] })).toMatch(
      /^checked 2 account\(s\), 1 entry: OK/,
    );
  });

  it("lists each problem with account, seq and entry, and counts the ones left out", () => {
    const text = formatVerifyReport({
      accounts: 1,
      entries: 9,
      problemCount: 3,
      problems: [
        { accountId: toAccountId(7), seq: 4, entryId: "e4", problem: "seq is 4, expected 3" },
      ],
    });
    expect(text.split("\n")).toEqual([
      "checked 1 account(s), 9 entries: 3 problem(s)",
      "  account 7, seq 4 (entry e4): seq is 4, expected 3",
      "  ... and 2 more",
    ]);
  });
});
