import type { Logger } from "pino";
import { toAccountId } from "../accounts/types.js";
import type { AccountStore } from "../accounts/account-store.js";
import type { AccountId } from "../accounts/types.js";
import type { Runway } from "../usage/runway.js";
import { alertEmail } from "./alert-email.js";
import type { AlertJob } from "./jobs.js";
import { emailContacts } from "./email-contacts.js";
import type { Mailer } from "./mailer.js";

export interface SendAlertDeps {
  accounts: Pick<AccountStore, "get">;
  mailer: Pick<Mailer, "send">;
  publicUrl: string;
  /** For `/jasper review` in the depleted email; default "jasper". */
  botName?: string;
  log?: Logger;
  /** The runway forecast for the email; a failure to compute it leaves it out of the email. */
  runway?: (accountId: AccountId, balance: number) => Promise<Runway>;
}

export type SendAlertResult = "sent" | "skipped";
export type SendAlert = (job: AlertJob) => Promise<SendAlertResult>;

/**
 * Sends one low-balance email to all the account's billing contacts, read when the job runs
 * so a changed setting applies to emails still waiting. SMTP errors are thrown: BullMQ
 * retries with backoff, so a failing server delays emails and nothing else.
 */
export function createSendAlert(deps: SendAlertDeps): SendAlert {
  return async (job) => {
    const account = await deps.accounts.get(toAccountId(job.accountId));
    if (!account) return "skipped";
    const { lowBalanceEmails, billingContacts } = account.settings;
    if (!lowBalanceEmails || billingContacts.length === 0) return "skipped";

    const runway = await deps.runway?.(account.id, job.balance).catch(() => undefined);
    const content = alertEmail({
      runway,
      level: job.level,
      balance: job.balance,
      accountLogin: account.login,
      publicUrl: deps.publicUrl,
      botName: deps.botName,
    });
    await emailContacts(
      deps.mailer,
      deps.log,
      { accountId: job.accountId, contacts: billingContacts, what: "alert email" },
      content,
    );
    return "sent";
  };
}
