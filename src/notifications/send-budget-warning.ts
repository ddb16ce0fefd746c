import type { Logger } from "pino";
import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId } from "../accounts/types.js";
import type { BudgetWarningJob } from "./jobs.js";
import { budgetWarningEmail } from "./budget-warning-email.js";
import { emailContacts } from "./email-contacts.js";
import type { Mailer } from "./mailer.js";
import type { SendAlertResult } from "./send-alert.js";

export interface SendBudgetWarningDeps {
  accounts: Pick<AccountStore, "get">;
  mailer: Pick<Mailer, "send">;
  publicUrl: string;
  log: Logger;
}

export type SendBudgetWarning = (job: BudgetWarningJob) => Promise<SendAlertResult>;

/**
 * Sends one budget-warning email to all the account's billing contacts, read when the job
 * runs. `lowBalanceEmails: false` does not mute it: that setting is about the balance, and a
 * budget someone set is a limit they asked to hear about (docs/billing.md, "Budget warnings").
 * SMTP errors are thrown, so BullMQ retries with backoff, as for low-balance alerts.
 */
export function createSendBudgetWarning(deps: SendBudgetWarningDeps): SendBudgetWarning {
  return async (job) => {
    const account = await deps.accounts.get(toAccountId(job.accountId));
    const contacts = account?.settings.billingContacts ?? [];
    if (!account || contacts.length === 0) {
      deps.log.info(
        { accountId: job.accountId, budget: job.warning.id, found: Boolean(account) },
        "budget warning not sent: no billing contacts",
      );
      return "skipped";
    }

    const content = budgetWarningEmail({
      warning: job.warning,
      period: job.period,
      accountLogin: account.login,
      publicUrl: deps.publicUrl,
    });
    await emailContacts(
      deps.mailer,
      deps.log,
      { accountId: job.accountId, contacts, what: "budget warning email" },
      content,
    );
    return "sent";
  };
}
