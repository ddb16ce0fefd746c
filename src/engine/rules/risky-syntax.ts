import ts from "typescript";
import type { ChangedFile } from "../engine.js";
import { isTestFile } from "./file-kind.js";
import type { Confidence, Finding, Severity } from "./finding.js";
import { eachNode, parseHunks } from "./js-syntax.js";

/**
 * The risky patterns of risky-patterns.ts, for JavaScript and TypeScript, matched on the
 * syntax tree: a call, an assignment, a property, never the same words inside a string, a
 * template's text, JSX text or a comment.
 */

interface SyntaxCheck {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  /** Whether the node is the risky form; each check looks at the node kinds it knows. */
  matches: (node: ts.Node, path: string) => boolean;
}

const CODE_INJECTION =
  "`eval`/`new Function` runs a string as code; with any outside input in it, that is code injection.";
const HTML_INJECTION =
  "This parses the value as HTML; use `textContent` or sanitize the value (e.g. DOMPurify).";
const COMMAND_INJECTION =
  "A shell command is built from a string with values in it; use `execFile`/`spawn` with an argument array instead.";
const SQL_INJECTION =
  "SQL is built by putting values into the query string; pass them as query parameters instead.";
const TLS_OFF =
  "TLS certificate checks are turned off, so anyone on the network path can impersonate the server.";

const SQL =
  /\b(?:select\s+(?:\*|[\w.]+(?:\s*,\s*[\w.]+)*)\s+from\s|insert\s+into\s|update\s+[\w."`]+\s+set\s|delete\s+from\s)/i;
const SHELL_CALLS = new Set(["exec", "execSync", "execAsync"]);
const CHILD_PROCESS = /^(?:child_?[pP]rocess|cp)$/;
const SANITIZED = /sanitize|DOMPurify|escape/i;
const CREDENTIAL_WORD =
  /(?:token|secret|password|passwd|nonce|salt|otp|(?:api|secret|private|session|auth|access)[_-]?key)$/i;

/** A string fixed in the code: nothing from outside can be in it. */
const isFixedString = (n: ts.Node): boolean =>
  ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n);

/** `UPPER_CASE` constants: a fixed identifier (a table name), not a value. */
const isConstant = (n: ts.Node): boolean => ts.isIdentifier(n) && /^[A-Z][A-Z0-9_]*$/.test(n.text);

const calleeName = (call: ts.CallExpression | ts.NewExpression): string | null => {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return null;
};

/** The operands of a chain of `+`, left to right. */
function concatenated(node: ts.Expression): ts.Expression[] {
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...concatenated(node.left), ...concatenated(node.right)];
  }
  if (ts.isParenthesizedExpression(node)) return concatenated(node.expression);
  return [node];
}

const isTopOfConcatenation = (n: ts.Node): boolean =>
  ts.isBinaryExpression(n) &&
  n.operatorToken.kind === ts.SyntaxKind.PlusToken &&
  !(ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) &&
  !ts.isParenthesizedExpression(n.parent);

/** A string with values in it: an untagged template with `${}`, or a concatenation. */
function builtString(n: ts.Node): { text: string; values: ts.Expression[] } | null {
  if (ts.isTemplateExpression(n) && !ts.isTaggedTemplateExpression(n.parent)) {
    return {
      text: n.head.text + n.templateSpans.map((s) => ` ? ${s.literal.text}`).join(""),
      values: n.templateSpans.map((s) => s.expression),
    };
  }
  if (isTopOfConcatenation(n)) {
    const parts = concatenated(n as ts.Expression);
    const strings = parts.filter(isFixedString) as (
      ts.StringLiteral | ts.NoSubstitutionTemplateLiteral
    )[];
    if (strings.length === 0) return null;
    return {
      text: parts.map((p) => (isFixedString(p) ? (p as ts.StringLiteral).text : " ? ")).join(""),
      values: parts.filter((p) => !isFixedString(p)),
    };
  }
  return null;
}

