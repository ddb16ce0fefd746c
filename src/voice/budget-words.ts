import type { StopKind } from "../accounts/budget-rules.js";
import { repositoryName } from "../budgets/limits.js";
import type { VoiceContext } from "./context.js";

/** A budget stop as the bot tells it: which budget, on which repository and author. */
export interface BudgetStopReport {
  budget: StopKind;
  cap: number;
  used: number;
  repository: string;
  author?: string | undefined;
  resetsOn: Date;
}

/** How a budget stop is told: what is used up, and the ways out. */
export function budgetWords({ command, billingUrl }: VoiceContext) {
  /** "the `api` repository's budget of 40 credits this month is used (40/40)" */
  function budgetUsedUp(s: BudgetStopReport): string {
    if (s.budget === "seats") {
      const seats = `${s.cap} seat${s.cap === 1 ? "" : "s"}`;
      return `the plan's limit of ${seats} (pull request authors reviewed this billing month) is reached (${s.used}/${s.cap}), and \`${s.author ?? "this author"}\` would be one more`;
    }
    const name = {
      account: "the account's monthly budget",
      repository: `the \`${repositoryName(s.repository)}\` repository's budget`,
      author: `the budget of pull requests by \`${s.author ?? "this author"}\``,
      pull_request_runs: "this pull request's cap on review runs",
    }[s.budget];
    const unit = s.budget === "pull_request_runs" ? "run" : "credit";
    return `${name} of ${s.cap} ${unit}${s.cap === 1 ? "" : "s"} this month is used (${s.used}/${s.cap})`;
  }
  const budgetWayOut = (s: BudgetStopReport): string =>
    s.budget === "seats"
      ? `An admin of the account can raise it by changing the plan on the Plan page (${billingUrl}/plan). Seats count again from ${s.resetsOn.toISOString().slice(0, 10)} (UTC), when the next billing month starts.`
      : `An admin of the account can raise it on the budgets page (${billingUrl}/budgets), or let this pull request through with ${command("review --over-budget")}. Budgets start again on ${s.resetsOn.toISOString().slice(0, 10)} (UTC).`;

  return { budgetUsedUp, budgetWayOut };
}
