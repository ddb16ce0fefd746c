/**
 * Audits what changes money without a person in the request: subscribed to the ledger's
 * onEntry hook, which sees every entry a grant, refund or adjustment creates. Chosen over
 * calls in each money path (finish-run.ts, the Stripe handlers) because it needs no change
 * there: the entry itself says who acted, through its reference (a Stripe object: Stripe,
 * through its webhook; a pull request: the app, refunding a failed review).
 *
 * Operator entries are skipped: the operators' use cases record those themselves, since only
 * they know the interface (CLI or operator API). So are refunds someone asked for
 * (`refundRequest`): the refund command records those (reviews/refund-on-request.ts), with
 * that person as the actor rather than the app. Each entry's key is the ledger entry's id,
 * so whoever records an entry first, a replay or a second recorder writes nothing more.
 */
import type { LedgerEntry } from "../ledger/types.js";
import type { AuditLog } from "./audit-log.js";
import type { AuditAction, AuditActor, AuditInterface } from "./types.js";

/** The audit key of the entry recording this ledger entry. */
export const ledgerAuditKey = (entry: Pick<LedgerEntry, "id">): string => `ledger:${entry.id}`;

/** What a ledger entry is, as an audit action; null for those that are not audited. */
function actionOf(entry: LedgerEntry): AuditAction | null {
  switch (entry.type) {
    case "purchase":
      return "purchase";
    case "bonus":
      return "grant";
    case "adjustment":
      return "adjustment";
    case "refund":
      return "refund";
    // Usage is the product working, the free tier and expiry are the calendar: the ledger
    // itself is their record.
    default:
      return null;
  }
}

/** The money facts of a ledger entry, for an audit entry's details. */
export function ledgerDetails(entry: LedgerEntry): Record<string, unknown> {
  return {
    entryId: entry.id,
    type: entry.type,
    amount: entry.amount,
    ...(entry.uncollected !== 0 ? { uncollected: entry.uncollected } : {}),
    balanceAfter: entry.balanceAfter,
    description: entry.description,
    ...(entry.refundOf ? { refundOf: entry.refundOf } : {}),
  };
}

export function createLedgerAuditor(audit: Pick<AuditLog, "record">) {
  return async (entry: LedgerEntry): Promise<void> => {
    const action = actionOf(entry);
    const ref = entry.reference;
    if (!action || ref?.kind === "operator" || entry.refundRequest) return;
    const [actor, via]: [AuditActor, AuditInterface] =
      ref?.kind === "stripe" ? [{ kind: "stripe" }, "webhook"] : [{ kind: "app" }, "app"];
    await audit.record({
      accountId: entry.accountId,
      actor,
      action,
      interface: via,
      details: ledgerDetails(entry),
      idempotencyKey: ledgerAuditKey(entry),
    });
  };
}
