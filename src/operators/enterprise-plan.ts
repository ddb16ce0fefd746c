import { z } from "zod";
import type { AccountStore } from "../accounts/account-store.js";
import type { AuditLog } from "../audit/audit-log.js";
import { setEnterprisePlan, type SetEnterpriseResult } from "../billing/enterprise-plan.js";
import type { PlanMonthDeps } from "../billing/plan-months.js";
import { findAccount } from "./find-account.js";
import { accountRefSchema, parseOperatorInput, reasonSchema, type Operator } from "./operator.js";

const whole = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a whole number of ${what}` })
    .int(`must be a whole number of ${what}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const enterprisePlanSchema = z.strictObject({
  account: accountRefSchema,
  /** What the account and its invoices call the plan; default "Enterprise". */
  name: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
    .default("Enterprise"),
  creditsPerMonth: whole("credits", 1, 1_000_000),
  /** The price of a month, in cents (0: a plan the operator gives away). */
  priceCents: whole("cents", 0, 100_000_000),
  /** Payment terms: the invoice is due this many days after it is sent (Stripe allows 0-365). */
  daysUntilDue: whole("days", 0, 365),
  reason: reasonSchema,
});
export type EnterprisePlanInput = z.input<typeof enterprisePlanSchema>;

export type EnterprisePlanResult =
  | (Extract<SetEnterpriseResult, { status: "set" }> & { accountLogin: string })
  | Exclude<SetEnterpriseResult, { status: "set" }>
  | { status: "unknown_account" };

export interface EnterprisePlanDeps {
  accounts: Pick<AccountStore, "get" | "findByLogin">;
  audit: Pick<AuditLog, "record">;
  /** The plan months' ledger, subscriptions, catalog and clock (src/wiring/plan-months.ts). */
  planMonths: PlanMonthDeps;
}

/**
 * An operator puts one account on a custom plan, or changes its terms (src/billing/
 * enterprise-plan.ts): checked first (a bad input writes nothing), then the plan recorded and
 * the month running now granted (idempotent by subscription and month), then one audit entry
 * per state recorded (a retried command that changed nothing records nothing more).
 */
export function createEnterprisePlan(deps: EnterprisePlanDeps) {
  return async (operator: Operator, input: EnterprisePlanInput): Promise<EnterprisePlanResult> => {
    const parsed = parseOperatorInput(enterprisePlanSchema, input);
    const account = await findAccount(deps.accounts, parsed.account);
    if (!account) return { status: "unknown_account" };
    const { name, creditsPerMonth, priceCents, daysUntilDue, reason } = parsed;
    const result = await setEnterprisePlan(deps.planMonths, account.id, {
      name,
      creditsPerMonth,
      priceCents,
      daysUntilDue,
    });
    if (result.status !== "set") return result;
    const s = result.state;
    await deps.audit.record({
      accountId: account.id,
      actor: { kind: "operator", name: operator.name },
      action: "enterprise_plan_set",
      interface: operator.interface,
      details: {
        plan: s.plan,
        name,
        creditsPerMonth,
        priceCents,
        daysUntilDue,
        periodEnd: s.currentPeriodEnd.toISOString(),
        granted: result.grant?.status ?? null,
        reason,
      },
      idempotencyKey: `enterprise-plan:${s.subscriptionId}:${s.updatedAt.toISOString()}`,
    });
    return { ...result, accountLogin: account.login };
  };
}
