import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ledgerAuditKey, ledgerDetails } from "../audit/ledger-audit.js";
import { MAX_AMOUNT } from "../ledger/inputs.js";
import { ADJUSTABLE_BUCKETS } from "../ledger/types.js";
import { findAccount } from "./find-account.js";
import type { OperatorWriteDeps, OperatorWriteResult } from "./grant-bonus.js";
import {
  accountRefSchema,
  operatorKeySchema,
  parseOperatorInput,
  reasonSchema,
  type Operator,
} from "./operator.js";

export const adjustBalanceSchema = z.strictObject({
  account: accountRefSchema,
  /** Up (positive) or down (negative); a bucket never goes below zero. */
  amount: z
    .number({ error: "must be a whole number of credits" })
    .int("must be a whole number of credits")
    .min(-MAX_AMOUNT)
    .max(MAX_AMOUNT)
    .refine((n) => n !== 0, "must not be zero"),
  /** Which bucket; default purchased (corrections are most often about bought credits). */
  bucket: z.enum(ADJUSTABLE_BUCKETS).default("purchased"),
  reason: reasonSchema,
  idempotencyKey: operatorKeySchema.optional(),
});
export type AdjustBalanceInput = z.input<typeof adjustBalanceSchema>;

/**
 * An operator's correction, up or down. The ledger's adjust never takes a bucket below zero
 * and records what it could not take as `uncollected`, as for Stripe refunds; the audit entry
 * says both what was asked and what was applied.
 */
export function createAdjustBalance(deps: OperatorWriteDeps) {
  return async (operator: Operator, input: AdjustBalanceInput): Promise<OperatorWriteResult> => {
    const parsed = parseOperatorInput(adjustBalanceSchema, input);
    const account = await findAccount(deps.accounts, parsed.account);
    if (!account) return { status: "unknown_account" };
    const written = await deps.ledger.adjust(account.id, {
      amount: parsed.amount,
      bucket: parsed.bucket,
      description: parsed.reason,
      reference: { kind: "operator", actor: operator.name },
      idempotencyKey: `operator-adjust:${parsed.idempotencyKey ?? randomUUID()}`,
    });
    // What was asked is what was applied plus what could not be taken.
    const asked = written.entry.amount - written.entry.uncollected;
    if (written.status === "replayed" && asked !== parsed.amount) {
      return { status: "key_reused", entry: written.entry };
    }
    await deps.audit.record({
      accountId: account.id,
      actor: { kind: "operator", name: operator.name },
      action: "adjustment",
      interface: operator.interface,
      details: {
        ...ledgerDetails(written.entry),
        requested: parsed.amount,
        bucket: parsed.bucket,
        reason: parsed.reason,
      },
      idempotencyKey: ledgerAuditKey(written.entry),
    });
    return { status: written.status, entry: written.entry, accountLogin: account.login };
  };
}
