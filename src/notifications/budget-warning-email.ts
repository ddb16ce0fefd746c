import type { BudgetWarning } from "../ledger/month-use.js";
import { credits, emailContent, pageUrl, type EmailContent } from "./email-content.js";

export interface BudgetWarningEmailInput {
  warning: BudgetWarning;
  /** The month whose use reached the share, "YYYY-MM" (UTC). */
  period: string;
  accountLogin: string;
  publicUrl: string;
}

/**
 * The budget-warning email: which budget is how far used, what happens when it is used up,
 * who can raise it and where, and when it starts again.
 */
export function budgetWarningEmail(input: BudgetWarningEmailInput): EmailContent {
  const { warning: w, accountLogin: org } = input;
  const name = budgetName(w, org);
  // Floored, so the email never says a share the use has not reached.
  const percent = Math.floor((w.used * 100) / w.cap);
  const { month, nextMonth } = monthNames(input.period);

  const subject = `Jasper: ${name} is ${percent}% used (${w.used}/${w.cap} credits, ${month})`;
  const paragraphs = [
    `In ${month}, ${name} has reached ${percent}%: ${w.used} of its ${credits(w.cap)} are used.`,
    "Once it is used up, reviews that would go over it are paused, and the pull request shows it (its check run and one comment). Chat replies and commands keep working.",
    `An admin of ${org} can raise the budget on the Budgets page of the Jasper dashboard.`,
    `It starts again from zero on ${nextMonth} (UTC).`,
  ];
  return emailContent(subject, paragraphs, {
    label: "Budgets",
    url: pageUrl(input.publicUrl, "billing/budgets"),
  });
}

/**
 * The budget in words, from its id (lower-cased by the ledger, see month-use.ts). A
 * repository's id holds GitHub's repository id: its name comes with the warning (a warning
 * queued before that holds the name in its id).
 */
function budgetName(w: BudgetWarning, org: string): string {
  const key = w.id.slice(w.id.indexOf(":") + 1);
  switch (w.budget) {
    case "account":
      return `${org}'s monthly budget`;
    case "repository": {
      // `owner/name`; the owner is the account itself.
      const repository = w.repository ?? key;
      return `${org}'s budget for the \`${repository.slice(repository.indexOf("/") + 1)}\` repository`;
    }
    case "author":
      return `${key}'s monthly review budget at ${org}`;
  }
}

/** "December 2026" and "January 1, 2027" for period "2026-12". */
function monthNames(period: string): { month: string; nextMonth: string } {
  const [year, month] = period.split("-").map(Number) as [number, number];
  const utc = { timeZone: "UTC" } as const;
  return {
    month: new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString("en-US", {
      ...utc,
      month: "long",
      year: "numeric",
    }),
    // Date.UTC rolls month 12 over into January of the next year.
    nextMonth: new Date(Date.UTC(year, month, 1)).toLocaleDateString("en-US", {
      ...utc,
      month: "long",
      day: "numeric",
      year: "numeric",
    }),
  };
}
