import {
  DEFAULT_SETTINGS,
  toAccountId,
  type Account,
  type AccountId,
  type AccountSettings,
  type AccountStatus,
} from "../../accounts/types.js";
import { trusted, type QueryFilter } from "mongoose";
import {
  MAX_LISTING_PAGE,
  type AccountListing,
  type AccountStore,
  type AccountUpsert,
  type ListedAccount,
  type ListingQuery,
} from "../../accounts/account-store.js";
import { copyBudgetRules, noBudgets } from "../../budgets/copy-rules.js";
import { NO_BUDGETS, type BudgetRules } from "../../accounts/budget-rules.js";
import type { AccountDoc, AccountModel } from "./models/account.js";

export class MongoAccountStore implements AccountStore {
  constructor(private readonly accounts: AccountModel) {}

  async upsert(input: AccountUpsert): Promise<Account> {
    try {
      return await this.upsertOnce(input);
    } catch (err) {
      // Two first upserts of one account can both find nothing and both insert; the loser
      // fails on the _id index. The account exists now, so a second try is a plain update.
      if (isDuplicateKeyError(err)) return this.upsertOnce(input);
      throw err;
    }
  }

  async get(id: AccountId): Promise<Account | null> {
    const doc = await this.accounts.findOne({ _id: id }).lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async findByLogin(login: string): Promise<Account | null> {
    // An exact match on the lowercased copy: no regex built from input, and it uses the index.
    // Several accounts can share a login after a rename; the one GitHub told us about most
    // recently holds it now (as in the memory store).
    const doc = await this.accounts
      .findOne({ loginLower: login.toLowerCase() })
      .sort({ updatedAt: -1, _id: 1 })
      .lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async findByInstallation(installationId: number): Promise<Account | null> {
    // An exact match on a number (the port's type; mongoose casts anything else or refuses it).
    const doc = await this.accounts
      .findOne({ installationId })
      .sort({ updatedAt: -1, _id: 1 })
      .lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async setStatus(id: AccountId, status: AccountStatus): Promise<Account | null> {
    const doc = await this.accounts
      .findOneAndUpdate(
        { _id: id },
        { $set: { status, updatedAt: new Date() } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async updateSettings(id: AccountId, settings: Partial<AccountSettings>): Promise<Account | null> {
    // One $set per field, never the whole subdocument: a field not given keeps its stored
    // value, and one never stored stays absent (reads fill in its default). Only the known
    // fields: with strict, mongoose would silently drop any other path anyway.
    const set: Record<string, unknown> = { updatedAt: new Date() };
    for (const field of SETTINGS_FIELDS) {
      const value = settings[field];
      if (value !== undefined) set[`settings.${field}`] = value;
    }
    const doc = await this.accounts
      .findOneAndUpdate(
        { _id: id },
        { $set: set },
        { returnDocument: "after", runValidators: true },
      )
      .lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async setBudgets(id: AccountId, rules: BudgetRules): Promise<Account | null> {
    // The whole subdocument at once: a rule left out of `rules` is a rule removed. A copy,
    // so that mongoose's casting never touches the caller's object.
    const doc = await this.accounts
      .findOneAndUpdate(
        { _id: id },
        { $set: { budgets: copyBudgetRules(rules), updatedAt: new Date() } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<AccountDoc>();
    return doc ? toAccount(doc) : null;
  }

  async recordListing(id: AccountId, listing: AccountListing): Promise<boolean> {
    // One conditional update: only over no copy or an older one ($not $gte also matches a
    // document without the field), so updates landing out of order never move it back. No
    // updatedAt: login lookups are ordered by it, and this is not news from GitHub.
    const { modifiedCount } = await this.accounts.updateOne(
      { _id: id, "listing.seq": trusted({ $not: { $gte: listing.seq } }) },
      {
        $set: {
          listing: {
            seq: listing.seq,
            balance: listing.balance,
            lastActivity: listing.lastActivity,
          },
        },
      },
      { runValidators: true },
    );
    return modifiedCount === 1;
  }

  async fixBillingCurrency(id: AccountId, currency: string): Promise<string | null> {
    // One conditional update: only where none is set ($exists false), so the first of two
    // concurrent first payments wins and the other reads what it fixed. No updatedAt.
    const doc = await this.accounts
      .findOneAndUpdate(
        { _id: id, billingCurrency: trusted({ $exists: false }) },
        { $set: { billingCurrency: currency } },
        { returnDocument: "after", runValidators: true },
      )
      .lean<AccountDoc>();
    if (doc) return doc.billingCurrency ?? null;
    const held = await this.accounts.findOne({ _id: id }).lean<AccountDoc>();
    return held ? (held.billingCurrency ?? null) : null;
  }

  async listAccounts(query: ListingQuery): Promise<ListedAccount[]> {
    // MongoDB reads limit(0) as "no limit"; the contract means "nothing".
    const limit = Math.min(query.limit, MAX_LISTING_PAGE);
    if (limit <= 0) return [];
    const { by, after } = query;
    const field = by === "balance" ? "listing.balance" : "listing.lastActivity";
    const filter: QueryFilter<AccountDoc> = {};
    if (by !== "id") filter["listing.seq"] = trusted({ $exists: true });
    if (query.maxBalance !== undefined) {
      filter["listing.balance"] = trusted({ $lte: query.maxBalance });
    }
    if (after && by === "id") filter._id = trusted({ $gt: after.id });
    if (after && by !== "id") {
      // Keyset paging on the index's own order: past the cursor's value, or at it past its id.
      const value = by === "balance" ? after.value : new Date(after.value);
      filter.$or = [
        { [field]: trusted(by === "balance" ? { $gt: value } : { $lt: value }) },
        { [field]: value, _id: trusted({ $gt: after.id }) },
      ];
    }
    const sort = by === "id" ? { _id: 1 as const } : { [field]: by === "balance" ? 1 : -1, _id: 1 };
    // The few fields a line shows: never the settings or the budget rules (600 rules).
    const docs = await this.accounts
      .find(filter)
      .sort(sort as Record<string, 1 | -1>)
      .limit(limit)
      .select({ _id: 1, login: 1, status: 1, listing: 1 })
      .lean<Pick<AccountDoc, "_id" | "login" | "status" | "listing">[]>();
    return docs.map((d) => ({
      id: toAccountId(d._id),
      login: d.login,
      status: d.status,
      listing: d.listing
        ? { seq: d.listing.seq, balance: d.listing.balance, lastActivity: d.listing.lastActivity }
        : null,
    }));
  }

  private async upsertOnce(input: AccountUpsert): Promise<Account> {
    const now = new Date();
    const doc = await this.accounts
      .findOneAndUpdate(
        { _id: input.id },
        {
          $set: {
            login: input.login,
            loginLower: input.login.toLowerCase(),
            type: input.type,
            ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
            updatedAt: now,
          },
          // Only when the account is new: an existing account keeps its status (a suspended
          // account that reinstalls the app stays suspended) and its createdAt.
          // Settings likewise: an upsert never undoes a choice made with updateSettings.
          // (A copy of the contacts array: mongoose casts the update, and must never be given
          // DEFAULT_SETTINGS' own.)
          // Budgets too, as fresh copies of NO_BUDGETS (never its own arrays).
          $setOnInsert: {
            status: "active",
            settings: withDefaults(undefined),
            budgets: noBudgets(),
            createdAt: now,
          },
        },
        { upsert: true, returnDocument: "after", runValidators: true },
      )
      .lean<AccountDoc>();
    // Cannot happen with upsert and returnDocument "after"; the types do not know that.
    if (!doc) throw new Error(`account ${input.id} missing right after its upsert`);
    return toAccount(doc);
  }
}

function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}

function toAccount(doc: AccountDoc): Account {
  return {
    id: toAccountId(doc._id),
    login: doc.login,
    type: doc.type,
    status: doc.status,
    ...(typeof doc.installationId === "number" ? { installationId: doc.installationId } : {}),
    settings: withDefaults(doc.settings),
    budgets: budgetsOf(doc.budgets),
    ...(typeof doc.billingCurrency === "string" ? { billingCurrency: doc.billingCurrency } : {}),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

const SETTINGS_FIELDS = Object.keys(DEFAULT_SETTINGS) as (keyof AccountSettings)[];

/**
 * Defaults under the stored value: an account stored before settings (or one of its fields)
 * existed reads as having the default. The contacts array is always a fresh one: handing out
 * DEFAULT_SETTINGS' own would let one caller's push change every account's default.
 */
function withDefaults(stored: Partial<AccountSettings> | undefined): AccountSettings {
  const settings = { ...DEFAULT_SETTINGS, ...definedOnly(stored) };
  return { ...settings, billingContacts: [...settings.billingContacts] };
}

/** The stored settings without absent or null fields, so that they cannot hide a default. */
function definedOnly(stored: Partial<AccountSettings> | undefined): Partial<AccountSettings> {
  const out: Partial<AccountSettings> = {};
  for (const field of SETTINGS_FIELDS) {
    const value = stored?.[field];
    if (value != null) Object.assign(out, { [field]: value });
  }
  return out;
}

/**
 * The stored rules with NO_BUDGETS under them: an account stored before budgets existed (or
 * before one of their fields did) has none. Built field by field, so that the arrays are the
 * caller's own and nothing mongoose put on the lean document comes along.
 */
function budgetsOf(stored: Partial<BudgetRules> | undefined): BudgetRules {
  return {
    account: stored?.account ?? NO_BUDGETS.account,
    repositories: (stored?.repositories ?? NO_BUDGETS.repositories).map(({ pattern, credits }) => ({
      pattern,
      credits,
    })),
    authorDefault: stored?.authorDefault ?? NO_BUDGETS.authorDefault,
    authors: (stored?.authors ?? NO_BUDGETS.authors).map(({ login, credits }) => ({
      login,
      credits,
    })),
    pullRequestRuns: stored?.pullRequestRuns ?? NO_BUDGETS.pullRequestRuns,
    warnAtPercent: stored?.warnAtPercent ?? NO_BUDGETS.warnAtPercent,
  };
}
