/**
 * What a pull request comment asks of the bot: a command (`/jasper <name>` at the start of a
 * line; words after the name are allowed), a chat question (a mention of @jasper anywhere),
 * or nothing. Commands and mentions inside code (fences, inline spans) do not count.
 */
export type ParsedComment =
  { kind: "command"; name: string } | { kind: "mention"; question: string } | null;

export function parseComment(body: string, botName: string): ParsedComment {
  const name = escape(botName);
  const outsideCode = stripCode(body);
  const command = new RegExp(
    `^[ \\t]*/${name}(?:[ \\t]+([A-Za-z-]+))?(?:[ \\t]+([A-Za-z-]+))?(?:[ \\t].*)?$`,
    "im",
  ).exec(outsideCode);
  if (command) {
    const first = (command[1] ?? "help").toLowerCase();
    const second = command[2]?.toLowerCase();
    // The two-word commands.
    if (first === "full" && second === "review") return { kind: "command", name: "full review" };
    if (first === "review" && second === "--over-budget") {
      return { kind: "command", name: "review --over-budget" };
    }
    return { kind: "command", name: first };
  }
  // A login may hold hyphens: @jasper-bot is someone else.
  const mention = new RegExp(`(^|[^\\w@/.-])@${name}(?![\\w-])`, "i");
  if (!mention.test(outsideCode)) return null;
  // The question keeps its code: "why does `foo()` throw?" needs the `foo()`.
  const question = body
    .replace(new RegExp(`@${name}(?![\\w-])`, "gi"), "")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
  return { kind: "mention", question: question || "Hello!" };
}

/** Fenced blocks (``` or ~~~) and inline code spans of any backtick count. */
function stripCode(text: string): string {
  return text
    .replace(/^[ \t]*(`{3,}|~{3,})[\s\S]*?^[ \t]*\1[ \t]*$/gm, "")
    .replace(/(`+)[^\n]*?\1/g, "");
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");

/**
 * Whether a pull request's description holds a `/<bot> ignore` line (outside code): the
 * author's way to keep automatic reviews away from it.
 */
export function hasIgnoreLine(body: string, botName: string): boolean {
  const name = escape(botName);
  return new RegExp(`^[ \\t]*/${name}[ \\t]+ignore[ \\t]*$`, "im").test(stripCode(body));
}
