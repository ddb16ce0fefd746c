import { commandList, commandUsage, type CommandName } from "../commands/commands.js";
import { neutralizeCommands } from "../commands/neutralize-commands.js";
import { REQUESTED_REFUND_SHARE } from "../ledger/credits.js";
import type { BalanceSummary } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import type { VoiceContext } from "./context.js";
import { credits, quote } from "./markdown.js";

/** The bot's answers to commands and mentions. */
export function commandReplies({ botName, command, billingUrl }: VoiceContext) {
  function help(
    reviewCost: number,
    charging: "pull_request" | "review_run" = "pull_request",
  ): string {
    const credit = credits(reviewCost);
    const fullReview =
      charging === "review_run"
        ? `This organization pays for every review run: ${command("review")} and ${command("full review")} cost ${credit} each when they start a review.`
        : `${command("full review")} is included in the pull request's credit.`;
    return [
      `**Jasper** reviews pull requests: ${credit} per pull request, later pushes re-reviewed at no extra charge (your organization may choose to charge every review run).`,
      "",
      "Commands, all free:",
      commandList(botName),
      "",
      fullReview,
      "",
      `Ask anything about the change by mentioning @${botName} in a comment (free).`,
    ].join("\n");
  }

  return {
    help,

    unknownCommand: (
      name: string,
      reviewCost: number,
      charging?: "pull_request" | "review_run",
    ): string => `Unknown command \`${name.slice(0, 40)}\`.\n\n${help(reviewCost, charging)}`,

    /** `ignore`: how to keep automatic reviews away from a pull request. */
    ignoreHowTo: (): string =>
      `To keep Jasper's automatic reviews away from this pull request, add a line that says ${command("ignore")} to its description (the line alone, outside code). ` +
      `No automatic review, no check run and no charge while it is there; remove the line to have it reviewed again. Asking still works: ${command("review")}.`,

    autoReviewsPaused: (): string =>
      `Automatic reviews are paused on this pull request. Comment ${command("resume")} to turn them back on, or ${command("review")} for a single review.`,

    autoReviewsResumed: (): string => "Automatic reviews are back on for this pull request.",

    /**
     * A command from someone without write access to the repository: nothing was done. `name`
     * is null for a command the bot does not know.
     */
    commandRefused: (name: CommandName | null): string =>
      `Sorry, only people with write access to this repository can use ${name ? command(name) : "commands"}. Nothing was done.`,

    credits: (s: Pick<BalanceSummary, "balance" | "buckets" | "nextFreeReset" | "paused">) =>
      `Credit balance: **${s.balance}** (free ${s.buckets.free}, plan ${s.buckets.plan}, bonus ${s.buckets.bonus}, purchased ${s.buckets.purchased}). ` +
      `Free reviews reset on ${s.nextFreeReset.toISOString().slice(0, 10)}.` +
      (s.paused ? " Automatic reviews are paused until credits are added." : ""),

    /** `refund` from someone who neither wrote the pull request nor administers the account. */
    refundRefused: (): string =>
      `Sorry, only the pull request's author or an admin of the account can use ${command("refund")}. Nothing was done.`,

    refundNeedsReason: (): string =>
      `A refund needs a reason: comment ${commandUsage(botName, "refund")} (on one line). Nothing was done.`,

    refundReasonTooLong: (max: number): string =>
      `The reason is too long: at most ${max} characters. Nothing was done.`,

    /** `refund` on a pull request none of whose posted reviews was charged. */
    nothingToRefund: (): string =>
      "There is nothing to refund: no review of this pull request was charged.",

    /** The reason as given, quoted so that it mentions, references and commands nothing. */
    refunded: (r: { credits: number; balance: number; reason: string }): string =>
      `Refunded ${credits(r.credits)} for this pull request's review, for the reason ${quote(r.reason)}. ` +
      `Credit balance: **${r.balance}**. A later review of this pull request is charged again.`,

    /** The charge was refunded before, automatically (its review failed) or on request. */
    alreadyRefunded: (refund: Pick<LedgerEntry, "refundRequest">): string =>
      refund.refundRequest
        ? `This pull request's review was already refunded, at the request of ${quote(refund.refundRequest.login)}. Nothing more was refunded.`
        : "This pull request's review was already refunded automatically, because it failed. Nothing more was refunded.",

    /** Past this month's cap of refunds on request: nothing was written. */
    refundOverCap: (c: { cap: number; used: number }): string =>
      `Not refunded: this month's refund allowance of ${credits(c.cap)} is used (${c.used}/${c.cap}). ` +
      `Refunds on request can give back at most ${REQUESTED_REFUND_SHARE * 100}% of the credits charged this month. Nothing was done.`,

    /** `review` asked for a head whose review is already queued. */
    reviewAlreadyQueued: (headSha: string): string =>
      `A review of \`${headSha.slice(0, 7)}\` is already on its way.`,

    /** `review` asked with a balance of 0, after the pull request's paused notice went out. */
    noCreditsForReview: (): string =>
      `Not enough credits for a review: the balance is 0. Buy credits at ${billingUrl}, then ask again.`,

    /** The engine's answer to a mention, addressed to whoever asked. */
    chatAnswer: (author: string, answer: string): string =>
      `@${author} ${neutralizeCommands(answer)}`,

    /** `review --over-budget` from someone who is not an admin of the account. */
    overBudgetRefused: (): string =>
      `Only an admin of the account can let a review past a budget; nothing was charged. Budgets are on ${billingUrl}/budgets.`,
  };
}
