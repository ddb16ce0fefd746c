import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { createListAccounts } from "../../src/operators/list-accounts.js";
import { repairListings } from "../../src/operators/repair-listings.js";
import { InvalidInputError } from "../../src/shared/errors.js";
import { MemoryLedgerStore } from "../../src/store/memory/memory-ledger-store.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { rawEntry } from "../support/entries.js";

const org = (n: number) => toAccountId(500 + n);

describe("the operators' account list", () => {
  it("pages by balance and by activity with the cursor it hands out, reading no ledger", async () => {
    const store = createMemoryStore();
    for (let n = 1; n <= 5; n += 1) {
      await store.accounts.upsert({ id: org(n), login: `org-${n}`, type: "Organization" });
      // Balances 2, 4, 6, 8, 10 (all at the warning level or below), days 1..5.
      await store.ledger.append(rawEntry(org(n), 1, { balanceAfter: 2 * n }));
      await store.ledger.append(
        rawEntry(org(n), 2, { balanceAfter: 2 * n, createdAt: new Date(Date.UTC(2026, 10, n)) }),
      );
    }
    const newest = new Date(Date.UTC(2026, 10, 9));
    await store.ledger.append(rawEntry(org(3), 3, { balanceAfter: 50, createdAt: newest }));
    const list = createListAccounts({ accounts: store.accounts });
    const walk = async (by: "balance" | "activity") => {
      const logins: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await list(by, 2, cursor);
        logins.push(...page.lines.map((l) => l.account.login));
        if (!page.next) return { logins, pages: pages + 1 };
        cursor = page.next;
      }
      throw new Error("no last page");
    };
    // org-3 is above the warning level now: not listed by balance.
    expect(await walk("balance")).toEqual({
      logins: ["org-1", "org-2", "org-4", "org-5"],
      pages: 3,
    });
    const recent = await walk("activity");
    expect(recent.logins).toEqual(["org-3", "org-5", "org-4", "org-2", "org-1"]);
    const first = await list("balance", 2);
    expect(first.lines[0]).toMatchObject({ balance: 2, alertLevel: "critical" });
    expect(first.next).toBe(`balance:4:${org(2)}`);
  });

  it("refuses a cursor it did not hand out, or one of the other order", async () => {
    const list = createListAccounts({ accounts: createMemoryStore().accounts });
    for (const bad of ["", "balance:x:1", "balance:1", "size:1:2", "balance:1:2; drop"]) {
      await expect(list("balance", 10, bad)).rejects.toThrow(InvalidInputError);
    }
    await expect(list("activity", 10, "balance:3:501")).rejects.toThrow(/not by activity/);
  });

  it("the repair fills in the copies of accounts from before it was kept, and catches up lagging ones", async () => {
    const store = createMemoryStore();
    // Entries written before the account was stored: no copy was made (as for old accounts).
    await store.ledger.append(rawEntry(org(1), 1, { balanceAfter: 7 }));
    await store.accounts.upsert({ id: org(1), login: "old-org", type: "Organization" });
    // An account whose copy lags: its last append went around the listing (a failed update).
    await store.accounts.upsert({ id: org(2), login: "lagging", type: "Organization" });
    await store.ledger.append(rawEntry(org(2), 1, { balanceAfter: 3 }));
    const raw = store.ledger as unknown as MemoryLedgerStore;
    await MemoryLedgerStore.prototype.append.call(raw, rawEntry(org(2), 2, { balanceAfter: 1 }));
    await store.accounts.upsert({ id: org(3), login: "no-entries", type: "Organization" });
    const list = createListAccounts({ accounts: store.accounts });
    expect((await list("balance", 10)).lines.map((l) => [l.account.login, l.balance])).toEqual([
      ["lagging", 3],
    ]);
    expect(await repairListings({ accounts: store.accounts, ledger: store.ledger })).toEqual({
      accounts: 3,
      repaired: 2,
    });
    expect((await list("balance", 10)).lines.map((l) => [l.account.login, l.balance])).toEqual([
      ["lagging", 1],
      ["old-org", 7],
    ]);
    // Nothing left to do.
    expect(await repairListings({ accounts: store.accounts, ledger: store.ledger })).toEqual({
      accounts: 3,
      repaired: 0,
    });
  });
});
