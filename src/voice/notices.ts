import { budgetWords, type BudgetStopReport } from "./budget-words.js";
import type { VoiceContext } from "./context.js";

/** Marks the "reviews paused" comment, so a retried job edits it instead of posting another. */
export const PAUSED_NOTICE_MARKER = "<!-- jasper:paused-notice -->";

/** Marks the pull request's one "a budget stopped this review" comment, updated in place. */
export const BUDGET_NOTICE_MARKER = "<!-- jasper:budget-notice -->";

/** What the bot posts on its own when a review stops, goes ahead after all, or fails. */
export function noticeWords(ctx: VoiceContext) {
  const { botName, command, billingUrl } = ctx;
  const { budgetUsedUp, budgetWayOut } = budgetWords(ctx);
  return {
    /** Posted once per pull request when a review is paused for lack of credits. */
    pausedNotice: (): string =>
      [
        "**Jasper reviews are paused for this account: the credit balance is 0.**",
        "",
        `Chat (mention @${botName}) and commands keep working, free of charge.`,
        `To resume automatic reviews, buy credits (${billingUrl}) and then comment ${command("review")} on this pull request.`,
        "",
        PAUSED_NOTICE_MARKER,
      ].join("\n"),

    /**
     * A stop notice (the one with `marker`) edited once the stop no longer holds: the newest
     * head's review went ahead. `takenUp`: a parked run taken up when older pushes' runs were
     * superseded and refunded.
     */
    stopLifted: (l: { headSha: string; takenUp: boolean; marker: string }): string =>
      [
        `**Update: Jasper's review of \`${l.headSha.slice(0, 7)}\` went ahead.** The stop this comment reported no longer applies${l.takenUp ? ": the reviews of older commits were cancelled and refunded, which made room for it" : ""}.`,
        "",
        l.marker,
      ].join("\n"),

    /** The pull request's one comment when a budget stops its review (updated in place). */
    budgetNotice: (stop: BudgetStopReport): string =>
      [
        `**Jasper did not review this pull request: ${budgetUsedUp(stop)}.** Nothing was charged.`,
        "",
        budgetWayOut(stop),
        `Chat (mention @${botName}) and commands keep working, free of charge.`,
        "",
        BUDGET_NOTICE_MARKER,
      ].join("\n"),

    /** A review that failed for good; `refunded` when its credit went back to the balance. */
    reviewFailed: (f: { headSha: string; reason: string | null; refunded: boolean }): string => {
      const credit = f.refunded
        ? "The credit it cost has been refunded to your balance."
        : "No credit was used for it.";
      return [
        `Jasper could not review this pull request at \`${f.headSha.slice(0, 7)}\` (${f.reason ?? "error"}). ${credit}`,
        "",
        `To try again, comment ${command("review")} here.`,
      ].join("\n");
    },
  };
}
