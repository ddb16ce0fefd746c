/**
 * A plan's renewal whose payment failed (invoice.payment_failed) emails the billing contacts
 * once per invoice (PRODUCT.md, "Plans and subscriptions"), while Stripe keeps retrying it.
 *
 * Once: the job is keyed by the invoice (planPaymentFailedJobId), so a redelivered event, and
 * Stripe's next failed retry of the same invoice, add nothing while the first job is kept. The
 * queue keeps it for a while only; after that a new job could be added, so the event handler
 * queues only while the failure's first record (its audit entry, unique per invoice in the
 * database) is younger than the queue keeps jobs. A job lost before it was added (the queue
 * unreachable) fails the event, and Stripe redelivers it.
 */
import type { Logger } from "pino";
import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId, type AccountId } from "../accounts/types.js";
import { findPlan, type Plan } from "../billing/plans.js";
import type { SubscriptionStore } from "../billing/subscription-store.js";
import { planPaymentFailedJobId } from "./alert-job.js";
import { emailContacts } from "./email-contacts.js";
import { emailContent, pageUrl, type EmailContent } from "./email-content.js";
import type { PlanPaymentFailedJob } from "./jobs.js";
import type { Mailer } from "./mailer.js";
import type { SendAlertResult } from "./send-alert.js";

export interface PlanPaymentFailedQueueDeps {
  /** The producer's enqueuePlanPaymentFailed: a second add under the same id is a no-op. */
  enqueue(job: PlanPaymentFailedJob, id: string): Promise<void>;
  /** How long the queue keeps a finished job (its job id deduplicates only that long). */
  keptMs: number;
  now: () => Date;
  log: Logger;
}

/**
 * The subscription events' onPaymentFailed: queues the email, unless the failure was first
 * recorded too long ago for the queue to still know whether it was sent. Throws when the job
 * could not be queued (the event fails, and Stripe redelivers it).
 */
export function createPlanPaymentFailedQueue(deps: PlanPaymentFailedQueueDeps) {
  // A margin under the queue's keeping, for the clocks of the web and worker processes.
  const window = deps.keptMs - 3_600_000;
  return async (
    accountId: AccountId,
    subscriptionId: string,
    invoiceId: string,
    firstRecordedAt: Date,
  ): Promise<void> => {
    if (deps.now().getTime() - firstRecordedAt.getTime() > window) {
      deps.log.info(
        { accountId, subscriptionId, invoiceId, firstRecordedAt },
        "payment-failed email not queued again: the invoice's first failure was emailed then",
      );
      return;
    }
    await deps.enqueue(
      { kind: "plan_payment_failed", accountId, subscriptionId, invoiceId },
      planPaymentFailedJobId(accountId, invoiceId),
    );
  };
}

export interface SendPlanPaymentFailedDeps {
  accounts: Pick<AccountStore, "get">;
  subscriptions: Pick<SubscriptionStore, "find">;
  mailer: Pick<Mailer, "send">;
  /** The plan catalog, for the plan's name (its id when it is no longer listed). */
  plans: readonly Plan[];
  publicUrl: string;
  log: Logger;
}

export type SendPlanPaymentFailed = (job: PlanPaymentFailedJob) => Promise<SendAlertResult>;

export function createSendPlanPaymentFailed(
  deps: SendPlanPaymentFailedDeps,
): SendPlanPaymentFailed {
  return async (job) => {
    const accountId = toAccountId(job.accountId);
    const [account, subscription] = await Promise.all([
      deps.accounts.get(accountId),
      deps.subscriptions.find(job.subscriptionId),
    ]);
    const contacts = account?.settings.billingContacts ?? [];
    const mine = subscription?.accountId === accountId ? subscription : null;
    // Paid meanwhile (a job retried through an SMTP outage outlived the failure): no alarm.
    const paid = mine?.status === "active" || mine?.status === "trialing";
    if (!account || !mine || paid || contacts.length === 0) {
      deps.log.info(
        {
          accountId,
          invoiceId: job.invoiceId,
          found: Boolean(account && mine),
          status: mine?.status,
          contacts: contacts.length,
        },
        "payment-failed email not sent",
      );
      return "skipped";
    }
    await emailContacts(
      deps.mailer,
      deps.log,
      { accountId, contacts, what: "payment-failed email" },
      planPaymentFailedEmail(
        account.login,
        findPlan(deps.plans, mine.plan)?.name ?? mine.plan,
        mine.currentPeriodEnd,
        deps.publicUrl,
      ),
    );
    return "sent";
  };
}

/** What the billing contacts read: what failed, what Stripe does next, what to do. */
export function planPaymentFailedEmail(
  login: string,
  plan: string,
  periodEnd: Date,
  publicUrl: string,
): EmailContent {
  const renewal = periodEnd.toISOString().slice(0, 10);
  return emailContent(
    `Jasper: the payment for ${login}'s plan failed`,
    [
      `The payment renewing the ${plan} plan of ${login} did not go through. No plan credits are added for the new period until it is paid.`,
      `Stripe tries the card again over the next days. If every try fails, ${login} goes back to Free (the credits it bought stay). The period paid so far ended on ${renewal} (UTC).`,
      "Update the card under Manage billing on the Plan page to keep the plan.",
    ],
    { label: "Open the Plan page", url: pageUrl(publicUrl, "billing/plan") },
  );
}
