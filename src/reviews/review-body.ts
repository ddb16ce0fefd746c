import {
  MAX_INLINE_COMMENTS,
  type InlineComment,
  type LeftOutComments,
  type SkippedFile,
} from "../engine/engine.js";

const REASONS: Record<SkippedFile["reason"], string> = {
  lock_file: "lock file",
  generated: "generated",
  vendored: "vendored",
  minified: "minified",
  binary: "binary",
  no_patch: "diff too large for GitHub to show",
  removed: "deleted",
  renamed: "renamed without changes",
  empty: "empty file",
  over_budget: "over the review size budget",
  over_context: "did not fit the AI model's context",
  excluded: "left out by the repository configuration",
  unchanged: "unchanged since the last review",
};

/** How the coverage receipt names each reason, in this order. */
const RECEIPT: [SkippedFile["reason"], string][] = [
  ["lock_file", "lock files"],
  ["generated", "generated"],
  ["vendored", "vendored"],
  ["minified", "minified"],
  ["binary", "binary"],
  ["removed", "deleted"],
  ["renamed", "renamed without changes"],
  ["empty", "empty"],
  ["no_patch", "no diff from GitHub"],
  ["over_budget", "too large"],
  ["over_context", "past the model's context"],
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

/** GitHub refuses a review whose body is longer (422, "Body is too long"). */
export const GITHUB_BODY_LIMIT = 65_536;

/** Most files or findings listed by name in a body; the rest are counted. */
const MAX_LISTED = 50;
/** Longest path shown in a list (Git allows far longer ones). */
const MAX_LISTED_PATH = 300;

/**
 * The review's body: the engine's summary, then what its comments left out and what was not
 * reviewed (a partial review must never look complete), then a footer with the commit. Always
 * under GITHUB_BODY_LIMIT: the lists are bounded, and the summary gives way to them.
 */
export function reviewBody(input: {
  summary: string;
  skipped: SkippedFile[];
  headSha: string;
  incremental: boolean;
  runKey: string;
  /** The coverage receipt (coverageLine); shown when given. */
  coverage?: string;
  /** The engine's comments not posted inline, and why. */
  leftOut?: LeftOutComments | undefined;
  /** A re-review's comments not repeated on lines an earlier review commented on. */
  repeats?: number;
}): string {
  const tail: string[] = [];
  if (input.coverage) tail.push(`<sub>Coverage: ${input.coverage}.</sub>`);
  const notPosted = notPostedNotes(input.leftOut, input.repeats ?? 0);
  if (notPosted) tail.push(notPosted);
  if (input.leftOut && input.leftOut.overLimit.length > 0) {
    const over = input.leftOut.overLimit;
    const lines = over
      .slice(0, MAX_LISTED)
      .map((c) => `- \`${place(c)}\`: ${cap(c.title.replace(/\s+/g, " "), 200)}`);
    if (over.length > MAX_LISTED) lines.push(`- … and ${over.length - MAX_LISTED} more`);
    tail.push(
      `**${over.length} more finding${over.length === 1 ? "" : "s"} past the ${MAX_INLINE_COMMENTS}-comment limit:**\n${lines.join("\n")}`,
    );
  }
  if (input.skipped.length > 0) {
    const lines = input.skipped
      .slice(0, MAX_LISTED)
      .map((s) => `- \`${cap(s.filename, MAX_LISTED_PATH)}\` (${REASONS[s.reason]})`);
    if (input.skipped.length > MAX_LISTED) {
      lines.push(`- … and ${input.skipped.length - MAX_LISTED} more`);
    }
    tail.push(
      `**Not reviewed: ${input.skipped.length} file${input.skipped.length === 1 ? "" : "s"}.** This review covers the other files only.\n${lines.join("\n")}`,
    );
  }
  const kind = input.incremental ? "Incremental re-review" : "Review";
  tail.push(
    `<sub>${kind} of \`${input.headSha.slice(0, 7)}\` by Jasper.</sub>\n${runMarker(input.runKey)}`,
  );
  const rest = tail.join("\n\n");
  const summary = cap(input.summary.trim(), GITHUB_BODY_LIMIT - rest.length - 2);
  return `${summary}\n\n${rest}`;
}

/** The counts of comments not posted inline, one line each; null when there are none. */
function notPostedNotes(leftOut: LeftOutComments | undefined, repeats: number): string | null {
  const n = (count: number, what: string) => `${count} comment${count === 1 ? "" : "s"} ${what}`;
  const notes: string[] = [];
  if (leftOut?.outsideDiff)
    notes.push(
      `${n(leftOut.outsideDiff, leftOut.outsideDiff === 1 ? "on a line outside the diff" : "on lines outside the diff")} left out.`,
    );
  if (leftOut?.otherFiles) {
    notes.push(
      `${n(leftOut.otherFiles, leftOut.otherFiles === 1 ? "on a file this review did not read" : "on files this review did not read")} left out.`,
    );
  }
  if (leftOut?.unreadable) {
    notes.push(`${n(leftOut.unreadable, "without a file, a line or any text")} left out.`);
  }
  if (repeats > 0) {
    notes.push(
      `${n(repeats, "on lines an earlier review already commented on, unchanged since,")} not repeated.`,
    );
  }
  return notes.length === 0 ? null : `<sub>${notes.join("<br>")}</sub>`;
}

/** Where a comment sits, as `path:line` or `path:first-last`. */
function place(c: { path: string; line: number; startLine?: number | undefined }): string {
  const path = cap(c.path, MAX_LISTED_PATH);
  return c.startLine !== undefined && c.startLine < c.line
    ? `${path}:${c.startLine}-${c.line}`
    : `${path}:${c.line}`;
}

/**
 * The review's body with its inline comments listed in it, for when they cannot go inline:
 * as many as fit under GitHub's limit, whole, in order, and a count of the rest.
 */
export function bodyWithComments(body: string, comments: InlineComment[]): string {
  const more = (count: number) =>
    `- … and ${count} more comment${count === 1 ? "" : "s"} not listed: a review's body holds at most ${GITHUB_BODY_LIMIT.toLocaleString("en-US")} characters`;
  // Room kept for the count of those that do not fit.
  let room = GITHUB_BODY_LIMIT - body.length - 2 - more(comments.length).length - 1;
  const listed: string[] = [];
  for (const c of comments) {
    const line = `- \`${place(c)}\`: ${c.body}`;
    if (line.length + 1 > room) break;
    listed.push(line);
    room -= line.length + 1;
  }
  if (listed.length < comments.length) listed.push(more(comments.length - listed.length));
  return listed.length === 0 ? body : `${body}\n\n${listed.join("\n")}`;
}

/** At most `max` characters, with an ellipsis when cut; never splits a surrogate pair. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
