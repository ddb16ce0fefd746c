import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";
import type { ChangedFile } from "../engine.js";
import { rightSideHunks } from "../parse-patch.js";
import { isTestFile } from "./file-kind.js";
import type { Confidence, Finding, Severity } from "./finding.js";

/**
 * The risky patterns for Python, matched on the syntax tree of CodeMirror's Python grammar
 * (@lezer/python: pure JavaScript, maintained, and built to read broken code, as a hunk is),
 * so a string, a docstring, an f-string's text or a comment never matches. Each hunk's new
 * side is parsed on its own, its common indentation removed.
 */

interface PythonCheck {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  /** Whether a call is the risky form: its callee's dotted name and its arguments. */
  matches: (call: Call, path: string) => boolean;
}

interface Call {
  /** `os.system`, `cur.execute`, `eval`: the callee as written, or "" when not a name. */
  callee: string;
  /** Positional arguments. */
  args: SyntaxNode[];
  /** Keyword arguments by name: their value nodes. */
  keywords: Map<string, SyntaxNode>;
  text: (node: SyntaxNode) => string;
}

const SQL =
  /\b(?:select\s+(?:\*|[\w.]+(?:\s*,\s*[\w.]+)*)\s+from\s|insert\s+into\s|update\s+[\w."`]+\s+set\s|delete\s+from\s)/i;

/** A string with values put into it: an f-string with `{}`, `%` or `+` on a string, `.format(`. */
function builtString(node: SyntaxNode | undefined, text: (n: SyntaxNode) => string): string | null {
  if (!node) return null;
  if (node.name === "FormatString") {
    return node.getChild("FormatReplacement") ? text(node) : null;
  }
  if (node.name === "BinaryExpression") {
    const op = node.getChild("ArithOp");
    const strings = [...node.getChildren("String"), ...node.getChildren("FormatString")];
    if (op && ["%", "+"].includes(text(op)) && strings.length > 0) {
      return strings.map(text).join(" ");
    }
    return null;
  }
  if (node.name === "CallExpression") {
    const callee = node.firstChild;
    const object = callee?.firstChild;
    if (callee?.name === "MemberExpression" && object?.name === "String") {
      return text(callee.getChild("PropertyName") ?? callee) === "format" ? text(object) : null;
    }
  }
  return null;
}

const isFixedString = (node: SyntaxNode | undefined) =>
  node !== undefined &&
  (node.name === "String" || (node.name === "FormatString" && !node.getChild("FormatReplacement")));

const CHECKS: PythonCheck[] = [
  {
    rule: "code injection",
    severity: "medium",
    confidence: "medium",
    message:
      "`eval`/`exec` runs a string as code; with any outside input in it, that is code injection.",
    matches: (c) => (c.callee === "eval" || c.callee === "exec") && !isFixedString(c.args[0]),
  },
  {
    rule: "command injection",
    severity: "high",
    confidence: "high",
    message:
      "A shell command is built from a string with values in it; pass an argument list to `subprocess.run` without `shell=True`.",
    matches: (c) => {
      const shell =
        /^(?:os\.system|os\.popen|subprocess\.getoutput|subprocess\.getstatusoutput)$/.test(
          c.callee,
        ) ||
        (/^subprocess\.(?:run|call|check_call|check_output|Popen)$/.test(c.callee) &&
          c.keywords.has("shell") &&
          c.text(c.keywords.get("shell")!) === "True");
      return shell && builtString(c.args[0], c.text) !== null;
    },
  },
  {
    rule: "SQL injection",
    severity: "high",
    confidence: "high",
    message:
      "SQL is built by putting values into the query string; pass them as query parameters instead.",
    matches: (c) => {
      if (!/(?:^|\.)(?:execute|executemany|executescript|raw|text)$/.test(c.callee)) return false;
      const built = builtString(c.args[0], c.text);
      return built !== null && SQL.test(built);
    },
  },
  {
    rule: "TLS verification off",
    severity: "high",
    confidence: "high",
    message:
      "`verify=False` turns off TLS certificate checks, so anyone on the network path can impersonate the server.",
    matches: (c, path) =>
      !isTestFile(path) &&
      c.keywords.has("verify") &&
      c.text(c.keywords.get("verify")!) === "False",
  },
  {
    rule: "unsafe deserialization",
    severity: "medium",
    confidence: "high",
    message:
      "`pickle.loads` runs code embedded in the data; never use it on data from outside the process.",
    matches: (c) => /^(?:pickle|cPickle|dill)\.loads?$/.test(c.callee),
  },
  {
    rule: "unsafe deserialization",
    severity: "medium",
    confidence: "high",
    message:
      "`yaml.load` without `SafeLoader` can build arbitrary Python objects; use `yaml.safe_load`.",
    matches: (c) => {
      if (!/^yaml\.(?:load|load_all)$/.test(c.callee)) return false;
      const loader = c.keywords.get("Loader") ?? c.args[1];
      return !loader || !/SafeLoader|BaseLoader/.test(c.text(loader));
    },
  },
  {
    rule: "world-writable",
    severity: "medium",
    confidence: "high",
    message: "Mode 777 lets every user on the machine change this; grant only what is needed.",
    matches: (c) =>
      /(?:^|\.)(?:chmod|mkdir|makedirs)$/.test(c.callee) &&
      [...c.args, ...c.keywords.values()].some((a) => /^(?:0o777|511)$/.test(c.text(a))),
  },
];

/** The risky patterns on the syntax of the Python a patch adds. */
export function pythonSyntax(file: ChangedFile): Finding[] {
  if (!file.patch) return [];
  const path = file.filename;
  const findings: Finding[] = [];
  for (const lines of rightSideHunks(file.patch)) {
    const indent = Math.min(
      ...lines.filter((l) => l.text.trim() !== "").map((l) => /^\s*/.exec(l.text)![0].length),
    );
    const texts = lines.map((l) => l.text.slice(Number.isFinite(indent) ? indent : 0));
    const source = texts.join("\n");
    const starts: number[] = [];
    texts.reduce((offset, t) => (starts.push(offset), offset + t.length + 1), 0);
    const lineAt = (offset: number) => starts.findLastIndex((s) => s <= offset);
    const text = (n: SyntaxNode) => source.slice(n.from, n.to);
    parser.parse(source).iterate({
      enter(ref) {
        if (ref.name !== "CallExpression") return;
        const call = readCall(ref.node, text);
        for (const check of CHECKS) {
          if (!check.matches(call, path)) continue;
          const added = lines.slice(lineAt(ref.from), lineAt(ref.to) + 1).find((l) => l.added);
          if (!added) continue;
          findings.push({
            path,
            line: added.line,
            rule: check.rule,
            severity: check.severity,
            confidence: check.confidence,
            message: check.message,
          });
        }
      },
    });
  }
  return findings;
}

function readCall(node: SyntaxNode, text: (n: SyntaxNode) => string): Call {
  const callee = node.firstChild;
  const name =
    callee && (callee.name === "VariableName" || callee.name === "MemberExpression")
      ? text(callee).replace(/\s+/g, "")
      : "";
  const args: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  const list = node.getChild("ArgList");
  for (let child = list?.firstChild ?? null; child; child = child.nextSibling) {
    if (["(", ")", ","].includes(child.name)) continue;
    // A keyword argument reads as VariableName, AssignOp, value.
    if (child.name === "VariableName" && child.nextSibling?.name === "AssignOp") {
      const value = child.nextSibling.nextSibling;
      if (value) keywords.set(text(child), value);
      child = value ?? child.nextSibling;
      continue;
    }
    args.push(child);
  }
  return { callee: name, args, keywords, text };
}
