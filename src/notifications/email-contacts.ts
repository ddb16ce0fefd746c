import type { Logger } from "pino";
import type { EmailContent } from "./email-content.js";
import type { Mailer } from "./mailer.js";

/**
 * Sends one email to all of an account's billing contacts; SMTP failures throw (the job is
 * retried). Contacts the server refused are only logged: the others got the email, and a
 * retry would send it to them twice.
 */
export async function emailContacts(
  mailer: Pick<Mailer, "send">,
  log: Logger | undefined,
  to: { accountId: number; contacts: string[]; what: string },
  content: EmailContent,
): Promise<void> {
  const { rejected } = await mailer.send({ to: to.contacts, ...content });
  if (rejected.length > 0) {
    log?.warn({ accountId: to.accountId, rejected }, `${to.what} refused for some contacts`);
  }
}
