/**
 * The audit log's domain types: who did what to an account's money or access, when, and
 * through which interface. Entries are append-only: nothing updates or deletes one.
 */
import type { AccountId } from "../accounts/types.js";

export const AUDIT_ACTIONS = [
  "purchase",
  "grant",
  "adjustment",
  "refund",
  "settings_changed",
  "api_key_created",
  "api_key_revoked",
  "sign_in",
  "budget_changed",
  /** `/jasper review --over-budget`: an admin let one pull request's review past a budget. */
  "budget_override",
  /** A learning recorded (`/jasper learn`, `don't flag this`). */
  "learning_added",
  /** A learning deleted (the API, the dashboard). */
  "learning_deleted",
  /** A card saved in Checkout for auto top-up (Stripe's signed event). */
  "payment_method_saved",
  /** The saved card removed by an admin (auto top-up goes off with it). */
  "payment_method_removed",
  /** Auto top-up's settings changed, switched on or off (by an admin, or by Jasper). */
  "auto_top_up_changed",
  /** An automatic top-up tried, and what came of it. */
  "auto_top_up_attempt",
  /** The account's billing currency, fixed by its first payment (docs/billing.md, "Currency"). */
  "billing_currency_fixed",
  /** An admin started subscribing to a plan (a Stripe Checkout in subscription mode). */
  "subscription_checkout",
  /** A subscription's state as Stripe says it: started, plan, status or cancellation changed. */
  "subscription_changed",
  /** A subscription's renewal payment failed (Stripe retries it). */
  "subscription_payment_failed",
  /** A GitHub delivery (a pull request event, a comment) Jasper failed to handle on every attempt. */
  "delivery_failed",
  /** An operator put the account on a custom (enterprise) plan, or changed its terms. */
  "enterprise_plan_set",
  /** A month of an enterprise plan invoiced at Stripe (send_invoice, its payment terms). */
  "enterprise_invoice_created",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_INTERFACES = [
  "api",
  "dashboard",
  "cli",
  "operator_api",
  "webhook",
  "app",
] as const;
export type AuditInterface = (typeof AUDIT_INTERFACES)[number];

/** Who acted. Never a credential: a key by its id, a person by GitHub id and login. */
export type AuditActor =
  | { kind: "github_user"; id: number; login: string }
  | { kind: "api_key"; id: string }
  | { kind: "operator"; name: string }
  | { kind: "stripe" }
  | { kind: "app" };

/** Small JSON: what changed, amounts, ids. Never secrets (the recorder checks its size). */
export type AuditDetails = Record<string, unknown>;

export interface AuditEntry {
  id: string;
  accountId: AccountId;
  at: Date;
  actor: AuditActor;
  action: AuditAction;
  interface: AuditInterface;
  details: AuditDetails;
  /**
   * One entry per key and account: a retried or redelivered action (a Stripe webhook, an
   * operator's retried grant) is recorded once. Unique in the store.
   */
  idempotencyKey: string;
}

export type NewAuditEntry = Omit<AuditEntry, "id">;
