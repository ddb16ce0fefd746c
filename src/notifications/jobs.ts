/**
 * The notification jobs (low-balance alerts, budget warnings, automatic top-ups and the
 * emails about them, a plan's failed renewal): what each email job holds,
 * as zod schemas the worker checks again. src/queue carries them.
 */
import { z } from "zod";
import type { AlertLevel } from "../ledger/credits.js";
import type { BudgetWarning } from "../ledger/month-use.js";

const accountId = z.number().int().positive();

/** One low-balance email: a level an entry crossed. */
export const alertJobSchema = z.object({
  accountId,
  /** The ledger entry that crossed the level. */
  entryId: z.string().min(1),
  level: z.enum(["warning", "critical", "depleted"] as const satisfies readonly AlertLevel[]),
  /** The balance right after that entry (what the email reports). */
  balance: z.number().int().min(0),
});
export type AlertJob = z.infer<typeof alertJobSchema>;

/** One budget-warning email: a charge took a credit budget to its warning share. */
export const budgetWarningJobSchema = z.object({
  kind: z.literal("budget_warning"),
  accountId,
  /** The month (UTC, "YYYY-MM") whose use reached the share. */
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  warning: z.object({
    id: z.string().min(1),
    budget: z.enum([
      "account",
      "repository",
      "author",
    ] as const satisfies readonly BudgetWarning["budget"][]),
    cap: z.number().int().positive(),
    used: z.number().int().min(0),
    /** A repository budget's repository, owner/name; absent on jobs queued before it was sent. */
    repository: z.string().min(1).max(200).optional(),
  }),
});
export type BudgetWarningJob = z.infer<typeof budgetWarningJobSchema>;

/**
 * One automatic top-up: a charge took the balance to the account's threshold or below. The
 * worker hands it to the top-up payer (src/billing/pay-top-up.ts), which checks every rule
 * again before it charges the card. Keyed by the entry that crossed: one job per crossing.
 */
export const autoTopUpJobSchema = z.object({
  kind: z.literal("auto_top_up"),
  accountId,
  /** The ledger entry that crossed the threshold. */
  entryId: z.string().min(1),
});
export type AutoTopUpJob = z.infer<typeof autoTopUpJobSchema>;

/** What an email about an automatic top-up that was not paid tells the billing contacts. */
export const TOP_UP_NOTICES = ["declined", "authentication_required", "switched_off"] as const;
export type TopUpNotice = (typeof TOP_UP_NOTICES)[number];

/** One email about an automatic top-up attempt: one per attempt and notice. */
export const topUpNoticeJobSchema = z.object({
  kind: z.literal("top_up_notice"),
  accountId,
  attemptKey: z.string().min(1).max(300),
  notice: z.enum(TOP_UP_NOTICES),
});
export type TopUpNoticeJob = z.infer<typeof topUpNoticeJobSchema>;

/**
 * The one email about a plan's renewal whose payment failed (invoice.payment_failed): one per
 * invoice, however often Stripe delivers the event or retries the payment.
 */
export const planPaymentFailedJobSchema = z.object({
  kind: z.literal("plan_payment_failed"),
  accountId,
  subscriptionId: z.string().min(1).max(255),
  invoiceId: z.string().min(1).max(255),
});
export type PlanPaymentFailedJob = z.infer<typeof planPaymentFailedJobSchema>;

/**
 * What the notifications queue carries. Alert jobs predate `kind` and may still wait in Redis
 * during a deploy, so they stay valid without one; every later kind requires its `kind`.
 */
export const notificationJobSchema = z.union([
  alertJobSchema,
  budgetWarningJobSchema,
  autoTopUpJobSchema,
  topUpNoticeJobSchema,
  planPaymentFailedJobSchema,
]);
export type NotificationJob = z.infer<typeof notificationJobSchema>;
