import {
  MAX_INLINE_COMMENTS,
  type ChangedFile,
  type ChatRequest,
  type InlineComment,
  type PreparedDiff,
  type ReviewEngine,
  type ReviewLearning,
  type ReviewResult,
} from "./engine.js";
import { commandList } from "../commands/commands.js";
import { neutralizeCommands } from "../commands/neutralize-commands.js";
import { addedLines, commentableLines } from "./parse-patch.js";
import { ALL_RULES } from "./rules/all-rules.js";
import type { Finding, Severity } from "./rules/finding.js";
import { sizeNote } from "./rules/size.js";
import { silences } from "../learnings/learn-syntax.js";

export interface RuleBasedEngineOptions {
  /** The name people mention and command, as in the chat reply's command list. Default "jasper". */
  botName?: string;
}

/** Keeps the review body far below GitHub's 65,536-character limit on any diff. */
const MAX_LISTED_FINDINGS = 60;

const RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
const LABEL: Record<Severity, string> = { high: "High", medium: "Medium", low: "Low" };

/**
 * The reviewer used when no AI provider is configured, so the app reviews out of the box:
 * the rules in ./rules over the lines each pull request adds.
 */
export function createRuleBasedEngine(options: RuleBasedEngineOptions = {}): ReviewEngine {
  const botName = options.botName ?? "jasper";
  return {
    name: "rules",
    async review(request) {
      return reviewDiff(request.diff, request.learnings ?? []);
    },
    async chat(request) {
      const findings = await chatFindings(request);
      return neutralizeCommands(
        findings ? `${findings}\n\n${chatReply(botName)}` : chatReply(botName),
      );
    },
  };
}

/** Every rule's findings on one file, in the rules' order. */
async function fileFindings(file: ChangedFile): Promise<Finding[]> {
  if (!file.patch) return [];
  const added = addedLines(file.patch);
  return (await Promise.all(ALL_RULES.map((rule) => rule(file, added)))).flat();
}

async function reviewDiff(
  diff: PreparedDiff,
  learnings: readonly ReviewLearning[],
): Promise<ReviewResult> {
  const found: { finding: Finding; file: number }[] = [];
  const commentable = new Map<string, Set<number>>();
  for (const [index, file] of diff.files.entries()) {
    if (!file.patch) continue;
    commentable.set(file.filename, commentableLines(file.patch));
    for (const finding of await fileFindings(file)) found.push({ finding, file: index });
  }
  // By file (GitHub's order), then line, the more severe first on one line: the summary's
  // order. One finding per (path, line, rule): when two checks of a rule hit the same line
  // (console.log and debugger), the more severe one stays.
  found.sort(
    (a, b) =>
      a.file - b.file ||
      a.finding.line - b.finding.line ||
      RANK[a.finding.severity] - RANK[b.finding.severity],
  );
  const seen = new Set<string>();
  const unique = found
    .map(({ finding }) => finding)
    .filter(({ path, line, rule }) => {
      const key = `${path}\n${line}\n${rule}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  // What the team's learnings silence (a rule on the paths they name) is not posted either,
  // and counted in the summary by rule.
  const silenced = unique.filter((f) => learnings.some((l) => silences(l, f.rule, f.path)));
  const heard = unique.filter((f) => !silenced.includes(f));
  // Low-confidence findings are not posted: too many of them would be wrong. They are
  // counted in the summary, so the review says what it kept back.
  const findings = heard.filter((f) => f.confidence !== "low");
  const unsure = heard.filter((f) => f.confidence === "low");
  // Array.prototype.sort is stable: within a severity, the order above holds.
  const comments: InlineComment[] = [...findings]
    .sort((a, b) => RANK[a.severity] - RANK[b.severity])
    .filter((f) => commentable.get(f.path)?.has(f.line) === true)
    .slice(0, MAX_INLINE_COMMENTS)
    .map((f) => ({ path: f.path, line: f.line, body: neutralizeCommands(commentBody(f)) }));
  return {
    summary: neutralizeCommands(summary(findings, unsure, silenced, sizeNote(diff))),
    comments,
  };
}

function commentBody(f: Finding): string {
  return `**${LABEL[f.severity]} · ${f.rule}**: ${f.message}`;
}

function summary(
  findings: Finding[],
  unsure: Finding[],
  silenced: Finding[],
  size: string | null,
): string {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const parts: string[] = [verdict(findings.length, count("high"))];
  if (findings.length > 0) {
    parts.push(
      (["high", "medium", "low"] as const).map((s) => `${LABEL[s]}: ${count(s)}`).join(" · "),
    );
    parts.push(findingList(findings));
  }
  if (unsure.length > 0) parts.push(unsureNote(unsure));
  if (silenced.length > 0) parts.push(silencedNote(silenced));
  if (size) parts.push(size);
  parts.push(
    "<sub>This review came from Jasper's built-in rule-based reviewer: no AI provider is " +
      "configured. Set `AI_BASE_URL`, `AI_API_KEY` and `AI_MODEL` for AI reviews.</sub>",
  );
  return parts.join("\n\n");
}

/** "2 low-confidence findings not posted: possible secret (1), unescaped HTML (1)." */
function unsureNote(unsure: Finding[]): string {
  const n = unsure.length;
  return `${n} low-confidence finding${n === 1 ? "" : "s"} not posted: ${byRule(unsure)}.`;
}

/** "1 finding not posted, silenced by the team's learnings: debug leftover (1)." */
function silencedNote(silenced: Finding[]): string {
  const n = silenced.length;
  return `${n} finding${n === 1 ? "" : "s"} not posted, silenced by the team's learnings: ${byRule(silenced)}.`;
}

/** "possible secret (1), unescaped HTML (1)": counts by rule, in the rules' alphabetical order. */
function byRule(findings: Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, n]) => `${rule} (${n})`)
    .join(", ");
}

