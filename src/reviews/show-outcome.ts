import { budgetStopReport, type AcceptOutcome } from "./accept-review.js";
import { checkRunOf, type CheckRunAt, type CheckRuns } from "./check-runs.js";
import type { HostedPullRequest } from "./pull-request-host.js";

/**
 * The check run that says what accepting a review decided: queued, paused for credits, stopped
 * by a budget, or skipped because the pull request is paused. One mapping for every way a
 * review is accepted (a webhook, `/jasper review`), so they cannot drift apart. A duplicate
 * shows nothing (its first acceptance did); an inactive account is never written to.
 */
export async function showAcceptOutcome(
  checkRuns: Pick<CheckRuns, "queued" | "paused" | "overBudget" | "skipped">,
  pr: HostedPullRequest,
  /** The pull request's own check run, where a decision without a run shows. */
  place: CheckRunAt,
  outcome: AcceptOutcome,
  details: { author: string | undefined; problems?: readonly string[] },
): Promise<void> {
  const problems = details.problems ?? [];
  if (outcome.status === "skipped") {
    if (outcome.reason === "paused_on_pull_request") {
      await checkRuns.skipped(pr, place, "paused on this pull request", problems);
    }
    return;
  }
  if (outcome.status === "duplicate") return;
  // The run's own check run, kept on it from here on (no lookup by commit for its updates).
  const at = checkRunOf(outcome.run, { created: true });
  if (outcome.status === "queued") await checkRuns.queued(pr, at, problems);
  else if (outcome.status === "paused") await checkRuns.paused(pr, at, problems);
  else {
    await checkRuns.overBudget(pr, at, budgetStopReport(outcome, details.author), problems);
  }
}
