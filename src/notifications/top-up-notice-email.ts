import type { TopUpNotice } from "./jobs.js";
import { credits, emailContent, pageUrl, type EmailContent } from "./email-content.js";

export interface TopUpNoticeEmailInput {
  notice: TopUpNotice;
  accountLogin: string;
  credits: number;
  priceCents: number;
  currency: string;
  publicUrl: string;
  /** For authentication_required: a Checkout page that buys the same package. */
  checkoutUrl?: string | undefined;
}

const money = (cents: number, currency: string) =>
  `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;

/**
 * The emails about an automatic top-up that was not paid: a decline (the hourly rule and the
 * switch-off after three said, so nobody expects a retry loop), a payment the bank wants the
 * cardholder to confirm (with a link that pays it in Checkout), and the switch-off itself.
 */
export function topUpNoticeEmail(input: TopUpNoticeEmailInput): EmailContent {
  const login = input.accountLogin;
  const what = `${credits(input.credits)} (${money(input.priceCents, input.currency)})`;
  const billing = { label: "Open billing", url: pageUrl(input.publicUrl, "billing") };
  switch (input.notice) {
    case "declined":
      return emailContent(
        `Jasper: the automatic top-up for ${login} was declined`,
        [
          `The card saved for ${login} was declined for an automatic top-up of ${what}. Nothing was charged.`,
          "Jasper tries the card at most once an hour. After three declines in a row, auto top-up switches off until someone switches it on again.",
          "Replace the card on the billing page, or buy credits there, so that reviews do not pause.",
        ],
        billing,
      );
    case "authentication_required":
      return emailContent(
        `Jasper: confirm the automatic top-up for ${login}`,
        [
          `The bank of the card saved for ${login} asks the cardholder to confirm an automatic top-up of ${what}. Nothing was charged.`,
          "Pay it with the link below (the same package, in Stripe Checkout). Auto top-up stays on.",
        ],
        input.checkoutUrl
          ? { label: "Complete the payment", url: input.checkoutUrl }
          : { label: "Buy credits", url: billing.url },
      );
    case "switched_off":
      return emailContent(
        `Jasper: auto top-up for ${login} is off`,
        [
          `The card saved for ${login} was declined three times in a row, so auto top-up is now off: Jasper will not try the card again.`,
          "Replace the card and switch auto top-up on again on the billing page, or buy credits there.",
        ],
        billing,
      );
  }
}
