/**
 * An audit entry as people read it: who, through what, and a one-line summary of its details.
 * The details are free-form JSON per action (src/audit): the money actions carry the ledger
 * entry's facts, settings changes a before and after, keys their id and name; anything else
 * is listed as it is, so a new action still reads.
 */
import { signedCredits } from "../../shared/format";
import type { AuditAction, AuditEntry } from "./api";

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

const show = (v: unknown): string =>
  typeof v === "string"
    ? v
    : Array.isArray(v)
      ? v.length === 0
        ? "none"
        : v.map(show).join(", ")
      : JSON.stringify(v);

/** "lowBalanceEmails: true → false" for each field a settings change changed. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after)
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function summaryOf(e: AuditEntry): string {
  const d = e.details;
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
  if (isRecord(d.before) && isRecord(d.after)) return changes(d.before, d.after).join("; ");
  if (typeof d.keyId === "string") {
    const name = typeof d.name === "string" ? `"${d.name}" ` : "";
    const scope = typeof d.scope === "string" ? ` (${d.scope})` : "";
    return `${name}${d.keyId}${scope}`.trim();
  }
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join("; ");
}
