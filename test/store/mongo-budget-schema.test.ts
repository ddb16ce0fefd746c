import { describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import { accountModel } from "../../src/store/mongo/models/account.js";

/**
 * The account model's budget subdocument, validated as mongoose would before a write. No
 * server is needed: the store's contract suite covers the round trip when one is there.
 */
const Account = accountModel(mongoose.createConnection());
const account = (budgets: object) =>
  new Account({
    _id: 101,
    login: "Acme-Corp",
    loginLower: "acme-corp",
    type: "Organization",
    status: "active",
    budgets,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

describe("account budgets as stored", () => {
  it("keeps unset caps null and the arrays as given, with no _id on rules", async () => {
    const doc = account({
      ...NO_BUDGETS,
      repositories: [{ pattern: "api-*", credits: 0 }],
      authors: [{ login: "octocat", credits: 3 }],
    });
    await doc.validate();
    const stored = doc.toObject().budgets!;
    expect(stored).toEqual({
      ...NO_BUDGETS,
      repositories: [{ pattern: "api-*", credits: 0 }],
      authors: [{ login: "octocat", credits: 3 }],
    });
  });

  it("writes nothing into a document stored without budgets", () => {
    const doc = new Account({
      _id: 102,
      login: "Globex",
      loginLower: "globex",
      type: "Organization",
      status: "active",
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    expect(doc.toObject().budgets).toBeUndefined();
  });

  it.each([
    ["a fractional account cap", { account: 1.5 }, "budgets.account"],
    [
      "a negative repository cap",
      { repositories: [{ pattern: "api", credits: -1 }] },
      "budgets.repositories.0.credits",
    ],
    ["an author rule without a login", { authors: [{ credits: 1 }] }, "budgets.authors.0.login"],
    ["a run cap of 0", { pullRequestRuns: 0 }, "budgets.pullRequestRuns"],
    ["a warning share over 100", { warnAtPercent: 101 }, "budgets.warnAtPercent"],
  ])("refuses %s", async (_what, change, path) => {
    const refusal = await account({ ...NO_BUDGETS, ...change })
      .validate()
      .then(
        () => null,
        (err: unknown) => err as mongoose.Error.ValidationError,
      );
    expect(Object.keys(refusal?.errors ?? {})).toContain(path);
  });
});