function verdict(total: number, high: number): string {
  if (total === 0) return "No problems found by the built-in checks.";
  const problems = `${total} possible problem${total === 1 ? "" : "s"}`;
  return high > 0
    ? `**Found ${problems}, ${high} of high severity**: please look at those before merging.`
    : `**Found ${problems}**, none of high severity.`;
}

/** Findings grouped by file, lines ascending. */
function findingList(findings: Finding[]): string {
  const lines: string[] = [];
  let path: string | null = null;
  for (const f of findings.slice(0, MAX_LISTED_FINDINGS)) {
    if (f.path !== path) {
      if (path !== null) lines.push("");
      lines.push(`**${codeSpan(f.path)}**`);
      path = f.path;
    }
    lines.push(`- line ${f.line} · ${LABEL[f.severity]} · ${f.rule}: ${f.message}`);
  }
  const more = findings.length - MAX_LISTED_FINDINGS;
  if (more > 0) lines.push("", `…and ${more} more of the same kinds.`);
  return lines.join("\n");
}

/** A path as inline code, whatever characters it holds (Git allows backticks and newlines). */
function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = longestRun > 0 ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Most findings listed in one chat answer. */
const MAX_CHAT_FINDINGS = 15;

/**
 * What the rules found where the question was asked: on the thread's file (nearest the
 * thread's line first), or over the whole diff for a question in the conversation. Null
 * without a diff to look at.
 */
async function chatFindings(request: ChatRequest): Promise<string | null> {
  const diff = request.diff;
  if (!diff) return null;
  const thread = request.thread;
  const files = thread ? diff.files.filter((f) => f.filename === thread.path) : diff.files;
  if (thread && files.length === 0) {
    return `The built-in checks did not read ${codeSpan(thread.path)} (it is not among the files a review reads).`;
  }
  // As in a review, low-confidence findings are not shown.
  const findings = (await Promise.all(files.map(fileFindings)))
    .flat()
    .filter((f) => f.confidence !== "low");
  const where = thread
    ? `${codeSpan(thread.path)}${thread.line ? ` (asked at line ${thread.line})` : ""}`
    : "this pull request's diff";
  if (findings.length === 0) return `The built-in checks found nothing on ${where}.`;
  if (thread?.line) {
    const at = thread.line;
    findings.sort((a, b) => Math.abs(a.line - at) - Math.abs(b.line - at) || a.line - b.line);
  }
  const shown = findings
    .slice(0, MAX_CHAT_FINDINGS)
    .map(
      (f) =>
        `- ${thread ? "" : `${codeSpan(f.path)} `}line ${f.line} · ${LABEL[f.severity]} · ${f.rule}: ${f.message}`,
    );
  const more = findings.length - shown.length;
  return [
    `The built-in checks found ${findings.length} possible problem${findings.length === 1 ? "" : "s"} on ${where}:`,
    ...shown,
    ...(more > 0 ? [`- …and ${more} more`] : []),
  ].join("\n");
}

function chatReply(botName: string): string {
  return [
    "Thanks for asking. No AI provider is configured for this Jasper, so I can't answer " +
      "questions about the code in chat; this is a fixed reply.",
    "What I can do without one:",
    [
      "- review every pull request with built-in checks: leaked credentials, merge conflict " +
        "markers, debugging leftovers and focused tests, risky patterns (`eval`, shell commands " +
        "and SQL built from strings, TLS checks turned off, unsafe deserialization) and oversized changes;",
      "- answer these commands in a pull request comment:",
      // The same table as `help`, so the two lists cannot drift apart.
      commandList(botName, "  "),
    ].join("\n"),
    "For AI reviews and chat, whoever runs Jasper can set `AI_BASE_URL`, `AI_API_KEY` and `AI_MODEL`.",
  ].join("\n\n");
}
