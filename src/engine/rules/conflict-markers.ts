import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import type { Finding } from "./finding.js";

/**
 * Merge conflict markers committed by mistake. "=======" alone is also how Markdown and
 * reStructuredText underline a heading, so it only counts in a file whose added lines also
 * hold an opening or closing marker.
 */
const OUTER_MARKER = /^(?:<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |$)/;
const SEPARATOR = /^=======$/;

export function conflictMarkers(file: ChangedFile, added: AddedLine[]): Finding[] {
  const hasOuter = added.some((a) => OUTER_MARKER.test(a.text));
  if (!hasOuter) return [];
  return added
    .filter((a) => OUTER_MARKER.test(a.text) || SEPARATOR.test(a.text))
    .map(({ line }) => ({
      path: file.filename,
      line,
      rule: "conflict marker",
      severity: "high" as const,
      confidence: "high" as const,
      message: "A merge conflict marker is committed: the conflict here was not resolved.",
    }));
}
