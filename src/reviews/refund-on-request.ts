import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import { ledgerAuditKey, ledgerDetails } from "../audit/ledger-audit.js";
import { refundSchema } from "../ledger/inputs.js";
import type { Ledger } from "../ledger/ledger.js";
import type { LedgerEntry, RefundRequest } from "../ledger/types.js";
import type { ReviewRunStore } from "./types.js";

/** The longest reason the ledger keeps with a requested refund (its input schema's limit). */
export const MAX_REFUND_REASON: number =
  refundSchema.shape.request.unwrap().shape.reason.maxLength ?? 0;

/** Runs looked at for the newest posted one: as many as finish-run looks at for siblings. */
const RUNS_LOOKED_AT = 50;

export interface RefundOnRequestDeps {
  runs: Pick<ReviewRunStore, "listForPullRequest">;
  ledger: Pick<Ledger, "refund">;
  audit: Pick<AuditLog, "record">;
}

export interface RefundAsked {
  accountId: AccountId;
  pr: { repositoryId: number; repository: string; number: number };
  /** Who asked (GitHub id and login), already allowed to: the PR's author or an account admin. */
  user: { id: number; login: string };
  /** Trimmed, 1 to MAX_REFUND_REASON characters. */
  reason: string;
}

export type RefundOnRequestResult =
  | { status: "refunded"; entry: LedgerEntry }
  /** The charge was refunded before: automatically (its review failed) or on an earlier request. */
  | { status: "already_refunded"; entry: LedgerEntry }
  /** Past this month's cap of requested refunds: nothing was written. */
  | { status: "over_refund_cap"; cap: number; used: number; credits: number }
  /** No posted review of the pull request was charged. */
  | { status: "nothing_to_refund" };

/**
 * `/jasper refund <reason>`: gives back the credit that paid for the pull request's newest
 * posted review. That run's charge key is the one to refund under either policy: the pull
 * request's shared charge (every run of it carries the same key until it is refunded) or,
 * under per-run charging, the run's own. The ledger refunds a charge once whoever asks and
 * checks the monthly cap in the same write, so a redelivered or repeated command, or one
 * racing a failure refund, writes nothing more; it answers "replayed" with the first refund.
 *
 * The audit entry is recorded here, not by the ledger's onEntry hook (which skips requested
 * refunds), because only here is the person known; its actor is read from the entry, and its
 * key is the entry's, so recording it again on a replay (after a crash in between) writes it
 * once, with whoever asked first.
 */
export function createRefundOnRequest(deps: RefundOnRequestDeps) {
  return async (asked: RefundAsked): Promise<RefundOnRequestResult> => {
    const runs = await deps.runs.listForPullRequest(
      asked.accountId,
      asked.pr.repositoryId,
      asked.pr.number,
      RUNS_LOOKED_AT,
    );
    const chargeKey = runs.find((r) => r.status === "posted" && r.chargeKey)?.chargeKey;
    if (!chargeKey) return { status: "nothing_to_refund" };

    const request: RefundRequest = {
      userId: asked.user.id,
      login: asked.user.login,
      reason: asked.reason,
    };
    const result = await deps.ledger.refund(asked.accountId, {
      chargeKey,
      description: `Refund on request: review of ${asked.pr.repository}#${asked.pr.number}`,
      request,
    });
    switch (result.status) {
      case "over_refund_cap":
        return result;
      // A posted run's charge is a usage entry: these mean a history Jasper did not write.
      case "charge_not_found":
      case "not_refundable":
        return { status: "nothing_to_refund" };
    }
    const { entry } = result;
    if (entry.refundRequest) await record(entry, entry.refundRequest, chargeKey);
    return result.status === "created"
      ? { status: "refunded", entry }
      : { status: "already_refunded", entry };
  };

  async function record(entry: LedgerEntry, by: RefundRequest, chargeKey: string): Promise<void> {
    await deps.audit.record({
      accountId: entry.accountId,
      actor: { kind: "github_user", id: by.userId, login: by.login },
      action: "refund",
      interface: "webhook",
      details: { ...ledgerDetails(entry), chargeKey, credits: entry.amount, reason: by.reason },
      idempotencyKey: ledgerAuditKey(entry),
    });
  }
}
export type RefundOnRequest = ReturnType<typeof createRefundOnRequest>;
