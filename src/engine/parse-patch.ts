/**
 * Reads the `patch` GitHub sends for each pull request file: unified-diff hunks only, no file
 * headers. Line numbers are the new file's, the ones a review comment's `line` (side RIGHT)
 * refers to.
 */

export interface AddedLine {
  /** Line number in the new version of the file. */
  line: number;
  /** The line's text without the leading "+" (and without a CRLF file's trailing "\r"). */
  text: string;
}

interface PatchLine {
  kind: "added" | "context";
  line: number;
  text: string;
}

interface HunkLine {
  /** A hunk's header, or a removed line (only in what a model reads: it has no new line). */
  kind: "hunk" | "removed";
  line: number;
  text: string;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The lines the patch adds, in order. */
export function addedLines(patch: string): AddedLine[] {
  return rightSide(patch)
    .filter((l) => l.kind === "added")
    .map(({ line, text }) => ({ line, text }));
}

/**
 * Each hunk's lines of the new file (context and added), in order: the code a parser reads
 * when it only has the diff.
 */
export function rightSideHunks(patch: string): { line: number; text: string; added: boolean }[][] {
  const hunks: { line: number; text: string; added: boolean }[][] = [];
  for (const l of rightSide(patch, true)) {
    if (l.kind === "hunk") hunks.push([]);
    else hunks.at(-1)?.push({ line: l.line, text: l.text, added: l.kind === "added" });
  }
  return hunks.filter((h) => h.length > 0);
}

/**
 * Lines of the new file that appear in the diff (added or context): GitHub rejects a review
 * comment on any other line with "Line could not be resolved".
 */
export function commentableLines(patch: string): Set<number> {
  return new Set(rightSide(patch).map((l) => l.line));
}

/**
 * Each line of the new file that appears in the diff, with the index of the hunk it sits in: a
 * multi-line comment's first and last lines must be in one hunk for GitHub to accept it.
 */
export function commentableHunks(patch: string): Map<number, number> {
  const out = new Map<number, number>();
  let hunk = -1;
  for (const l of rightSide(patch, true)) {
    if (l.kind === "hunk") hunk++;
    else out.set(l.line, hunk);
  }
  return out;
}

/**
 * A patch as a model reads it, sent once: each line of the new side with its number written
 * before it, `  12 + text` for an added line and `  13   text` for context, removed lines as
 * `      - text` (they have no number on the new side), hunks separated by their header.
 */
export function numberedDiff(patch: string): string {
  const lines = rightSide(patch, true, true);
  const width = Math.max(3, ...lines.map((l) => String(l.line).length));
  const blank = " ".repeat(width);
  return lines
    .map((l) =>
      l.kind === "hunk"
        ? l.text
        : l.kind === "removed"
          ? `${blank} - ${l.text}`
          : `${String(l.line).padStart(width)} ${l.kind === "added" ? "+" : " "} ${l.text}`,
    )
    .join("\n");
}

function rightSide(patch: string): PatchLine[];
function rightSide(patch: string, headers: true, removed?: boolean): (PatchLine | HunkLine)[];
function rightSide(patch: string, headers = false, removed = false): (PatchLine | HunkLine)[] {
  const out: (PatchLine | HunkLine)[] = [];
  let newLine = 0;
  // Each hunk says how many old and new lines it holds. Counting them down is what tells a
  // removed line "-- a SQL comment" (shown as "--- a SQL comment") from a file header, and
  // keeps a trailing newline at the end of the patch from reading as an extra context line.
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of patch.split("\n")) {
    const header = HUNK_HEADER.exec(raw);
    if (header) {
      oldLeft = header[2] === undefined ? 1 : Number(header[2]);
      newLeft = header[4] === undefined ? 1 : Number(header[4]);
      newLine = Number(header[3]);
      if (headers) out.push({ kind: "hunk", line: newLine, text: header[0] });
      continue;
    }
    if (oldLeft === 0 && newLeft === 0) continue; // outside any hunk
    if (raw.startsWith("\\")) continue; // "\ No newline at end of file"
    const text = raw.slice(1).replace(/\r$/, "");
    if (raw.startsWith("+") && newLeft > 0) {
      out.push({ kind: "added", line: newLine, text });
      newLine++;
      newLeft--;
    } else if (raw.startsWith("-") && oldLeft > 0) {
      if (removed) out.push({ kind: "removed", line: newLine, text });
      oldLeft--;
    } else if ((raw.startsWith(" ") || raw === "") && newLeft > 0 && oldLeft > 0) {
      // Some tools strip the single space of an empty context line; it is still context.
      out.push({ kind: "context", line: newLine, text });
      newLine++;
      newLeft--;
      oldLeft--;
    }
  }
  return out;
}
