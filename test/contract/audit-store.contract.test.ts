import { afterEach, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import type { NewAuditEntry } from "../../src/audit/types.js";
import { storeFactories } from "../support/stores.js";

const A = toAccountId(101);
const B = toAccountId(202);
const at = (iso: string) => new Date(iso);
const entry = (over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  accountId: A,
  at: at("2026-11-10T10:00:00Z"),
  actor: { kind: "operator", name: "ops" },
  action: "grant",
  interface: "cli",
  details: { amount: 5 },
  idempotencyKey: `k-${Math.random()}`,
  ...over,
});

describe.each(storeFactories())("audit store ($name)", (factory) => {
  afterEach(() => factory.cleanup());

  it("appends once per (account, key), and answers the stored entry on a replay", async () => {
    const { audit } = await factory.create();
    const first = await audit.append(entry({ idempotencyKey: "same" }));
    const again = await audit.append(entry({ idempotencyKey: "same", details: { amount: 9 } }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ created: false, entry: first.entry });
    // The key is per account: another account's entry under it is its own.
    expect((await audit.append(entry({ accountId: B, idempotencyKey: "same" }))).created).toBe(
      true,
    );
    expect(await audit.list(A, { limit: 10 })).toHaveLength(1);
  });

  it("keeps actor, details and interface as given", async () => {
    const { audit } = await factory.create();
    const { entry: stored } = await audit.append(
      entry({
        actor: { kind: "github_user", id: 7, login: "octo" },
        action: "settings_changed",
        interface: "api",
        details: { changed: { lowBalanceEmails: false } },
      }),
    );
    expect(stored.id).toMatch(/^[0-9a-f]{24}$/);
    expect(await audit.list(A, { limit: 10 })).toEqual([stored]);
    expect(stored).toMatchObject({
      accountId: A,
      actor: { kind: "github_user", id: 7, login: "octo" },
      action: "settings_changed",
      interface: "api",
      details: { changed: { lowBalanceEmails: false } },
    });
  });

  it("lists one account's entries newest first, filtered by action and dates, in pages", async () => {
    const store = await factory.create();
    const log = createAuditLog({ store: store.audit });
    const days = ["01", "02", "03", "04", "05"];
    for (const d of days) {
      await store.audit.append(entry({ at: at(`2026-11-${d}T00:00:00Z`), details: { d } }));
    }
    // Two in the same millisecond: the id orders them.
    await store.audit.append(entry({ at: at("2026-11-05T00:00:00Z"), details: { d: "05b" } }));
    await store.audit.append(entry({ accountId: B, at: at("2026-11-06T00:00:00Z") }));
    await store.audit.append(entry({ action: "sign_in", at: at("2026-11-03T12:00:00Z") }));

    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.list(A, { actions: ["grant"], cursor, limit: 2 });
      seen.push(...page.entries.map((e) => e.details.d));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["05b", "05", "04", "03", "02", "01"]);

    const ranged = await store.audit.list(A, {
      from: at("2026-11-02T00:00:00Z"),
      to: at("2026-11-04T00:00:00Z"),
      limit: 10,
    });
    expect(ranged.map((e) => e.action)).toEqual(["sign_in", "grant", "grant"]);
    expect(await store.audit.list(B, { limit: 10 })).toHaveLength(1);
    expect(await store.audit.list(toAccountId(303), { limit: 10 })).toEqual([]);
  });
});

describe("the audit log's checks", () => {
  it("refuses an entry that is too big or malformed, writing nothing", async () => {
    const [factory] = storeFactories();
    const store = await factory!.create();
    const log = createAuditLog({ store: store.audit });
    const base = {
      accountId: A,
      actor: { kind: "app" } as const,
      action: "refund" as const,
      interface: "app" as const,
    };
    await expect(log.record({ ...base, details: { big: "x".repeat(5000) } })).rejects.toThrow(
      /4096 bytes/,
    );
    await expect(log.record({ ...base, actor: { kind: "operator", name: " " } })).rejects.toThrow();
    await expect(log.list(A, { cursor: "nope" })).rejects.toThrow(/cursor/);
    expect(await store.audit.list(A, { limit: 10 })).toEqual([]);
    await factory!.cleanup();
  });
});
