import { afterEach, describe, expect, it, jest } from "@jest/globals";
import {
  MAX_LISTING_PAGE,
  type AccountListing,
  type ListedAccount,
  type ListingQuery,
} from "../../src/accounts/account-store.js";
import type { AccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import { makeLedger, newAccountId, purchase, reviewCharge } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const at = (day: number) => new Date(Date.UTC(2026, 10, day));
const listing = (seq: number, balance: number, day = seq): AccountListing => ({
  seq,
  balance,
  lastActivity: at(day),
});

/** Every page of `query`, each `size` long, following the cursor of the last line. */
async function allPages(store: Store, query: Omit<ListingQuery, "limit" | "after">, size: number) {
  const lines: ListedAccount[] = [];
  let after: ListingQuery["after"];
  for (let pages = 0; pages < 50; pages += 1) {
    const page = await store.accounts.listAccounts({ ...query, after, limit: size });
    lines.push(...page);
    const last = page.at(-1);
    if (!last || page.length < size) return lines;
    const value =
      query.by === "balance"
        ? last.listing!.balance
        : query.by === "activity"
          ? last.listing!.lastActivity.getTime()
          : 0;
    after = { value, id: last.id };
  }
  throw new Error("more than 50 pages");
}

describe.each(storeFactories())("account listing contract: $name", ({ create, cleanup }) => {
  afterEach(cleanup);

  const account = async (store: Store, login: string): Promise<AccountId> => {
    const id = newAccountId();
    await store.accounts.upsert({ id, login, type: "Organization" });
    return id;
  };

  it("keeps the copy of the newest seq: an older or equal one never overwrites it", async () => {
    const store = await create();
    const id = await account(store, "Acme-Corp");
    const before = await store.accounts.get(id);
    expect(await store.accounts.recordListing(id, listing(5, 40))).toBe(true);
    expect(await store.accounts.recordListing(id, listing(4, 99))).toBe(false);
    expect(await store.accounts.recordListing(id, listing(5, 99))).toBe(false);
    const [line] = await store.accounts.listAccounts({ by: "id", limit: 10 });
    expect(line).toEqual({ id, login: "Acme-Corp", status: "active", listing: listing(5, 40) });
    expect(await store.accounts.recordListing(id, listing(6, 39))).toBe(true);
    expect((await store.accounts.listAccounts({ by: "id", limit: 1 }))[0]!.listing).toEqual(
      listing(6, 39),
    );
    // Not news about the account: its updatedAt (what login lookups go by) stays.
    expect((await store.accounts.get(id))!.updatedAt).toEqual(before!.updatedAt);
    expect(await store.accounts.recordListing(newAccountId(), listing(1, 1))).toBe(false);
  });

  it("ends at the newest copy however concurrent updates land", async () => {
    const store = await create();
    const id = await account(store, "Acme-Corp");
    // Out of order on purpose: 20 first, then the older ones racing.
    const seqs = [20, 3, 17, 1, 19, 8, 2, 15, 11, 4, 18, 6, 13, 9, 16, 5, 12, 7, 14, 10];
    const applied = await Promise.all(
      seqs.map((s) => store.accounts.recordListing(id, listing(s, 100 - s))),
    );
    expect(applied[0]).toBe(true);
    const [line] = await store.accounts.listAccounts({ by: "id", limit: 1 });
    expect(line!.listing).toEqual(listing(20, 80));
  });

  it("pages by balance (at most a level, lowest first), by activity (newest first) and by id", async () => {
    const store = await create();
    const ids: AccountId[] = [];
    // Balances with ties, days with ties; the last account has no copy at all.
    const copies = [
      [3, 2],
      [0, 9],
      [3, 9],
      [50, 4],
      [7, 9],
      [3, 1],
      [10, 6],
    ] as const;
    for (const [i, [balance, day]] of copies.entries()) {
      const id = await account(store, `org-${i}`);
      ids.push(id);
      await store.accounts.recordListing(id, listing(1, balance, day));
    }
    const bare = await account(store, "no-entries");

    for (const size of [1, 2, 3, 100]) {
      const low = await allPages(store, { by: "balance", maxBalance: 10 }, size);
      expect(low.map((l) => [l.listing!.balance, l.id])).toEqual(
        ids
          .map((id, i) => [copies[i]![0], id] as const)
          .filter(([b]) => b <= 10)
          .sort((x, y) => x[0] - y[0] || x[1] - y[1]),
      );
      const recent = await allPages(store, { by: "activity" }, size);
      expect(recent.map((l) => [l.listing!.lastActivity.getTime(), l.id])).toEqual(
        ids
          .map((id, i) => [at(copies[i]![1]).getTime(), id] as const)
          .sort((x, y) => y[0] - x[0] || x[1] - y[1]),
      );
      // By id: every account, the one without a copy too (what the repair walks).
      const all = await allPages(store, { by: "id" }, size);
      expect(all.map((l) => l.id)).toEqual([...ids, bare].sort((x, y) => x - y));
      expect(all.find((l) => l.id === bare)!.listing).toBeNull();
    }
    expect(await store.accounts.listAccounts({ by: "balance", limit: 0 })).toEqual([]);
  });

  it("reads at most a page of MAX_LISTING_PAGE, whatever the limit asked for", async () => {
    const store = await create();
    for (let i = 0; i < MAX_LISTING_PAGE + 2; i += 1) await account(store, `org-${i}`);
    const page = await store.accounts.listAccounts({ by: "id", limit: MAX_LISTING_PAGE + 2 });
    expect(page).toHaveLength(MAX_LISTING_PAGE);
  });

  it("every append brings the copy to the entry it wrote; none for an account not stored", async () => {
    const store = await create();
    const id = await account(store, "Acme-Corp");
    const stranger = newAccountId();
    await store.ledger.append(rawEntry(id, 1, { balanceAfter: 5, createdAt: at(3) }));
    await store.ledger.append(rawEntry(id, 2, { balanceAfter: 4, createdAt: at(4) }));
    // A refused append (same seq) changes nothing.
    await store.ledger.append(rawEntry(id, 2, { balanceAfter: 77, idempotencyKey: "other" }));
    await store.ledger.append(rawEntry(stranger, 1));
    const lines = await store.accounts.listAccounts({ by: "id", limit: 10 });
    expect(lines).toEqual([
      { id, login: "Acme-Corp", status: "active", listing: listing(2, 4, 4) },
    ]);
  });

  it("keeps the copy when a test spies on append, and the spy sees each append once", async () => {
    const store = await create();
    const id = await account(store, "Acme-Corp");
    const spy = jest.spyOn(store.ledger, "append");
    expect((await store.ledger.append(rawEntry(id, 1, { balanceAfter: 9 }))).ok).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    await store.ledger.append(rawEntry(id, 2, { balanceAfter: 8 }));
    const [line] = await store.accounts.listAccounts({ by: "id", limit: 1 });
    expect(line!.listing?.seq).toBe(2);
  });

  it("follows concurrent charges to the newest entry: the month roll, the grant and every charge", async () => {
    const store = await create();
    const id = await account(store, "Acme-Corp");
    const { ledger } = makeLedger(store);
    await ledger.grant(id, purchase("p1", 30));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => ledger.charge(id, reviewCharge(`r${i}`, i + 1))),
    );
    const newest = await store.ledger.latest(id);
    const [line] = await store.accounts.listAccounts({ by: "id", limit: 1 });
    expect(line!.listing).toEqual({
      seq: newest!.seq,
      balance: newest!.balanceAfter,
      lastActivity: newest!.createdAt,
    });
  });
});
