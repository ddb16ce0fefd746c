import { afterEach, describe, expect, it } from "@jest/globals";
import type { Admin } from "../../src/administration/admin.js";
import { createApiKey, MAX_ACTIVE_KEYS, revokeApiKey } from "../../src/administration/api-keys.js";
import { changeSettings } from "../../src/administration/change-settings.js";
import { replaceBudgets } from "../../src/administration/replace-budgets.js";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import { toAccountId } from "../../src/accounts/types.js";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";

/**
 * The account administration use cases as any interface uses them (here as the CLI would):
 * each change is made and audited under the interface it came through, and a change that
 * changes nothing records nothing.
 */
const admin: Admin = { actor: { kind: "operator", name: "ops" }, interface: "cli" };
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setUp() {
  const store = createMemoryStore();
  stores.push(store);
  const account = await store.accounts.upsert({
    id: toAccountId(41),
    login: "acme",
    type: "Organization",
  });
  const audit = createAuditLog({ store: store.audit });
  const deps = { accounts: store.accounts, apiKeys: store.apiKeys, audit };
  const entries = async () => (await audit.list(account.id, { limit: 100 })).entries;
  return { store, account, deps, entries };
}

describe("account administration", () => {
  it("changes settings, keeps what was not given, and records only what changed", async () => {
    const { account, deps, entries } = await setUp();
    const given = { billingContacts: ["ops@acme.test"], lowBalanceEmails: undefined };
    const settings = await changeSettings(deps, account, admin, given);
    expect(settings).toMatchObject({
      billingContacts: ["ops@acme.test"],
      lowBalanceEmails: account.settings.lowBalanceEmails,
    });
    const [entry] = await entries();
    expect(entry).toMatchObject({
      action: "settings_changed",
      interface: "cli",
      actor: { kind: "operator", name: "ops" },
      details: { before: { billingContacts: [] }, after: { billingContacts: ["ops@acme.test"] } },
    });
    const again = await deps.accounts.get(account.id);
    await changeSettings(deps, again!, admin, { billingContacts: ["ops@acme.test"] });
    expect(await entries()).toHaveLength(1);
  });

  it("replaces budgets and records the change once", async () => {
    const { account, deps, entries } = await setUp();
    const rules = { ...NO_BUDGETS, account: 50 };
    const updated = await replaceBudgets(deps, account, admin, rules);
    expect(updated?.budgets.account).toBe(50);
    await replaceBudgets(deps, updated!, admin, rules);
    const recorded = await entries();
    expect(recorded.map((e) => [e.action, e.details])).toEqual([
      ["budget_changed", { before: { account: null }, after: { account: 50 } }],
    ]);
  });

  it("creates keys up to the cap, and records a revocation once however often it is asked", async () => {
    const { account, deps, entries } = await setUp();
    const first = await createApiKey(deps, account.id, admin, { name: "ci", scope: "read" });
    if (!first.created) throw new Error("the first key must be created");
    expect(first.key.startsWith(first.stored.prefix)).toBe(true);
    for (let i = 1; i < MAX_ACTIVE_KEYS; i++) {
      await createApiKey(deps, account.id, admin, { name: `k${i}`, scope: "read" });
    }
    expect(
      await createApiKey(deps, account.id, admin, { name: "one more", scope: "write" }),
    ).toEqual({ created: false, reason: "too_many_api_keys" });
    expect(await revokeApiKey(deps, account.id, admin, first.stored.id)).toBe(true);
    expect(await revokeApiKey(deps, account.id, admin, first.stored.id)).toBe(true);
    expect(await revokeApiKey(deps, account.id, admin, "no-such-key")).toBe(false);
    const actions = (await entries()).map((e) => e.action);
    expect(actions.filter((a) => a === "api_key_created")).toHaveLength(MAX_ACTIVE_KEYS);
    expect(actions.filter((a) => a === "api_key_revoked")).toHaveLength(1);
    expect(JSON.stringify(await entries())).not.toContain(first.key);
  });
});
