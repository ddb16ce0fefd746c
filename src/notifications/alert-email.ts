import type { AlertLevel } from "../ledger/credits.js";
import { RUNWAY_HORIZON_DAYS, RUNWAY_WINDOW_DAYS, type Runway } from "../usage/runway.js";
import { credits, emailContent, pageUrl, type EmailContent } from "./email-content.js";

export interface AlertEmailInput {
  level: AlertLevel;
  balance: number;
  accountLogin: string;
  publicUrl: string;
  /** The name in `/jasper review`; default "jasper". */
  botName?: string;
  /** When the credits run out at the recent pace; said in the warning and critical emails. */
  runway?: Runway | undefined;
}

/** The low-balance email: the balance, what happens next, and where to buy credits. */
export function alertEmail(input: AlertEmailInput): EmailContent {
  const { level, balance, accountLogin: login } = input;
  const billingUrl = pageUrl(input.publicUrl, "billing");
  const left = credits(balance);
  const bot = input.botName ?? "jasper";

  const subject = {
    warning: `Jasper: ${login} has ${left} left`,
    critical: `Jasper: only ${left} left for ${login}`,
    depleted: `Jasper: automatic reviews paused for ${login}`,
  }[level];
  const paragraphs = {
    warning: [
      `The Jasper credit balance of ${login} is down to ${left}.`,
      "Reviews continue as usual. Consider topping up so that they never pause.",
    ],
    critical: [
      `The Jasper credit balance of ${login} is down to ${left}.`,
      "Only a few reviews are left before automatic reviews pause. The billing dashboard shows a low-balance banner until you top up.",
    ],
    depleted: [
      `The Jasper credit balance of ${login} is ${left}.`,
      "Automatic pull request reviews are paused. Chat replies and commands still work.",
      `To resume, buy credits: new pull requests and pushes are reviewed again, and a \`/${bot} review\` comment reviews a pull request now.`,
    ],
  }[level];
  if (input.runway && level !== "depleted") paragraphs.push(runwayLine(input.runway));

  return emailContent(subject, paragraphs, { label: "Buy credits", url: billingUrl });
}

function runwayLine(r: Runway): string {
  const pace = `At the pace of the last ${RUNWAY_WINDOW_DAYS} days (about ${credits(r.dailySpend)} a day, net of refunds)`;
  return r.runsOutOn
    ? `${pace}, the credits run out around ${r.runsOutOn}.`
    : `${pace}, the credits last more than ${RUNWAY_HORIZON_DAYS} days.`;
}
