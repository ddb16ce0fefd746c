import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import { isCommentLine, isDocs, isJsTs, isPhp, isPython, isRuby, isTestFile } from "./file-kind.js";
import type { Finding, Severity } from "./finding.js";

/**
 * Things left over from debugging: log calls, breakpoints, focused tests, new TODOs. Each
 * check is tied to the language it belongs to; a generic "print(" check would flag every
 * Python script, so Python only gets its breakpoints.
 */

interface Check {
  applies: (path: string) => boolean;
  pattern: RegExp;
  rule: string;
  severity: Severity;
  message: string;
}

/** Command-line tools and examples print on purpose. */
const PRINTS_ON_PURPOSE = /(^|\/)(scripts?|bin|cli|examples?|bench|benchmarks?)\//;

const CHECKS: Check[] = [
  {
    applies: (p) => isJsTs(p) && !isTestFile(p) && !PRINTS_ON_PURPOSE.test(p),
    pattern: /\bconsole\.(?:log|debug)\s*\(/,
    rule: "debug leftover",
    severity: "low",
    message: "`console.log` left in; use the project's logger or remove it.",
  },
  {
    applies: isJsTs,
    pattern: /(?:^\s*|[;{}]\s*)debugger\s*;?\s*(?:$|\/\/)/,
    rule: "debug leftover",
    severity: "medium",
    message: "A `debugger` statement pauses the program wherever developer tools are open.",
  },
  {
    applies: isPython,
    pattern:
      /\bbreakpoint\(\)|\bi?pdb\.set_trace\(\)|^\s*(?:import\s+i?pdb\b|from\s+i?pdb\s+import)/,
    rule: "debug leftover",
    severity: "medium",
    message: "A Python debugger breakpoint is left in; it stops the process waiting for input.",
  },
  {
    applies: isRuby,
    pattern: /\bbinding\.(?:pry|irb)\b|^\s*byebug\s*$/,
    rule: "debug leftover",
    severity: "medium",
    message: "A Ruby debugger breakpoint is left in; it stops the process waiting for input.",
  },
  {
    applies: isPhp,
    pattern: /(?:^|[^\w$>:])(?:dd|var_dump)\s*\(/,
    rule: "debug leftover",
    severity: "medium",
    message: "`dd()`/`var_dump()` is left in; it prints internals into the response.",
  },
  {
    applies: (p) => isJsTs(p) && isTestFile(p),
    pattern: /\b(?:it|test|describe|context|suite)\.only\s*\(/,
    rule: "focused test",
    severity: "high",
    message:
      "`.only` makes the runner skip every other test in the file, so CI stays green without running them.",
  },
  {
    applies: (p) => !isDocs(p),
    // Only in a comment: `enum Status { TODO, DONE }` is code, not a note.
    pattern: /(?:\/\/|\/\*|#|^\s*\*|--|<!--)\s*(?:TODO|FIXME)\b/,
    rule: "todo",
    severity: "low",
    message: "A new TODO/FIXME: consider an issue for it so it does not get lost.",
  },
];

export function debugLeftovers(file: ChangedFile, added: AddedLine[]): Finding[] {
  const path = file.filename;
  const checks = CHECKS.filter((c) => c.applies(path));
  const findings: Finding[] = [];
  for (const { line, text } of added) {
    for (const check of checks) {
      // Commented-out code does not run; the TODO check is the one that wants comments.
      if (check.rule !== "todo" && isCommentLine(path, text)) continue;
      if (!check.pattern.test(text)) continue;
      findings.push({
        path,
        line,
        rule: check.rule,
        severity: check.severity,
        confidence: "high",
        message: check.message,
      });
    }
  }
  return findings;
}
