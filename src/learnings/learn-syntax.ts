import picomatch from "picomatch";
import { LEARNING_TEXT_MAX } from "./types.js";

/**
 * What `/jasper learn <argument>` asks: `--org` (first or last word) for every repository of
 * the account, else this repository. A learning written `ignore <rule> in <glob>` (also
 * `don't flag <rule> in <glob>`) names a built-in rule and where to silence it, e.g.
 * `ignore debug leftover in scripts/**`; any other text is for the AI reviewer only.
 */
export type LearnRequest =
  | { org: boolean; text: string; rule: string | null; paths: string | null }
  | { error: "empty" | "too_long" };

const ORG_FLAG = /(^|\s)--org(?=\s|$)/i;
const SUPPRESS =
  /^(?:ignore|skip|don'?t flag|do not flag|never flag)\s+["'`]?([^"'`]{1,60}?)["'`]?\s+(?:in|on|under)\s+["'`]?(\S{1,200}?)["'`]?\s*\.?$/i;

export function parseLearnArgument(argument: string | undefined): LearnRequest {
  const raw = argument ?? "";
  const org = ORG_FLAG.test(raw);
  const text = raw.replace(ORG_FLAG, " ").replace(/\s+/g, " ").trim();
  if (!text) return { error: "empty" };
  if (text.length > LEARNING_TEXT_MAX) return { error: "too_long" };
  const m = SUPPRESS.exec(text);
  const rule = m?.[1]?.trim().toLowerCase() ?? null;
  const paths = m?.[2] ?? null;
  return rule && paths && isGlob(paths)
    ? { org, text, rule, paths }
    : { org, text, rule: null, paths: null };
}

/**
 * A chat mention that asks Jasper to stop saying something (`@jasper don't flag this`,
 * `@jasper please do not report this`): in a thread on a Jasper comment, a learning.
 */
export function asksNotToFlag(question: string): boolean {
  return /^(?:please\s+)?(?:don'?t|do not|never|stop)\s+(?:flag|report|mention|comment on|flagging|reporting)\b/i.test(
    question.trim(),
  );
}

/**
 * The built-in rule of one of Jasper's own inline comments (`**High · debug leftover**: ...`,
 * as rule-based-engine.ts writes them), or null for any other comment (the AI reviewer's).
 */
export function ruleOfComment(body: string): string | null {
  const m = /^\*\*(?:High|Medium|Low) · ([^*\n]{1,60})\*\*:/.exec(body.trim());
  return m?.[1]?.trim().toLowerCase() ?? null;
}

/** Whether a learning silences `rule` on `path`. */
export function silences(
  learning: { rule: string | null; paths: string | null },
  rule: string,
  path: string,
): boolean {
  if (!learning.rule || !learning.paths || learning.rule !== rule.toLowerCase()) return false;
  try {
    return picomatch(learning.paths, { dot: true })(path);
  } catch {
    return false;
  }
}

function isGlob(pattern: string): boolean {
  try {
    picomatch(pattern);
    return true;
  } catch {
    return false;
  }
}
