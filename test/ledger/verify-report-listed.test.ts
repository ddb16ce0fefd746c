import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { formatVerifyReport } from "../../src/ledger/verify-report.js";

describe("ledger:verify report of problems all listed", () => {
  it("says nothing of more problems when it lists every one", () => {
    const text = formatVerifyReport({
      accounts: 2,
      entries: 5,
      problemCount: 2,
      problems: [
        { accountId: toAccountId(7), seq: 4, entryId: "e4", problem: "seq is 4, expected 3" },
        { accountId: toAccountId(8), seq: 2, entryId: "e9", problem: "bonus is negative (-1)" },
      ],
    });
    expect(text.split("\n")).toEqual([
      "checked 2 account(s), 5 entries: 2 problem(s)",
      "  account 7, seq 4 (entry e4): seq is 4, expected 3",
      "  account 8, seq 2 (entry e9): bonus is negative (-1)",
    ]);
  });
});
