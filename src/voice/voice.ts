import type { BudgetKind } from "../accounts/budget-rules.js";
import { repositoryName } from "../budgets/limits.js";
import type { ChangedFile, SkippedFile } from "../engine/engine.js";
import type { BalanceSummary } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import {
  CONFIG_KEYS,
  CONFIG_PATH,
  type RepositoryConfig,
} from "../repository-config/repository-config.js";
import { commandCode, commandList, commandUsage, type CommandName } from "../commands/commands.js";
import { REQUESTED_REFUND_SHARE } from "../ledger/credits.js";
import { neutralizeCommands } from "../commands/neutralize-commands.js";

export interface VoiceOptions {
  /** The name people mention (@name) and command (/name), BOT_NAME. */
  botName: string;
  /** Where people buy credits: `${publicUrl}/billing`. */
  publicUrl: string;
}

/** Marks the walkthrough comment: `summary` updates it instead of posting another. */
export const SUMMARY_MARKER = "<!-- jasper:summary -->";

/** Marks the "reviews paused" comment, so a retried job edits it instead of posting another. */
export const PAUSED_NOTICE_MARKER = "<!-- jasper:paused-notice -->";

/** Marks the pull request's one "a budget stopped this review" comment, updated in place. */
export const BUDGET_NOTICE_MARKER = "<!-- jasper:budget-notice -->";

/** A budget stop as the bot tells it: which budget, on which repository and author. */
export interface BudgetStopReport {
  budget: BudgetKind;
  cap: number;
  used: number;
  repository: string;
  author?: string | undefined;
  resetsOn: Date;
}

/**
 * What the bot says in pull request conversations, in one place, built once with the bot's
 * configured name (so no message names a command the bot does not answer to). The review
 * itself is written by the engine and reviews/review-body.ts.
 *
 * No line of any message starts with "/" or "@": the bot must never write something that
 * parses as a command or a mention of itself. Commands appear in code spans.
 */
export function createVoice({ botName, publicUrl }: VoiceOptions) {
  const command = (name: CommandName) => commandCode(botName, name);
  const billingUrl = `${publicUrl}/billing`;

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

  /** Every check run shows what was wrong with the configuration, if anything. */
  /** "the `api` repository's budget of 40 credits this month is used (40/40)" */
  function budgetUsedUp(s: BudgetStopReport): string {
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
    `An admin of the account can raise it on the budgets page (${billingUrl}/budgets), or let this pull request through with ${command("review --over-budget")}. Budgets start again on ${s.resetsOn.toISOString().slice(0, 10)} (UTC).`;

  const withProblems = (summary: string, problems: readonly string[]): string =>
    problems.length === 0
      ? summary
      : [
          summary,
          "",
          "**The configuration was not used: the review ran on the defaults.** What was wrong:",
          ...problems.map((p) => `- ${p}`),
        ].join("\n");

  /** The `Jasper` check run's title and summary in each of its states. */
  const checkRun = {
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
  };

  return {
    botName,
    help,
    checkRun,

    /** `summary`: the walkthrough comment (one per pull request, updated in place). */
    walkthrough: (w: {
      number: number;
      title: string;
      headSha: string;
      files: ChangedFile[];
      skipped: SkippedFile[];
      /** Names each reviewed file declares in the lines it adds. */
      declares: ReadonlyMap<string, string[]>;
      /** The AI engine's sentence per file, when there is one. */
      describes?: Readonly<Record<string, string>> | undefined;
    }): string => {
      const all = [...w.files.map((f) => f.filename), ...w.skipped.map((s) => s.filename)];
      const added = w.files.reduce((n, f) => n + f.additions, 0);
      const removed = w.files.reduce((n, f) => n + f.deletions, 0);
      const rows = w.files.slice(0, 100).map((f) => {
        const names = w.declares.get(f.filename) ?? [];
        const described = w.describes?.[f.filename];
        const what = described
          ? cell(described)
          : names.length > 0
            ? `${f.status === "added" ? "adds" : "adds or changes"} ${names.slice(0, 6).map(codeSpan).join(", ")}`
            : f.status === "renamed"
              ? `renamed from ${codeSpan(f.previousFilename ?? "?")}`
              : `${f.status}`;
        return `| ${codeSpan(f.filename)} | ${f.status} | +${f.additions} −${f.deletions} | ${what} |`;
      });
      return neutralizeCommands(
        [
          `**Walkthrough** of #${w.number} at \`${w.headSha.slice(0, 7)}\`: ${cell(w.title)}`,
          "",
          `${all.length} file${all.length === 1 ? "" : "s"} changed; ${w.files.length} read here (+${added} −${removed}).`,
          "",
          "| File | Change | Lines | What it does |",
          "| --- | --- | --- | --- |",
          ...rows,
          ...(w.files.length > 100 ? [`| … and ${w.files.length - 100} more | | | |`] : []),
          ...(w.skipped.length > 0
            ? [
                "",
                `Not read: ${w.skipped
                  .slice(0, 30)
                  .map((s) => codeSpan(s.filename))
                  .join(
                    ", ",
                  )}${w.skipped.length > 30 ? ` and ${w.skipped.length - 30} more` : ""}.`,
              ]
            : []),
          "",
          `<sub>Updated by ${command("summary")}.</sub>`,
          SUMMARY_MARKER,
        ].join("\n"),
      );
    },

    /** `config`: each effective value and the file it came from. */
    effectiveConfig: (repository: string, config: RepositoryConfig): string => {
      const rows = CONFIG_KEYS.map(
        (key) =>
          `| \`${key}\` | ${codeSpan(JSON.stringify(config.values[key]))} | ${config.sources[key] === "default" ? "default" : codeSpan(config.sources[key])} |`,
      );
      const lines = [
        `**Jasper configuration of ${repository}** (${CONFIG_PATH} on the default branch, Probot's \`_extends\` and the organization's \`.github\` repository):`,
        "",
        "| Key | Value | From |",
        "| --- | --- | --- |",
        ...rows,
      ];
      if (config.problems.length > 0) {
        lines.push(
          "",
          "**The configuration is not used: reviews run on the defaults.** What is wrong:",
          ...config.problems.map((p) => `- ${p}`),
        );
      }
      return neutralizeCommands(lines.join("\n"));
    },

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
      `Credit balance: **${s.balance}** (free ${s.buckets.free}, bonus ${s.buckets.bonus}, purchased ${s.buckets.purchased}). ` +
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

    /** `review --over-budget` from someone who is not an admin of the account. */
    overBudgetRefused: (): string =>
      `Only an admin of the account can let a review past a budget; nothing was charged. Budgets are on ${billingUrl}/budgets.`,

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
export type Voice = ReturnType<typeof createVoice>;

const credits = (n: number): string => `${n} credit${n === 1 ? "" : "s"}`;

/** Text as inline code in a table cell, whatever it holds. */
const codeSpan = (text: string): string => fenced(cell(text));

/**
 * What someone wrote, on one line, as inline code: GitHub links no mention (@team), reference
 * (#12) or URL inside code, and no line of it can start a command.
 */
const quote = (text: string): string => fenced(text.replace(/\s+/g, " ").trim());

/** One line as one inline code span, its fence longer than any backtick run inside. */
function fenced(flat: string): string {
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = longest > 0 ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** One line, no table breaks. */
const cell = (text: string): string =>
  text
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .slice(0, 300);
