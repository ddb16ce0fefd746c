import type { InlineComment, SkippedFile } from "../engine/engine.js";

const REASONS: Record<SkippedFile["reason"], string> = {
  lock_file: "lock file",
  generated: "generated",
  binary: "binary",
  no_patch: "diff too large for GitHub to show",
  removed: "deleted",
  renamed: "renamed without changes",
  empty: "empty file",
  over_budget: "over the review size budget",
  excluded: "left out by the repository configuration",
  unchanged: "unchanged since the last review",
};

/** How the coverage receipt names each reason, in this order. */
const RECEIPT: [SkippedFile["reason"], string][] = [
  ["lock_file", "lock files"],
  ["generated", "generated"],
  ["binary", "binary"],
  ["removed", "deleted"],
  ["renamed", "renamed without changes"],
  ["empty", "empty"],
  ["no_patch", "no diff from GitHub"],
  ["over_budget", "too large"],
  ["excluded", "listed"],
  ["unchanged", "unchanged since the last review"],
];

/** GitHub's list of a pull request's files stops at this many. */
export const GITHUB_FILE_LIST_LIMIT = 3_000;

/**
 * The coverage receipt: "reviewed 41 of 57 files; left out 16: lock files, generated, too
 * large, listed". `changedFiles` is what GitHub counts for the pull request; more than it
 * lists means the rest were never seen, and the receipt says so.
 */
export function coverageLine(
  diff: { files: readonly unknown[]; skipped: readonly SkippedFile[] },
  changedFiles?: number,
): string {
  const listed = diff.files.length + diff.skipped.length;
  const total = Math.max(listed, changedFiles ?? 0);
  const parts = [`reviewed ${diff.files.length} of ${total} file${total === 1 ? "" : "s"}`];
  if (diff.skipped.length > 0) {
    const reasons = RECEIPT.filter(([r]) => diff.skipped.some((s) => s.reason === r)).map(
      ([, label]) => label,
    );
    parts.push(`left out ${diff.skipped.length}: ${reasons.join(", ")}`);
  }
  if (total > listed || listed >= GITHUB_FILE_LIST_LIMIT) {
    parts.push(
      `GitHub lists at most ${GITHUB_FILE_LIST_LIMIT.toLocaleString("en-US")} files of a pull request: ${total > listed ? `${total - listed} more were never seen` : "any beyond those were never seen"}`,
    );
  }
  return parts.join("; ");
}

/** A hidden marker that names the run, so a retried job can see its review already went out. */
export const runMarker = (runKey: string): string => `<!-- jasper-run:${runKey} -->`;

/**
 * The review's body: the engine's summary, then what was not reviewed (a partial review must
 * never look complete), then a footer with the commit and what it cost.
 */
export function reviewBody(input: {
  summary: string;
  skipped: SkippedFile[];
  headSha: string;
  incremental: boolean;
  runKey: string;
  /** The coverage receipt (coverageLine); shown when given. */
  coverage?: string;
}): string {
  const parts = [input.summary.trim()];
  if (input.coverage) parts.push(`<sub>Coverage: ${input.coverage}.</sub>`);
  if (input.skipped.length > 0) {
    const shown = input.skipped.slice(0, 50);
    const lines = shown.map((s) => `- \`${s.filename}\` (${REASONS[s.reason]})`);
    if (input.skipped.length > shown.length) {
      lines.push(`- … and ${input.skipped.length - shown.length} more`);
    }
    parts.push(
      `**Not reviewed: ${input.skipped.length} file${input.skipped.length === 1 ? "" : "s"}.** This review covers the other files only.\n${lines.join("\n")}`,
    );
  }
  const kind = input.incremental ? "Incremental re-review" : "Review";
  parts.push(
    `<sub>${kind} of \`${input.headSha.slice(0, 7)}\` by Jasper.</sub>\n${runMarker(input.runKey)}`,
  );
  return parts.join("\n\n");
}

/** The review's body with its inline comments listed in it, for when they cannot go inline. */
export function bodyWithComments(body: string, comments: InlineComment[]): string {
  const listed = comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`).join("\n");
  return `${body}\n\n${listed}`;
}
