import { neutralizeCommands } from "../commands/neutralize-commands.js";
import { budgetWords, type BudgetStopReport } from "./budget-words.js";
import type { VoiceContext } from "./context.js";

/** The `Jasper` check run's title and summary in each of its states. */
export function checkRunWords(ctx: VoiceContext) {
  const { command, billingUrl } = ctx;
  const { budgetUsedUp, budgetWayOut } = budgetWords(ctx);
  /** Every check run shows what was wrong with the configuration, if anything. */
  const withProblems = (summary: string, problems: readonly string[]): string =>
    problems.length === 0
      ? summary
      : [
          summary,
          "",
          "**The configuration was not used: the review ran on the defaults.** What was wrong:",
          ...problems.map((p) => `- ${p}`),
        ].join("\n");

  return {
    queued: (problems: readonly string[] = []) => ({
      title: "queued",
      summary: withProblems("The review is accepted and waits its turn.", problems),
    }),
    inProgress: (problems: readonly string[] = []) => ({
      title: "in progress",
      summary: withProblems("Jasper is reviewing this commit.", problems),
    }),
    posted: (p: {
      comments: number;
      coverage: string;
      summary: string;
      problems: readonly string[];
    }) => ({
      title: `reviewed: ${p.comments === 0 ? "no inline comments" : `${p.comments} inline comment${p.comments === 1 ? "" : "s"}`}`,
      summary: withProblems(
        `${p.coverage.charAt(0).toUpperCase()}${p.coverage.slice(1)}.`,
        p.problems,
      ),
      text: neutralizeCommands(p.summary),
    }),
    /** A retried job found its review already posted by an earlier attempt. */
    postedBefore: () => ({
      title: "reviewed",
      summary: "The review is posted on the pull request.",
    }),
    paused: (problems: readonly string[] = []) => ({
      title: "paused: the balance is 0",
      summary: withProblems(
        `No review: the account's credit balance is 0, nothing was charged. Buy credits at ${billingUrl}, then comment ${command("review")} on the pull request.`,
        problems,
      ),
    }),
    overBudget: (stop: BudgetStopReport, problems: readonly string[] = []) => ({
      title: `paused: ${budgetUsedUp(stop)}`.slice(0, 200),
      summary: withProblems(
        `No review, nothing was charged: ${budgetUsedUp(stop)}. ${budgetWayOut(stop)}`,
        problems,
      ),
    }),
    skipped: (reason: string, problems: readonly string[] = []) => ({
      title: `skipped: ${reason}`.slice(0, 200),
      summary: withProblems(
        `Not reviewed (${reason}); nothing was charged. Comment ${command("review")} to review it anyway.`,
        problems,
      ),
    }),
    failed: (f: { reason: string | null; refunded: boolean }) => ({
      title: `failed: ${f.reason ?? "error"}`.slice(0, 200),
      summary: `Jasper could not review this commit (${f.reason ?? "error"}). ${f.refunded ? "The credit it cost has been refunded." : "No credit was used for it."} Comment ${command("review")} to try again.`,
    }),
    /**
     * GitHub's event for this pull request failed on every attempt: Jasper never got as far as
     * deciding. A review it had already accepted goes on, or its credit is refunded (the sweep).
     */
    deliveryFailed: () => ({
      title: "failed: the event could not be processed",
      summary: `Jasper could not process GitHub's event for this pull request, so it was not reviewed. Nothing new was charged for it; a credit taken before the failure is refunded if the review does not run. Comment ${command("review")} on the pull request to ask again.`,
    }),
  };
}
