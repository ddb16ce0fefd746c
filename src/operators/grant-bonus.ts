import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AccountStore } from "../accounts/account-store.js";
import type { AuditLog } from "../audit/audit-log.js";
import { ledgerAuditKey, ledgerDetails } from "../audit/ledger-audit.js";
import { MAX_AMOUNT } from "../ledger/inputs.js";
import type { Ledger } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import { findAccount } from "./find-account.js";
import {
  accountRefSchema,
  operatorKeySchema,
  parseOperatorInput,
  reasonSchema,
  type Operator,
} from "./operator.js";

export const grantBonusSchema = z.strictObject({
  account: accountRefSchema,
  amount: z
    .number({ error: "must be a whole number of credits" })
    .int("must be a whole number of credits")
    .positive("must be positive")
    .max(MAX_AMOUNT),
  reason: reasonSchema,
  /** A bonus lot that expires (docs/billing.md, "Bonus lots"); the ledger checks it is ahead. */
  expiresAt: z.date().optional(),
  /** Same key, same grant: a retried command grants once. Default: a fresh one. */
  idempotencyKey: operatorKeySchema.optional(),
});
export type GrantBonusInput = z.input<typeof grantBonusSchema>;

export type OperatorWriteResult =
  | { status: "created" | "replayed"; entry: LedgerEntry; accountLogin: string }
  | { status: "unknown_account" }
  /** The key was used before for something else (another amount or kind): nothing written. */
  | { status: "key_reused"; entry: LedgerEntry };

export interface OperatorWriteDeps {
  accounts: Pick<AccountStore, "get" | "findByLogin">;
  ledger: Pick<Ledger, "grant" | "adjust">;
  audit: Pick<AuditLog, "record">;
}

/**
 * An operator grants bonus credits (promotional, referral, goodwill). Checked first (a bad
 * input writes nothing), then one ledger entry by key, then one audit entry by the ledger
 * entry's id, so a retry after a crash between the two still records it, once.
 */
export function createGrantBonus(deps: OperatorWriteDeps) {
  return async (operator: Operator, input: GrantBonusInput): Promise<OperatorWriteResult> => {
    const parsed = parseOperatorInput(grantBonusSchema, input);
    const account = await findAccount(deps.accounts, parsed.account);
    if (!account) return { status: "unknown_account" };
    const key = `operator-bonus:${parsed.idempotencyKey ?? randomUUID()}`;
    const written = await deps.ledger.grant(account.id, {
      type: "bonus",
      amount: parsed.amount,
      description: parsed.reason,
      reference: { kind: "operator", actor: operator.name },
      idempotencyKey: key,
      ...(parsed.expiresAt ? { expiresAt: parsed.expiresAt } : {}),
    });
    if (written.status === "replayed" && written.entry.amount !== parsed.amount) {
      return { status: "key_reused", entry: written.entry };
    }
    await deps.audit.record({
      accountId: account.id,
      actor: { kind: "operator", name: operator.name },
      action: "grant",
      interface: operator.interface,
      details: { ...ledgerDetails(written.entry), reason: parsed.reason },
      idempotencyKey: ledgerAuditKey(written.entry),
    });
    return { status: written.status, entry: written.entry, accountLogin: account.login };
  };
}
