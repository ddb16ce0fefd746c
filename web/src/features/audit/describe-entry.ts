/**
 * An audit entry as people read it: who, through what, and a one-line summary of its details.
 * The details are free-form JSON per action (src/audit): the money actions carry the ledger
 * entry's facts, settings changes a before and after, keys their id and name; anything else
 * is listed as it is, so a new action still reads.
 */
import { money, signedCredits } from "../../shared/format";
import type { AuditAction, AuditEntry } from "./api";
import { fieldChanges, plain } from "./audit-fields";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const ACTION_LABEL: Record<AuditAction, string> = {
  purchase: "Purchase",
  grant: "Bonus grant",
  adjustment: "Adjustment",
  refund: "Refund",
  settings_changed: "Settings changed",
  api_key_created: "API key created",
  api_key_revoked: "API key revoked",
  sign_in: "Sign-in",
  budget_changed: "Budget changed",
  budget_override: "Review let past a budget",
  learning_added: "Learning recorded",
  learning_deleted: "Learning deleted",
  payment_method_saved: "Card saved",
  payment_method_removed: "Card removed",
  auto_top_up_changed: "Auto top-up changed",
  auto_top_up_attempt: "Auto top-up attempt",
  billing_currency_fixed: "Billing currency fixed",
  subscription_checkout: "Subscription checkout started",
  subscription_changed: "Subscription changed",
  subscription_payment_failed: "Subscription payment failed",
  delivery_failed: "GitHub event not handled",
  enterprise_plan_set: "Enterprise plan set",
  enterprise_invoice_created: "Enterprise invoice sent",
};

const INTERFACE_LABEL: Record<AuditEntry["interface"], string> = {
  api: "API",
  dashboard: "Dashboard",
  cli: "Operator CLI",
  operator_api: "Operator API",
  webhook: "Webhook",
  app: "Jasper",
};

export const interfaceOf = (e: AuditEntry): string => INTERFACE_LABEL[e.interface];

export function actorOf(e: AuditEntry): string {
  const a = e.actor;
  switch (a.kind) {
    case "github_user":
      return a.login ?? `GitHub user ${String(a.id)}`;
    case "api_key":
      return `API key ${String(a.id)}`;
    case "operator":
      return `Operator ${a.name ?? ""}`.trim();
    case "stripe":
      return "Stripe";
    case "app":
      return "Jasper";
  }
}

/** What came of an automatic top-up attempt, in words. */
const TOP_UP_OUTCOME: Record<string, string> = {
  requested: "payment requested",
  paid: "paid",
  declined: "declined",
  authentication_required: "needs the cardholder's confirmation",
  failed: "failed at Stripe",
};

/** An automatic top-up: its outcome, what it buys, for how much; or why it went off. */
function topUpSummary(d: Record<string, unknown>): string | null {
  if (typeof d.switchedOffBecause === "string") {
    return d.switchedOffBecause === "declined"
      ? "switched off after three declines in a row"
      : `switched off: ${plain(d.switchedOffBecause)}`;
  }
  if (typeof d.outcome !== "string") return null;
  return [
    TOP_UP_OUTCOME[d.outcome] ?? d.outcome,
    typeof d.credits === "number" ? `${d.credits} credits` : null,
    typeof d.amountCents === "number"
      ? money((d.amountCents / 100).toFixed(2), typeof d.currency === "string" ? d.currency : "usd")
      : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

export function summaryOf(e: AuditEntry): string {
  const d = e.details;
  if (e.action === "billing_currency_fixed" && typeof d.currency === "string") {
    return `${d.currency.toUpperCase()}, by the first payment: every later payment is in it`;
  }
  // An enterprise month invoiced: the amount, the month and when it is due.
  if (e.action === "enterprise_invoice_created" && typeof d.amountCents === "number") {
    return [
      money((d.amountCents / 100).toFixed(2), typeof d.currency === "string" ? d.currency : "usd"),
      typeof d.monthStart === "string" ? `the month from ${d.monthStart.slice(0, 10)}` : null,
      typeof d.daysUntilDue === "number" ? `due in ${d.daysUntilDue} days` : null,
      typeof d.invoice === "string" ? d.invoice : null,
      // The month's invoice was already at Stripe (a roll retried after a crash) and someone
      // had closed it there: recorded, nothing sent.
      d.foundStatus === "void" || d.foundStatus === "uncollectible"
        ? `${d.foundStatus} at Stripe: not sent again`
        : null,
    ]
      .filter(Boolean)
      .join(" · ");
  }
  if (e.action === "auto_top_up_attempt" || e.action === "auto_top_up_changed") {
    const topUp = topUpSummary(d);
    if (topUp) return topUp;
  }
  if (typeof d.amount === "number") {
    return [
      signedCredits(d.amount),
      typeof d.description === "string" ? d.description : null,
      typeof d.reason === "string" ? `reason: ${d.reason}` : null,
      typeof d.balanceAfter === "number" ? `balance after: ${d.balanceAfter}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  }
  if (isRecord(d.before) && isRecord(d.after)) return fieldChanges(d.before, d.after).join("; ");
  // A learning recorded or deleted: what it said, where, and the rule it silences.
  if (typeof d.learning === "string" && typeof d.text === "string") {
    return [
      `"${d.text}"`,
      d.scope === "organization" ? "every repository" : plain(d.repository),
      typeof d.rule === "string" ? `silences ${d.rule} in ${plain(d.paths)}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  }
  // A GitHub event Jasper could not handle: which, on what, and why.
  if (e.action === "delivery_failed") {
    return [
      plain(d.event),
      typeof d.repository === "string" && typeof d.number === "number"
        ? `${d.repository}#${d.number}`
        : null,
      typeof d.error === "string" ? `error: ${d.error}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  }
  // A review let past a budget: the pull request it was.
  if (typeof d.repository === "string" && typeof d.number === "number")
    return `${d.repository}#${d.number}`;
  if (typeof d.keyId === "string") {
    const name = typeof d.name === "string" ? `"${d.name}" ` : "";
    const scope = typeof d.scope === "string" ? ` (${d.scope})` : "";
    return `${name}${d.keyId}${scope}`.trim();
  }
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${plain(v)}`)
    .join("; ");
}
