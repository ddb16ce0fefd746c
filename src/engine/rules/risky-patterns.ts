import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import { isCommentLine, isDocs, isGo, isJsTs, isPython, isTestFile } from "./file-kind.js";
import type { Finding, Severity } from "./finding.js";
import { isParsedAsSyntax } from "./js-syntax.js";
import { pythonSyntax } from "./python-syntax.js";
import { riskySyntax } from "./risky-syntax.js";

/**
 * Code that is often a vulnerability: code or commands built from strings, HTML injected
 * unescaped, TLS checks turned off, world-writable files, unsafe deserialization, guessable
 * random secrets. Each pattern is narrowed to the form that is risky, so the safe twin
 * (a tagged `sql` template, `yaml.safe_load`, `innerHTML = ""`) stays quiet. JavaScript and
 * TypeScript are matched on their syntax trees (risky-syntax.ts), Python too (python-syntax.ts),
 * so strings and comments never match; the line checks here are for the other languages (and Vue/Svelte files, whose markup
 * a JavaScript parser cannot read).
 */

interface Check {
  applies: (path: string) => boolean;
  /** Whether the line is risky. */
  matches: (text: string) => boolean;
  rule: string;
  severity: Severity;
  message: string;
}

const anyCode = (p: string) => !isDocs(p);

/** `exec(` / `execSync(` of child_process, not `regex.exec(`. */
const SHELL_EXEC = /(?:^|[^\w$.]|\b(?:child_?[pP]rocess|cp)\.)(?:exec|execSync)\s*\(\s*/;
const BUILT_STRING = /^(?:`[^`]*\$\{|(["'])[^"']*\1\s*\+|[\w.]+\s*\+\s*["'`])/;

const SQL =
  /\b(?:select\s+(?:\*|[\w.]+(?:\s*,\s*[\w.]+)*)\s+from\s|insert\s+into\s|update\s+[\w."`]+\s+set\s|delete\s+from\s)/i;

const CHECKS: Check[] = [
  {
    applies: isJsTs,
    matches: (t) => /(?:^|[^\w$.])eval\s*\(|\bnew\s+Function\s*\(/.test(t),
    rule: "code injection",
    severity: "medium",
    message:
      "`eval`/`new Function` runs a string as code; with any outside input in it, that is code injection.",
  },
  {
    applies: isJsTs,
    matches: (t) => {
      const call = SHELL_EXEC.exec(t);
      return call !== null && BUILT_STRING.test(t.slice(call.index + call[0].length));
    },
    rule: "command injection",
    severity: "high",
    message:
      "A shell command is built from a string with values in it; use `execFile`/`spawn` with an argument array instead.",
  },
  {
    applies: anyCode,
    matches: (t) => SQL.test(t) && sqlBuiltFromString(t),
    rule: "SQL injection",
    severity: "high",
    message:
      "SQL is built by putting values into the query string; pass them as query parameters instead.",
  },
  {
    applies: isJsTs,
    matches: (t) => /dangerouslySetInnerHTML/.test(t) && !/sanitize|DOMPurify/i.test(t),
    rule: "unescaped HTML",
    severity: "medium",
    message:
      "`dangerouslySetInnerHTML` renders the HTML as is; make sure it is sanitized (e.g. DOMPurify) or not user-controlled.",
  },
  {
    applies: isJsTs,
    matches: (t) => {
      const m = /\.(?:innerHTML|outerHTML)\s*\+?=(?!=)\s*(.*)$/.exec(t);
      // A fixed string (clearing an element, static markup) cannot inject anything.
      return m !== null && !/^(?:(["'])[^"']*\1|`[^`$]*`)\s*;?\s*$/.test(m[1] ?? "");
    },
    rule: "unescaped HTML",
    severity: "medium",
    message:
      "Assigning to `innerHTML` parses the value as HTML; use `textContent` or sanitize the value.",
  },
  {
    applies: (p) => anyCode(p) && !isTestFile(p),
    matches: (t) =>
      /\brejectUnauthorized\s*:\s*false\b/.test(t) ||
      /\bNODE_TLS_REJECT_UNAUTHORIZED(?:\s*[=:]\s*|\s+)["']?0\b/.test(t),
    rule: "TLS verification off",
    severity: "high",
    message:
      "TLS certificate checks are turned off, so anyone on the network path can impersonate the server.",
  },
  {
    applies: (p) => isGo(p) && !isTestFile(p),
    matches: (t) => /\bInsecureSkipVerify\s*:\s*true\b/.test(t),
    rule: "TLS verification off",
    severity: "high",
    message:
      "`InsecureSkipVerify: true` turns off TLS certificate checks, so anyone on the network path can impersonate the server.",
  },
  {
    applies: anyCode,
    matches: (t) =>
      /\bchmod\s+(?:-R\s+)?0?777\b/.test(t) ||
      /\b(?:chmod|chmodSync|Chmod|mkdir|mkdirSync|MkdirAll|Mkdir|WriteFile|writeFileSync)\b.*[(,\s]0o?777\b/.test(
        t,
      ) ||
      /\bmode\s*[:=]\s*0o?777\b/.test(t),
    rule: "world-writable",
    severity: "medium",
    message: "Mode 777 lets every user on the machine change this; grant only what is needed.",
  },
  {
    applies: isJsTs,
    matches: (t) =>
      /\bMath\.random\s*\(\s*\)/.test(t) &&
      /(?:token|secret|password|passwd|nonce|salt|otp|(?:api|secret|private|session|auth|access)[_-]?key)/i.test(
        t,
      ),
    rule: "weak randomness",
    severity: "medium",
    message:
      "`Math.random()` is guessable; use `crypto.randomBytes`/`crypto.randomUUID` for secrets and tokens.",
  },
];

/**
 * Values put into the SQL text: a template literal with `${` that is not tagged (a tag such as
 * sql`…` or Prisma.sql`…` turns the values into parameters), string concatenation, a Python
 * f-string, `%` formatting or `.format(`.
 */
function sqlBuiltFromString(t: string): boolean {
  // Only constants interpolated (`FROM ${TABLE}`): a fixed identifier, not a value.
  const values = [...t.matchAll(/\$\{([^}]*)\}/g)].some(
    (m) => !/^\s*[A-Z][A-Z0-9_]*\s*$/.test(m[1] ?? ""),
  );
  const template = values && /(^|[^\w.$])`[^`]*\$\{/.test(t);
  const concatenated = /["']\s*\+\s*[\w(]|[\w)\]]\s*\+\s*["']/.test(t);
  const python =
    /\bf["'][^"']*\{/.test(t) || /["']\s*%\s*[\w(]/.test(t) || /["']\.format\(/.test(t);
  return template || concatenated || python;
}

export function riskyPatterns(file: ChangedFile, added: AddedLine[]): Finding[] {
  const path = file.filename;
  if (isParsedAsSyntax(path)) return riskySyntax(file);
  if (isPython(path)) return pythonSyntax(file);
  const checks = CHECKS.filter((c) => c.applies(path));
  const findings: Finding[] = [];
  for (const { line, text } of added) {
    if (isCommentLine(path, text)) continue;
    for (const check of checks) {
      if (!check.matches(text)) continue;
      findings.push({
        path,
        line,
        rule: check.rule,
        severity: check.severity,
        // Vue and Svelte files get the JavaScript line checks, which may match a string.
        confidence: isJsTs(path) ? "low" : "medium",
        message: check.message,
      });
    }
  }
  return findings;
}
