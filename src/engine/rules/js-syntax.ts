import ts from "typescript";
import { rightSideHunks } from "../parse-patch.js";
import { extensionOf } from "./file-kind.js";

/**
 * JavaScript and TypeScript read as syntax trees (the TypeScript compiler's parser), so that
 * a pattern written inside a string, a template's text, JSX text or a comment never counts as
 * code. A patch is a set of fragments, not a file: each hunk's new-side lines (context and
 * added) are parsed on their own, and the parser's error recovery keeps the statements it can
 * read when a hunk starts or ends in the middle of one.
 */

/** Files parsed; Vue and Svelte hold markup around their script and keep the line checks. */
const PARSED = new Map<string, ts.ScriptKind>([
  ["ts", ts.ScriptKind.TS],
  ["mts", ts.ScriptKind.TS],
  ["cts", ts.ScriptKind.TS],
  ["tsx", ts.ScriptKind.TSX],
  // Plain .js often holds JSX (React projects), and JSX parsing reads the rest the same.
  ["js", ts.ScriptKind.JSX],
  ["jsx", ts.ScriptKind.JSX],
  ["mjs", ts.ScriptKind.JSX],
  ["cjs", ts.ScriptKind.JSX],
]);

export const isParsedAsSyntax = (path: string): boolean => PARSED.has(extensionOf(path));

/** One hunk's code as a tree, and where its nodes are in the new file. */
export interface ParsedHunk {
  source: ts.SourceFile;
  /**
   * The first line the diff adds within a node (its new-file number), or null when the node
   * lies wholly in unchanged context: only what the pull request adds is reported.
   */
  addedLineIn(node: ts.Node): number | null;
}

export function parseHunks(path: string, patch: string): ParsedHunk[] {
  const kind = PARSED.get(extensionOf(path)) ?? ts.ScriptKind.TS;
  return rightSideHunks(patch).map((lines) => {
    const text = withoutLeadingCommentTail(lines.map((l) => l.text)).join("\n");
    const source = ts.createSourceFile(
      `hunk.${extensionOf(path)}`,
      text,
      ts.ScriptTarget.Latest,
      true,
      kind,
    );
    return {
      source,
      addedLineIn(node) {
        const from = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const to = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        for (let i = from; i <= to; i++) {
          const l = lines[i];
          if (l?.added) return l.line;
        }
        return null;
      },
    };
  });
}

/**
 * A hunk that opens inside a block comment (the middle of a JSDoc) would otherwise be read as
 * code up to the comment's end: its lines are blanked up to the first line that closes a
 * comment not opened in the hunk, when that line or all before it look like a comment's
 * (a line starting with a star); a star then a slash inside a regular expression such as
 * `/a.*` + `/` (a dot-star at its end) does not count.
 */
function withoutLeadingCommentTail(lines: string[]): string[] {
  const starred = (l: string) => /^\s*\*/.test(l) || l.trim() === "";
  const closing = lines.findIndex((l) => l.includes("*/"));
  const opened = lines.slice(0, closing + 1).some((l, i) => {
    const at = l.indexOf("/*");
    return at >= 0 && (i < closing || at < l.indexOf("*/"));
  });
  if (
    closing >= 0 &&
    !opened &&
    (starred(lines[closing] ?? "") ||
      (lines.slice(0, closing).every(starred) &&
        lines.slice(0, closing).some((l) => /^\s*\*/.test(l))))
  ) {
    return lines.map((l, i) => {
      if (i < closing) return "";
      if (i > closing) return l;
      const end = l.indexOf("*/") + 2;
      return " ".repeat(end) + l.slice(end);
    });
  }
  let leading = true;
  return lines.map((l) => {
    if (leading && /^\s*\*(?!\/)/.test(l)) return "";
    leading = false;
    return l;
  });
}

/** Every node of a tree, depth first. */
export function eachNode(root: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node);
    ts.forEachChild(node, walk);
  };
  walk(root);
}
