/**
 * How a failed zod parse is told to people: one line per issue, "path: message". Config, the
 * price list, Stripe metadata and ledger inputs all report problems this way, so an operator
 * reading a log or a client reading a 400 sees the same shape wherever it came from.
 */
import type { z } from "zod";
import type { InputIssue } from "./errors.js";

/**
 * Every issue of `error` with its path joined by "." ("0.price", "reference.number"); an
 * issue about the value as a whole has an empty path and gets `root` instead, which names
 * that value for the reader ("environment", "(input)").
 */
export function zodIssues(error: z.ZodError, root: string): InputIssue[] {
  return error.issues.map((i) => ({
    // String(): a path may hold numbers (array indexes) and, in principle, symbols, which
    // Array.prototype.join cannot turn into text.
    path: i.path.map(String).join(".") || root,
    message: i.message,
  }));
}

/** One issue as text: "path: message". */
export function formatIssue(issue: InputIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/**
 * One issue as text with what was given: `path: message, got "value"`; without a value, as
 * formatIssue. For callers that know the value may be shown (never a secret).
 */
export function formatIssueGiven(issue: InputIssue, given: string | undefined): string {
  return given === undefined
    ? formatIssue(issue)
    : `${formatIssue(issue)}, got ${JSON.stringify(given)}`;
}

/** All issues on one line: "path: message; path: message". */
export function joinIssues(issues: readonly InputIssue[]): string {
  return issues.map(formatIssue).join("; ");
}
