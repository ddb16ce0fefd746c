import type { ChangedFile, PreparedDiff } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import type { Finding } from "./finding.js";

/**
 * Size: past a few hundred lines reviewers skim, so large changes get a note. Lock files,
 * generated and binary files do not count: a dependency bump that rewrites package-lock.json
 * is not a large change to read.
 */

export const MAX_FILE_ADDED_LINES = 500;
export const MAX_PR_CHANGED_LINES = 1_000;
export const MAX_PR_FILES = 40;

/** A single file adding more than 500 lines: one low finding on its first added line. */
export function oversizedFile(file: ChangedFile, added: AddedLine[]): Finding[] {
  const first = added[0];
  if (added.length <= MAX_FILE_ADDED_LINES || !first) return [];
  return [
    {
      path: file.filename,
      line: first.line,
      rule: "large file change",
      severity: "low",
      confidence: "high",
      message: `This file adds ${added.length} lines; a change this size is hard to review well in one piece.`,
    },
  ];
}

/**
 * The whole pull request: a markdown note for the summary, or null. Lines are counted over the
 * files reviewed; files also count those left out only for the budget or a missing patch,
 * since a person still has to read them. Going over the review budget at all is itself large.
 */
export function sizeNote(diff: PreparedDiff): string | null {
  const lines = diff.files.reduce((n, f) => n + f.additions + f.deletions, 0);
  const unread = diff.skipped.filter((s) => s.reason === "over_budget" || s.reason === "no_patch");
  const files = diff.files.length + unread.length;
  const overBudget = unread.some((s) => s.reason === "over_budget");
  if (lines <= MAX_PR_CHANGED_LINES && files <= MAX_PR_FILES && !overBudget) return null;
  return (
    // Lines in files past the budget are unknown here, so the count is then a lower bound.
    `**Large pull request**: ${files} file${files === 1 ? "" : "s"} with ` +
    `${overBudget ? "more than " : ""}` +
    `${lines} changed lines of code to read. ` +
    "Smaller pull requests get more careful reviews and are easier to revert; " +
    "consider splitting it into independent changes."
  );
}
