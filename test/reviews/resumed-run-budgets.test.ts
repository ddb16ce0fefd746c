import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { acceptReviewOn, claimPendingRun } from "../support/runs.js";

/**
 * A run a crash left pending is resumed by the sweeper without its event: what it was claimed
 * with (the author, an admin's override) still decides which budgets hold it.
 */
const acme = toAccountId(9001);
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const pr = { repositoryId: 501, repository: "Acme-Corp/widgets", number: 12 };

async function setup() {
  const store = createMemoryStore();
  const ledger = new Ledger({ store: store.ledger, freePerMonth: 3 });
  await store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
  await store.accounts.setBudgets(acme, { ...NO_BUDGETS, authorDefault: 0 });
  await ledger.ensureFreeTier(acme);
  const accept = acceptReviewOn(store, ledger);
  return { store, ledger, accept };
}

describe("a resumed run and the budgets", () => {
  it("is held to its author's budget, and the charge is counted for that author", async () => {
    const { store, accept } = await setup();
    const run = await claimPendingRun(store, acme, pr, HEAD, { author: "octo-dev" });
    expect(await accept.resume(run)).toMatchObject({
      status: "over_budget",
      stop: { budget: "author", cap: 0, used: 0 },
    });
    expect(await store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
  });

  it("keeps an admin's override: charged past the budget, with its author recorded", async () => {
    const { store, ledger, accept } = await setup();
    const run = await claimPendingRun(store, acme, pr, HEAD, {
      author: "octo-dev",
      overBudget: true,
    });
    expect(await accept.resume(run)).toMatchObject({ status: "queued" });
    const [usage] = await store.ledger.list(acme, { types: ["usage"], limit: 10 });
    expect(usage?.reference).toMatchObject({ author: "octo-dev" });
    expect((await ledger.monthUse(acme)).authors).toEqual([
      { key: "octo-dev", credits: 1, runs: 1 },
    ]);
  });
});
