import {
  DEFAULT_SETTINGS,
  type Account,
  type AccountId,
  type AccountSettings,
  type AccountStatus,
} from "../../accounts/types.js";
import {
  MAX_LISTING_PAGE,
  type AccountListing,
  type AccountStore,
  type AccountUpsert,
  type ListedAccount,
  type ListingQuery,
} from "../../accounts/account-store.js";
import { copyBudgetRules, noBudgets } from "../../budgets/copy-rules.js";
import type { BudgetRules } from "../../accounts/budget-rules.js";

export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<AccountId, Account>();
  /** The listing copies, apart from the accounts: not part of what get() hands out. */
  private readonly listings = new Map<AccountId, AccountListing>();

  async upsert(input: AccountUpsert): Promise<Account> {
    const now = new Date();
    const existing = this.accounts.get(input.id);
    const installation =
      input.installationId !== undefined ? { installationId: input.installationId } : {};
    const account: Account = existing
      ? { ...existing, login: input.login, type: input.type, ...installation, updatedAt: now }
      : {
          id: input.id,
          login: input.login,
          type: input.type,
          ...installation,
          status: "active",
          // A copy of the contacts array too: DEFAULT_SETTINGS' own is shared by every account.
          settings: { ...DEFAULT_SETTINGS, billingContacts: [...DEFAULT_SETTINGS.billingContacts] },
          budgets: noBudgets(),
          createdAt: now,
          updatedAt: now,
        };
    this.accounts.set(input.id, account);
    return copyAccount(account);
  }

  async get(id: AccountId): Promise<Account | null> {
    const account = this.accounts.get(id);
    return account ? copyAccount(account) : null;
  }

  async findByLogin(login: string): Promise<Account | null> {
    // Several accounts can share a login after a rename; the latest one told about holds it.
    const wanted = login.toLowerCase();
    let found: Account | undefined;
    for (const account of this.accounts.values()) {
      if (account.login.toLowerCase() !== wanted) continue;
      if (!found || account.updatedAt > found.updatedAt) found = account;
    }
    return found ? copyAccount(found) : null;
  }

  async findByInstallation(installationId: number): Promise<Account | null> {
    // As with logins: the latest account told about holds it.
    let found: Account | undefined;
    for (const account of this.accounts.values()) {
      if (account.installationId !== installationId) continue;
      if (!found || account.updatedAt > found.updatedAt) found = account;
    }
    return found ? copyAccount(found) : null;
  }

  async setStatus(id: AccountId, status: AccountStatus): Promise<Account | null> {
    const account = this.accounts.get(id);
    if (!account) return null;
    const updated = { ...account, status, updatedAt: new Date() };
    this.accounts.set(id, updated);
    return copyAccount(updated);
  }

  async updateSettings(id: AccountId, settings: Partial<AccountSettings>): Promise<Account | null> {
    const account = this.accounts.get(id);
    if (!account) return null;
    // Fields given as undefined are left alone (as with MongoDB's $set), and nothing the
    // caller holds (the contacts array) becomes part of the stored account.
    const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const merged = { ...account.settings, ...given };
    const updated = {
      ...account,
      settings: { ...merged, billingContacts: [...merged.billingContacts] },
      updatedAt: new Date(),
    };
    this.accounts.set(id, updated);
    return copyAccount(updated);
  }

  async setBudgets(id: AccountId, rules: BudgetRules): Promise<Account | null> {
    const account = this.accounts.get(id);
    if (!account) return null;
    // A copy: the caller's rules object stays the caller's.
    const updated = { ...account, budgets: copyBudgetRules(rules), updatedAt: new Date() };
    this.accounts.set(id, updated);
    return copyAccount(updated);
  }

  async recordListing(id: AccountId, listing: AccountListing): Promise<boolean> {
    if (!this.accounts.has(id)) return false;
    const held = this.listings.get(id);
    if (held && held.seq >= listing.seq) return false;
    this.listings.set(id, copyListing(listing));
    return true;
  }

  async fixBillingCurrency(id: AccountId, currency: string): Promise<string | null> {
    const account = this.accounts.get(id);
    if (!account) return null;
    // No updatedAt, like the listing copy: login lookups are ordered by it.
    if (account.billingCurrency === undefined) {
      this.accounts.set(id, { ...account, billingCurrency: currency });
      return currency;
    }
    return account.billingCurrency;
  }

  async listAccounts(query: ListingQuery): Promise<ListedAccount[]> {
    const limit = Math.min(query.limit, MAX_LISTING_PAGE);
    if (limit <= 0) return [];
    const lines: ListedAccount[] = [];
    for (const a of this.accounts.values()) {
      const listing = this.listings.get(a.id);
      const line = {
        id: a.id,
        login: a.login,
        status: a.status,
        listing: listing ? copyListing(listing) : null,
      };
      if (query.by !== "id" && !listing) continue;
      if (query.maxBalance !== undefined && !(listing && listing.balance <= query.maxBalance)) {
        continue;
      }
      lines.push(line);
    }
    // As the indexes order them (mongo-account-store.ts), ties by id.
    const value = (l: ListedAccount): number =>
      query.by === "balance"
        ? l.listing!.balance
        : query.by === "activity"
          ? -l.listing!.lastActivity.getTime()
          : 0;
    const after = query.after;
    const cursorValue =
      after === undefined ? 0 : query.by === "activity" ? -after.value : after.value;
    return lines
      .filter(
        (l) =>
          after === undefined ||
          value(l) > cursorValue ||
          (value(l) === cursorValue && l.id > after.id),
      )
      .sort((x, y) => value(x) - value(y) || x.id - y.id)
      .slice(0, limit);
  }
}

const copyListing = (l: AccountListing): AccountListing => ({
  seq: l.seq,
  balance: l.balance,
  lastActivity: new Date(l.lastActivity),
});

function copyAccount(a: Account): Account {
  return {
    ...a,
    settings: { ...a.settings, billingContacts: [...a.settings.billingContacts] },
    budgets: copyBudgetRules(a.budgets),
    createdAt: new Date(a.createdAt),
    updatedAt: new Date(a.updatedAt),
  };
}
