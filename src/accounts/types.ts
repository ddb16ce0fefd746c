/**
 * The accounts domain: a GitHub organization or user that installed the app and pays for its
 * reviews. Every tenant-scoped call in the codebase takes an AccountId.
 */
import type { BudgetRules } from "./budget-rules.js";

/**
 * A GitHub account id (organization or user). Branded so that a repository call cannot be
 * made with some other number by mistake: every tenant-scoped call takes one.
 */
export type AccountId = number & { readonly __brand: "AccountId" };
export const toAccountId = (id: number): AccountId => id as AccountId;

export type AccountType = "Organization" | "User";

/** GitHub's `type` of an account as ours: "User", or an organization (anything else). */
export const toAccountType = (type: string): AccountType =>
  type === "User" ? "User" : "Organization";
export type AccountStatus = "active" | "suspended" | "uninstalled";

/** Per-account choices; new fields start optional-with-default so stored accounts stay valid. */
export interface AccountSettings {
  /**
   * "pull_request" (default): one credit per pull request, later pushes re-reviewed free.
   * "review_run": every review run is charged.
   */
  reviewCharging: "pull_request" | "review_run";
  /** Who gets low-balance emails (at most 20 addresses). */
  billingContacts: string[];
  /** Whether low-balance emails go out at all. */
  lowBalanceEmails: boolean;
  /**
   * Whether the bot answers chat (@jasper) from people a comment does not show as the
   * repository's owner, an organization member or a collaborator. Off unless the account
   * turns it on: on a public repository that is anyone with a GitHub account. Commands are
   * never taken from them.
   */
  chatFromNonWriters: boolean;
}
export const DEFAULT_SETTINGS: AccountSettings = {
  reviewCharging: "pull_request",
  billingContacts: [],
  lowBalanceEmails: true,
  chatFromNonWriters: false,
};

export interface Account {
  id: AccountId;
  login: string;
  type: AccountType;
  status: AccountStatus;
  /**
   * The app's installation on the account, as installation events name it: repository events
   * must come through it (src/github/installation-owner.ts). Absent until an installation
   * event names it (accounts stored before it was kept).
   */
  installationId?: number | undefined;
  settings: AccountSettings;
  /** Spend controls (docs/billing.md, "Budgets"); NO_BUDGETS until the account sets some. */
  budgets: BudgetRules;
  /**
   * The currency the account pays in (lowercase ISO code, "eur"), fixed by its first payment
   * and never changed (AccountStore.fixBillingCurrency). Absent until that payment.
   */
  billingCurrency?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
}
