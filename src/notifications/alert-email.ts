import type { AlertLevel } from "../ledger/credits.js";
import { RUNWAY_HORIZON_DAYS, RUNWAY_WINDOW_DAYS, type Runway } from "../usage/runway.js";

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

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The low-balance email: the balance, what happens next, and where to buy credits. */
export function alertEmail(input: AlertEmailInput): EmailContent {
  const { level, balance, accountLogin: login } = input;
  const billingUrl = `${input.publicUrl.replace(/\/+$/, "")}/billing`;
  const credits = `${balance} ${balance === 1 ? "credit" : "credits"}`;
  const bot = input.botName ?? "jasper";

  const subject = {
    warning: `Jasper: ${login} has ${credits} left`,
    critical: `Jasper: only ${credits} left for ${login}`,
    depleted: `Jasper: automatic reviews paused for ${login}`,
  }[level];
  const paragraphs = {
    warning: [
      `The Jasper credit balance of ${login} is down to ${credits}.`,
      "Reviews continue as usual. Consider topping up so that they never pause.",
    ],
    critical: [
      `The Jasper credit balance of ${login} is down to ${credits}.`,
      "Only a few reviews are left before automatic reviews pause. The billing dashboard shows a low-balance banner until you top up.",
    ],
    depleted: [
      `The Jasper credit balance of ${login} is ${credits}.`,
      "Automatic pull request reviews are paused. Chat replies and commands still work.",
      `To resume, buy credits: new pull requests and pushes are reviewed again, and a \`/${bot} review\` comment reviews a pull request now.`,
    ],
  }[level];
  if (input.runway && level !== "depleted") paragraphs.push(runwayLine(input.runway));

  const text = [...paragraphs, `Buy credits: ${billingUrl}`].join("\n\n") + "\n";
  // Every paragraph is escaped whole: the login is the customer's, the URL is config.
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(billingUrl)}">Buy credits</a></p>`,
  ].join("\n");
  return { subject, text, html };
}

function runwayLine(r: Runway): string {
  const pace = `At the pace of the last ${RUNWAY_WINDOW_DAYS} days (about ${r.dailySpend} ${r.dailySpend === 1 ? "credit" : "credits"} a day, net of refunds)`;
  return r.runsOutOn
    ? `${pace}, the credits run out around ${r.runsOutOn}.`
    : `${pace}, the credits last more than ${RUNWAY_HORIZON_DAYS} days.`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
