import type { InlineComment, SkippedFile } from "../engine/engine.js";

const REASONS: Record<SkippedFile["reason"], string> = {
  lock_file: "lock file",
  generated: "generated",
  binary: "binary",
  no_patch: "diff too large for GitHub to show",
  removed: "deleted",
  over_budget: "over the review size budget",
};

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
}): string {
  const parts = [input.summary.trim()];
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
