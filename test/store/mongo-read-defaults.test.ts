import { describe, expect, it } from "@jest/globals";
import { Types } from "mongoose";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import { DEFAULT_SETTINGS, toAccountId } from "../../src/accounts/types.js";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import type { AccountDoc, AccountModel } from "../../src/store/mongo/models/account.js";
import type { ApiKeyDoc, ApiKeyModel } from "../../src/store/mongo/models/api-key.js";
import { MongoAccountStore } from "../../src/store/mongo/mongo-account-store.js";
import { MongoApiKeyStore } from "../../src/store/mongo/mongo-api-key-store.js";

/**
 * How the mongoose stores read documents written before a field existed. No server is needed
 * for that (the contract suites need one, and cannot always have it): a model that answers
 * findOne(...).lean() with the stored document is enough.
 */
const storedAs = <M>(doc: object): M =>
  ({ findOne: () => ({ lean: async () => ({ ...doc }) }) }) as unknown as M;

/** An account as stored before settings and budgets existed, with `more` on top. */
const oldAccount = (more: Partial<AccountDoc> = {}): AccountDoc => ({
  _id: 101,
  login: "Acme-Corp",
  loginLower: "acme-corp",
  type: "Organization",
  status: "active",
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
  ...more,
});

describe("mongoose stores reading old documents", () => {
  it("gives an account stored without settings its own contacts array", async () => {
    const doc = oldAccount();
    const store = new MongoAccountStore(storedAs<AccountModel>(doc));
    const account = await store.get(toAccountId(101));
    expect(account!.settings).toEqual(DEFAULT_SETTINGS);
    expect(account!.budgets).toEqual(NO_BUDGETS);
    account!.budgets.repositories.push({ pattern: "api", credits: 1 });
    expect(NO_BUDGETS.repositories).toEqual([]);
    account!.settings.billingContacts.push("attacker@evil.example");
    expect(DEFAULT_SETTINGS.billingContacts).toEqual([]);
    expect((await store.get(toAccountId(101)))!.settings.billingContacts).toEqual([]);
  });

  it("reads budgets stored before one of their fields existed with that field's default", async () => {
    const doc = oldAccount({
      budgets: { account: 50, repositories: [{ pattern: "api", credits: 5 }] },
    });
    const account = await new MongoAccountStore(storedAs<AccountModel>(doc)).get(toAccountId(101));
    expect(account!.budgets).toEqual({
      ...NO_BUDGETS,
      account: 50,
      repositories: [{ pattern: "api", credits: 5 }],
    });
  });

  it("reads an API key stored before scopes as a read key", async () => {
    const { hash, prefix } = generateApiKey();
    const doc: ApiKeyDoc = {
      _id: new Types.ObjectId(),
      accountId: 101,
      name: "ci",
      prefix,
      hash,
      createdAt: new Date("2026-01-01T00:00:00Z"),
      lastUsedAt: null,
      revokedAt: null,
    };
    const key = await new MongoApiKeyStore(storedAs<ApiKeyModel>(doc)).findByHash(hash);
    expect(key).toMatchObject({ id: doc._id.toHexString(), scope: "read" });
  });
});