const CHECKS: SyntaxCheck[] = [
  {
    rule: "code injection",
    severity: "medium",
    confidence: "medium",
    message: CODE_INJECTION,
    matches: (n) => {
      if (!ts.isCallExpression(n) && !ts.isNewExpression(n)) return false;
      const e = n.expression;
      const direct = ts.isIdentifier(e) && (e.text === "eval" || e.text === "Function");
      const global =
        ts.isPropertyAccessExpression(e) &&
        e.name.text === "eval" &&
        ts.isIdentifier(e.expression) &&
        ["window", "globalThis", "self", "global"].includes(e.expression.text);
      // eval("1 + 1") and new Function("return this") run only what is written there.
      const args = n.arguments ?? [];
      return (direct || global) && args.length > 0 && !args.every(isFixedString);
    },
  },
  {
    rule: "command injection",
    severity: "high",
    confidence: "high",
    message: COMMAND_INJECTION,
    matches: (n) => {
      if (!ts.isCallExpression(n)) return false;
      const e = n.expression;
      const shell =
        (ts.isIdentifier(e) && SHELL_CALLS.has(e.text)) ||
        (ts.isPropertyAccessExpression(e) &&
          SHELL_CALLS.has(e.name.text) &&
          ts.isIdentifier(e.expression) &&
          CHILD_PROCESS.test(e.expression.text));
      const first = n.arguments[0];
      const built = first ? builtString(first) : null;
      return shell && built !== null && built.values.some((v) => !isConstant(v));
    },
  },
  {
    rule: "SQL injection",
    severity: "high",
    confidence: "high",
    message: SQL_INJECTION,
    matches: (n) => {
      const built = builtString(n);
      return built !== null && SQL.test(built.text) && built.values.some((v) => !isConstant(v));
    },
  },
  {
    rule: "unescaped HTML",
    severity: "medium",
    confidence: "medium",
    message: HTML_INJECTION,
    matches: (n) => {
      if (ts.isBinaryExpression(n)) {
        const op = n.operatorToken.kind;
        const assigns = op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.PlusEqualsToken;
        const left = n.left;
        const html =
          ts.isPropertyAccessExpression(left) &&
          (left.name.text === "innerHTML" || left.name.text === "outerHTML");
        return assigns && html && !isFixedString(n.right) && !SANITIZED.test(n.right.getText());
      }
      if (ts.isCallExpression(n)) {
        const name = calleeName(n);
        const e = n.expression;
        const write =
          (name === "write" || name === "writeln") &&
          ts.isPropertyAccessExpression(e) &&
          ts.isIdentifier(e.expression) &&
          e.expression.text === "document";
        const value = write
          ? n.arguments[0]
          : name === "insertAdjacentHTML"
            ? n.arguments[1]
            : null;
        return value != null && !isFixedString(value) && !SANITIZED.test(value.getText());
      }
      if (ts.isJsxAttribute(n) && n.name.getText() === "dangerouslySetInnerHTML") {
        return !SANITIZED.test(n.initializer?.getText() ?? "");
      }
      return false;
    },
  },
  {
    rule: "TLS verification off",
    severity: "high",
    confidence: "high",
    message: TLS_OFF,
    matches: (n, path) => {
      if (isTestFile(path)) return false;
      if (ts.isPropertyAssignment(n)) {
        return (
          /^["']?rejectUnauthorized["']?$/.test(n.name.getText()) &&
          n.initializer.kind === ts.SyntaxKind.FalseKeyword
        );
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const target = n.left.getText().replace(/\[["']([\w]+)["']\]/g, ".$1");
        return (
          /(?:^|\.)env\.NODE_TLS_REJECT_UNAUTHORIZED$/.test(target) &&
          /^["'`]?0["'`]?$/.test(n.right.getText())
        );
      }
      return false;
    },
  },
  {
    rule: "world-writable",
    severity: "medium",
    confidence: "high",
    message: "Mode 777 lets every user on the machine change this; grant only what is needed.",
    matches: (n) => {
      const is777 = (a: ts.Node) => ts.isNumericLiteral(a) && /^(?:0o?777|511)$/i.test(a.getText());
      if (ts.isCallExpression(n)) {
        return (
          /^(?:chmod|chmodSync|mkdir|mkdirSync|writeFile|writeFileSync)$/.test(
            calleeName(n) ?? "",
          ) && n.arguments.some(is777)
        );
      }
      return ts.isPropertyAssignment(n) && n.name.getText() === "mode" && is777(n.initializer);
    },
  },
  {
    rule: "weak randomness",
    severity: "medium",
    confidence: "medium",
    message:
      "`Math.random()` is guessable; use `crypto.randomBytes`/`crypto.randomUUID` for secrets and tokens.",
    matches: (n) => {
      let name: ts.Node | null = null;
      let value: ts.Node | undefined;
      if (ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n)) {
        name = n.name;
        value = n.initializer;
      } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        name = ts.isPropertyAccessExpression(n.left) ? n.left.name : n.left;
        value = n.right;
      }
      if (!name || !value || !CREDENTIAL_WORD.test(name.getText())) return false;
      let random = false;
      eachNode(value, (v) => {
        if (ts.isCallExpression(v) && v.expression.getText() === "Math.random") random = true;
      });
      return random;
    },
  },
];

/** The risky patterns on the syntax of the code a JavaScript or TypeScript patch adds. */
export function riskySyntax(file: ChangedFile): Finding[] {
  if (!file.patch) return [];
  const path = file.filename;
  const findings: Finding[] = [];
  for (const hunk of parseHunks(path, file.patch)) {
    eachNode(hunk.source, (node) => {
      for (const check of CHECKS) {
        if (!check.matches(node, path)) continue;
        const line = hunk.addedLineIn(node);
        if (line === null) continue;
        findings.push({
          path,
          line,
          rule: check.rule,
          severity: check.severity,
          confidence: check.confidence,
          message: check.message,
        });
      }
    });
  }
  return findings;
}
