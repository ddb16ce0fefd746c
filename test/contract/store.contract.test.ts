import { afterEach, describe, expect, it } from "@jest/globals";
import type { EntryFilter } from "../../src/ledger/ledger-store.js";
import { DEFAULT_SETTINGS } from "../../src/accounts/types.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { rawEntry } from "../support/entries.js";
import { newAccountId } from "../support/ledger-fixture.js";
import { storeFactories } from "../support/stores.js";

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe.each(storeFactories())("store contract: $name", ({ create, cleanup }) => {
  // Closes the stores each test opened, and drops their test databases.
  afterEach(cleanup);
  it("appends, and refuses a duplicate seq, key or refund with the reason", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    const first = await ledger.append(rawEntry(id, 1));
    expect(first.ok).toBe(true);

    expect(await ledger.append(rawEntry(id, 1, { idempotencyKey: "other" }))).toEqual({
      ok: false,
      conflict: "sequence",
    });
    expect(await ledger.append(rawEntry(id, 2, { idempotencyKey: "key-1" }))).toEqual({
      ok: false,
      conflict: "idempotency_key",
    });
    const chargeId = first.ok ? first.entry.id : "";
    expect((await ledger.append(rawEntry(id, 2, { refundOf: chargeId }))).ok).toBe(true);
    expect(await ledger.append(rawEntry(id, 3, { refundOf: chargeId }))).toEqual({
      ok: false,
      conflict: "refund",
    });
    expect((await ledger.list(id, { limit: 10 })).map((e) => e.seq)).toEqual([2, 1]);
  });

  it("lets exactly one of many concurrent appends with the same seq through", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ledger.append(rawEntry(id, 1, { idempotencyKey: `k${i}` })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.conflict === "sequence")).toHaveLength(19);
  });

  it("returns what was stored, field for field, and never a live object", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    const input = rawEntry(id, 1, {
      type: "usage",
      amount: -1,
      deltas: { free: -1, plan: 0, bonus: 0, purchased: 0 },
      reference: {
        kind: "pull_request",
        repository: "acme/api",
        number: 7,
        headSha: "b".repeat(40),
      },
    });
    const appended = await ledger.append(input);
    if (!appended.ok) throw new Error("append failed");
    const { id: entryId, ...rest } = appended.entry;
    expect(typeof entryId).toBe("string");
    expect(rest).toEqual(input);

    appended.entry.balanceAfter = 999;
    const again = (await ledger.findById(id, entryId)) as LedgerEntry;
    expect(again).toEqual(await ledger.findByKey(id, "key-1"));
    expect(again.balanceAfter).toBe(1);
    expect(again.createdAt).toBeInstanceOf(Date);
    expect(await ledger.latest(id)).toEqual(again);
  });

  it("filters lists by type, date and cursor, newest first", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    for (let seq = 1; seq <= 6; seq++) {
      await ledger.append(rawEntry(id, seq, { type: seq % 2 ? "usage" : "bonus" }));
    }
    const seqs = (es: LedgerEntry[]) => es.map((e) => e.seq);
    expect(seqs(await ledger.list(id, { limit: 3 }))).toEqual([6, 5, 4]);
    expect(seqs(await ledger.list(id, { limit: 10, beforeSeq: 4 }))).toEqual([3, 2, 1]);
    expect(seqs(await ledger.list(id, { limit: 10, types: ["usage"] }))).toEqual([5, 3, 1]);
    expect(seqs(await ledger.list(id, { limit: 10, types: [] }))).toHaveLength(6);
    const range = { from: new Date(Date.UTC(2026, 10, 2)), to: new Date(Date.UTC(2026, 10, 5)) };
    expect(seqs(await ledger.list(id, { limit: 10, ...range }))).toEqual([4, 3, 2]);
  });

  it("streams every entry in either order and sums amounts by type and date", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    for (let seq = 1; seq <= 5; seq++) {
      await ledger.append(rawEntry(id, seq, { type: seq > 2 ? "usage" : "bonus", amount: seq }));
    }
    expect((await collect(ledger.stream(id, "asc"))).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await collect(ledger.stream(id, "desc"))).map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(await ledger.sumAmounts(id, ["usage"], new Date(0))).toBe(12);
    expect(await ledger.sumAmounts(id, ["usage", "bonus"], new Date(Date.UTC(2026, 10, 4)))).toBe(
      9,
    );
    expect(await ledger.sumAmounts(newAccountId(), ["usage"], new Date(0))).toBe(0);
  });

  it("streams only the entries a type or date filter lets through, in either order", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    const types = ["usage", "bonus", "refund"] as const;
    // seq n is created on 2026-11-n; types rotate usage, bonus, refund.
    for (let seq = 1; seq <= 9; seq++) {
      await ledger.append(rawEntry(id, seq, { type: types[(seq - 1) % 3]! }));
    }
    await ledger.append(rawEntry(newAccountId(), 1, { type: "usage" }));
    const seqs = async (order: "asc" | "desc", filter: EntryFilter) =>
      (await collect(ledger.stream(id, order, filter))).map((e) => e.seq);
    const day = (d: number) => new Date(Date.UTC(2026, 10, d));

    expect(await seqs("desc", { types: ["usage"] })).toEqual([7, 4, 1]);
    expect(await seqs("asc", { types: ["usage", "refund"] })).toEqual([1, 3, 4, 6, 7, 9]);
    expect(await seqs("desc", { types: [] })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // from is inclusive, to exclusive, as in list().
    expect(await seqs("desc", { from: day(3), to: day(6) })).toEqual([5, 4, 3]);
    expect(await seqs("asc", { from: day(8) })).toEqual([8, 9]);
    expect(await seqs("asc", { to: day(3) })).toEqual([1, 2]);
    expect(await seqs("desc", { types: ["bonus"], from: day(3), to: day(9) })).toEqual([8, 5]);
    expect(await seqs("asc", { types: ["expiration"] })).toEqual([]);
    expect(await seqs("asc", { from: day(6), to: day(6) })).toEqual([]);
    // No filter and an empty one are the same: everything.
    expect(await seqs("asc", {})).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("streams histories longer than a database batch without losing or repeating one", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    // More than two of the mongo store's batches of 500; every third entry is a usage.
    const total = 1201;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        ledger.append(rawEntry(id, i + 1, { type: i % 3 === 0 ? "usage" : "bonus" })),
      ),
    );
    const seqs = async (order: "asc" | "desc", filter?: EntryFilter) =>
      (await collect(ledger.stream(id, order, filter))).map((e) => e.seq);
    const range = (from: number, to: number, step = 1) =>
      Array.from({ length: Math.ceil((to - from + 1) / step) }, (_, i) => from + i * step);
    const day = (d: number) => new Date(Date.UTC(2026, 10, d));

    expect(await seqs("asc")).toEqual(range(1, total));
    expect(await seqs("desc")).toEqual(range(1, total).reverse());
    expect(await seqs("desc", { types: ["usage"] })).toEqual(range(1, total, 3).reverse());
    // Exactly one and exactly two full batches: the stream must still end, with nothing extra.
    expect(await seqs("desc", { from: day(101), to: day(601) })).toEqual(range(101, 600).reverse());
    expect(await seqs("asc", { from: day(2), to: day(1002) })).toEqual(range(2, 1001));
    expect(await seqs("asc", { types: ["bonus"], from: day(700) })).toEqual(
      range(700, total).filter((seq) => (seq - 1) % 3 !== 0),
    );
  });

  it("lets a reader stop a stream early and start another", async () => {
    const { ledger } = await create();
    const id = newAccountId();
    for (let seq = 1; seq <= 3; seq++) await ledger.append(rawEntry(id, seq));
    for await (const e of ledger.stream(id, "desc", { types: ["bonus"] })) {
      expect(e.seq).toBe(3);
      break;
    }
    expect(await collect(ledger.stream(id, "asc"))).toHaveLength(3);
  });

  it("keeps accounts apart: same keys, seqs and ids never cross", async () => {
    const { ledger } = await create();
    const a = newAccountId();
    const b = newAccountId();
    const inA = await ledger.append(rawEntry(a, 1));
    expect((await ledger.append(rawEntry(b, 1))).ok).toBe(true);
    if (!inA.ok) throw new Error("append failed");
    expect(await ledger.findById(b, inA.entry.id)).toBeNull();
    expect((await ledger.findByKey(b, "key-1"))?.accountId).toBe(b);
    expect(await collect(ledger.stream(b, "asc"))).toHaveLength(1);
    const ids = await collect(ledger.accountIds());
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    // Each once, in id order.
    expect(ids).toEqual([...new Set(ids)].sort((x, y) => x - y));
  });

  it("creates accounts, keeps logins current and finds them case-insensitively", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const created = await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    expect(created).toMatchObject({ id, login: "Acme-Corp", status: "active" });
    await accounts.setStatus(id, "suspended");
    const renamed = await accounts.upsert({ id, login: "acme-inc", type: "Organization" });
    expect(renamed).toMatchObject({ login: "acme-inc", status: "suspended" });
    expect((await accounts.findByLogin("ACME-INC"))?.id).toBe(id);
    expect(await accounts.findByLogin("acme-corp")).toBeNull();
    expect(await accounts.findByLogin(".*")).toBeNull();
    expect(await accounts.get(newAccountId())).toBeNull();
    expect(await accounts.setStatus(newAccountId(), "active")).toBeNull();
  });

  it("keeps the installation an installation event names, across upserts without one", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const installation = 700_000 + id;
    expect(await accounts.findByInstallation(installation)).toBeNull();
    await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    expect((await accounts.get(id))?.installationId).toBeUndefined();
    await accounts.upsert({
      id,
      login: "Acme-Corp",
      type: "Organization",
      installationId: installation,
    });
    // A repository event's upsert names no installation: the one held stays.
    await accounts.upsert({ id, login: "acme-inc", type: "Organization" });
    expect(await accounts.findByInstallation(installation)).toMatchObject({
      id,
      login: "acme-inc",
      installationId: installation,
    });
    // Reinstalled: the new installation is the account's, the old one nobody's.
    await accounts.upsert({
      id,
      login: "acme-inc",
      type: "Organization",
      installationId: installation + 1,
    });
    expect(await accounts.findByInstallation(installation)).toBeNull();
    expect((await accounts.findByInstallation(installation + 1))?.id).toBe(id);
  });

  it("hands out default settings as each account's own, never the shared defaults", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const created = await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    created.settings.billingContacts.push("attacker@evil.example");
    const read = await accounts.get(id);
    read!.settings.billingContacts.push("attacker@evil.example");
    (await accounts.findByLogin("acme-corp"))!.settings.billingContacts.push("x@evil.example");
    expect(DEFAULT_SETTINGS.billingContacts).toEqual([]);
    expect((await accounts.get(id))!.settings.billingContacts).toEqual([]);
    const other = await accounts.upsert({ id: newAccountId(), login: "Globex", type: "User" });
    expect(other.settings.billingContacts).toEqual([]);
  });

  it("gives a new account no budgets, as arrays of its own", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    const created = await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    expect(created.budgets).toEqual(NO_BUDGETS);
    created.budgets.repositories.push({ pattern: "api", credits: 1 });
    (await accounts.get(id))!.budgets.authors.push({ login: "mallory", credits: 1 });
    expect(NO_BUDGETS.repositories).toEqual([]);
    expect(NO_BUDGETS.authors).toEqual([]);
    expect((await accounts.get(id))!.budgets).toEqual(NO_BUDGETS);
    const other = await accounts.upsert({ id: newAccountId(), login: "Globex", type: "User" });
    expect(other.budgets).toEqual(NO_BUDGETS);
  });

  it("replaces budget rules as a whole, keeps them across upserts and hands out copies", async () => {
    const { accounts } = await create();
    const id = newAccountId();
    await accounts.upsert({ id, login: "Acme-Corp", type: "Organization" });
    const rules: BudgetRules = {
      account: 0,
      repositories: [
        { pattern: "api", credits: 40 },
        { pattern: "web-*", credits: 10 },
      ],
      authorDefault: 5,
      authors: [{ login: "Octocat", credits: 20 }],
      pullRequestRuns: 3,
      warnAtPercent: 90,
    };
    const set = await accounts.setBudgets(id, rules);
    expect(set!.budgets).toEqual(rules);
    // Neither the caller's object nor what it was handed is the stored one.
    rules.repositories.push({ pattern: "x", credits: 1 });
    rules.authors[0]!.credits = 999;
    set!.budgets.repositories.pop();
    const read = (await accounts.get(id))!.budgets;
    expect(read.repositories).toEqual([
      { pattern: "api", credits: 40 },
      { pattern: "web-*", credits: 10 },
    ]);
    expect(read.authors).toEqual([{ login: "Octocat", credits: 20 }]);
    expect(read.account).toBe(0);
    // A renaming upsert keeps them; the next set replaces everything, nulls included.
    await accounts.upsert({ id, login: "acme-inc", type: "Organization" });
    expect((await accounts.findByLogin("acme-inc"))!.budgets).toEqual(read);
    const cleared = { ...NO_BUDGETS, repositories: [], authors: [], warnAtPercent: 50 };
    expect((await accounts.setBudgets(id, cleared))!.budgets).toEqual(cleared);
    expect((await accounts.get(id))!.budgets).toEqual(cleared);
  });

  it("sets no budgets on an account it does not know", async () => {
    const { accounts } = await create();
    const known = newAccountId();
    await accounts.upsert({ id: known, login: "Acme-Corp", type: "Organization" });
    expect(await accounts.setBudgets(newAccountId(), { ...NO_BUDGETS, account: 5 })).toBeNull();
    expect((await accounts.get(known))!.budgets.account).toBeNull();
  });

  it("gives a login that changed hands to the account GitHub named most recently", async () => {
    const { accounts } = await create();
    const old = newAccountId();
    const current = newAccountId();
    await accounts.upsert({ id: old, login: "octo-team", type: "Organization" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The old holder renamed away on GitHub, but we have not heard from it since.
    await accounts.upsert({ id: current, login: "Octo-Team", type: "Organization" });
    expect((await accounts.findByLogin("octo-team"))?.id).toBe(current);
  });
});
