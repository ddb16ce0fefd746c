import { Schema, type Connection, type Model } from "mongoose";
import {
  DEFAULT_SETTINGS,
  type AccountSettings,
  type AccountStatus,
  type AccountType,
} from "../../../accounts/types.js";
import type { BudgetRules } from "../../../accounts/budget-rules.js";
import { budgetRulesSchema } from "./budget-rules.js";
import { integer } from "./integer-validators.js";

const ACCOUNT_TYPES: readonly AccountType[] = ["Organization", "User"];
const ACCOUNT_STATUSES: readonly AccountStatus[] = ["active", "suspended", "uninstalled"];
const REVIEW_CHARGING: readonly AccountSettings["reviewCharging"][] = [
  "pull_request",
  "review_run",
];

/** An account as stored. `_id` is the GitHub account id. */
export interface AccountDoc {
  _id: number;
  login: string;
  /** `login` lowercased: GitHub logins are case-insensitive, and an index cannot be. */
  loginLower: string;
  type: AccountType;
  status: AccountStatus;
  /** Absent on accounts no installation event has named since it was kept. */
  installationId?: number;
  /**
   * Absent on accounts stored before settings existed, and a field added to AccountSettings
   * later is absent on every account stored before it: reads fill in DEFAULT_SETTINGS.
   */
  settings?: Partial<AccountSettings>;
  /** Absent on accounts stored before budgets existed (and likewise per field): no budgets. */
  budgets?: Partial<BudgetRules>;
  /**
   * The listing copy of the newest ledger entry (AccountListing): absent until an entry is
   * appended after it was kept, or the operators' repair fills it in.
   */
  listing?: { seq: number; balance: number; lastActivity: Date };
  /** Absent until the account's first payment fixes it (fixBillingCurrency). */
  billingCurrency?: string;
  createdAt: Date;
  updatedAt: Date;
}

const settingsSchema = new Schema<AccountSettings>(
  {
    reviewCharging: {
      type: String,
      enum: [...REVIEW_CHARGING],
      default: DEFAULT_SETTINGS.reviewCharging,
    },
    // No default for the array: mongoose would write [] into old documents on read-modify.
    billingContacts: { type: [String], default: undefined },
    lowBalanceEmails: { type: Boolean },
    chatFromNonWriters: { type: Boolean },
  },
  { _id: false },
);

const listingSchema = new Schema<NonNullable<AccountDoc["listing"]>>(
  {
    seq: { type: Number, required: true, validate: integer },
    balance: { type: Number, required: true, validate: integer },
    lastActivity: { type: Date, required: true },
  },
  { _id: false },
);

export const accountSchema = new Schema<AccountDoc>(
  {
    _id: {
      type: Number,
      required: true,
      validate: { validator: Number.isInteger, message: "{PATH} must be an integer" },
    },
    login: { type: String, required: true },
    loginLower: { type: String, required: true },
    type: { type: String, required: true, enum: [...ACCOUNT_TYPES] },
    status: { type: String, required: true, enum: [...ACCOUNT_STATUSES] },
    installationId: {
      type: Number,
      validate: { validator: Number.isInteger, message: "{PATH} must be an integer" },
    },
    // Not required: accounts stored before it existed have none (see AccountDoc).
    settings: { type: settingsSchema },
    // Not required either, for the same reason; setBudgets writes it whole.
    budgets: { type: budgetRulesSchema },
    // Not required: the ledger writes it after each append (mongo-account-store.ts).
    listing: { type: listingSchema },
    // Not required: set once, by the account's first payment (mongo-account-store.ts).
    billingCurrency: { type: String, match: /^[a-z]{3}$/ },
    // Set by the store itself (upsert keeps createdAt, moves updatedAt), so no timestamps option.
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: "accounts", strict: true, versionKey: false },
);

// findByLogin(). Not unique: after a rename GitHub gives the old login to someone else, and
// we may still hold the old holder under it until its next event updates it.
accountSchema.index({ loginLower: 1, updatedAt: -1 });
// findByInstallation(), on every repository event. Not unique, like the login's: an
// installation is one account's, but an index that refused a second would fail the webhook
// of an event GitHub sent rather than let the newest word win. Accounts are few (one per
// installation), so no partial filter: those without one are indexed as null.
accountSchema.index({ installationId: 1, updatedAt: -1 });

// The operators' list by balance and by last activity (listAccounts), paged by (value, _id):
// a page is one index range, whatever the number of accounts. Partial: an account without a
// listing copy is in neither list (the queries name the filter, as the planner needs).
const HAS_LISTING = { partialFilterExpression: { "listing.seq": { $exists: true } } };
accountSchema.index({ "listing.balance": 1, _id: 1 }, HAS_LISTING);
accountSchema.index({ "listing.lastActivity": -1, _id: 1 }, HAS_LISTING);

export type AccountModel = Model<AccountDoc>;

/** Models belong to one connection; storeOn (connect-mongo.ts) builds this one on its own. */
export const accountModel = (conn: Connection): AccountModel =>
  conn.model<AccountDoc>("Account", accountSchema);
