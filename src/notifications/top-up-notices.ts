/**
 * The failures of automatic top-ups, made visible by email: a decline and a payment that
 * needs the cardholder each email the billing contacts once per attempt, and the switch-off
 * after three declines once more. Queued (one job per attempt and notice, so Stripe's
 * redelivery of an event or a replayed settlement sends nothing twice) and sent by the
 * notification worker, which waits out an SMTP outage.
 */
import type { Logger } from "pino";
import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId } from "../accounts/types.js";
import type {
  AttemptOutcome,
  TopUpAttempt,
  TopUpAttemptStore,
} from "../billing/top-up-attempt-store.js";
import type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
import { topUpNoticeJobId } from "./alert-job.js";
import { emailContacts } from "./email-contacts.js";
import type { TopUpNotice, TopUpNoticeJob } from "./jobs.js";
import type { Mailer } from "./mailer.js";
import type { SendAlertResult } from "./send-alert.js";
import { topUpNoticeEmail } from "./top-up-notice-email.js";

/** Queues the emails; throws when the job could not be queued (callers are retried). */
export function createTopUpNoticeQueue(
  enqueueTopUpNotice: (job: TopUpNoticeJob, id: string) => Promise<void>,
) {
  const queue = (attempt: TopUpAttempt, notice: TopUpNotice) =>
    enqueueTopUpNotice(
      {
        kind: "top_up_notice",
        accountId: attempt.accountId,
        attemptKey: attempt.attemptKey,
        notice,
      },
      topUpNoticeJobId(attempt.accountId, attempt.attemptKey, notice),
    );
  return {
    /** After an attempt settled as not paid (a `failed` one is Stripe's, not the card's). */
    async notPaid(attempt: TopUpAttempt, outcome: AttemptOutcome): Promise<void> {
      if (outcome === "declined" || outcome === "authentication_required") {
        await queue(attempt, outcome);
      }
    },
    /** After three declines switched auto top-up off. */
    switchedOff: (attempt: TopUpAttempt) => queue(attempt, "switched_off"),
  };
}

export interface SendTopUpNoticeDeps {
  accounts: Pick<AccountStore, "get">;
  attempts: Pick<TopUpAttemptStore, "find">;
  mailer: Pick<Mailer, "send">;
  publicUrl: string;
  /**
   * Creates the Checkout Session that pays what the bank wanted confirmed; keyed by the
   * attempt, so a retried email job links the same session. Absent without Stripe.
   */
  checkout?: (input: CheckoutInput) => Promise<CheckoutResult>;
  log: Logger;
}

export type SendTopUpNotice = (job: TopUpNoticeJob) => Promise<SendAlertResult>;

export function createSendTopUpNotice(deps: SendTopUpNoticeDeps): SendTopUpNotice {
  return async (job) => {
    const accountId = toAccountId(job.accountId);
    const [account, attempt] = await Promise.all([
      deps.accounts.get(accountId),
      deps.attempts.find(accountId, job.attemptKey),
    ]);
    const contacts = account?.settings.billingContacts ?? [];
    if (!account || !attempt || contacts.length === 0) {
      deps.log.info(
        { accountId, attemptKey: job.attemptKey, notice: job.notice, found: Boolean(account) },
        "top-up email not sent: no billing contacts",
      );
      return "skipped";
    }
    let checkoutUrl: string | undefined;
    if (job.notice === "authentication_required" && deps.checkout) {
      const session = await deps.checkout({
        accountId,
        accountLogin: account.login,
        packageId: attempt.packageId,
        requestKey: `top-up-confirm:${attempt.attemptKey}`,
      });
      if (session.status === "created") checkoutUrl = session.url;
    }
    const content = topUpNoticeEmail({
      notice: job.notice,
      accountLogin: account.login,
      credits: attempt.credits,
      priceCents: attempt.priceCents,
      currency: attempt.currency,
      publicUrl: deps.publicUrl,
      checkoutUrl,
    });
    await emailContacts(
      deps.mailer,
      deps.log,
      { accountId, contacts, what: "top-up email" },
      content,
    );
    return "sent";
  };
}
