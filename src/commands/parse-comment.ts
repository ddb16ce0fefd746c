/**
 * What a pull request comment asks of the bot: a command (`/jasper <name>` at the start of a
 * line; words after the name are allowed), a chat question (a mention of @jasper anywhere),
 * or nothing. Commands and mentions inside code (fences, inline spans) do not count.
 *
 * A command's `argument` is the rest of its line after the name, trimmed, when there is any
 * (`refund <reason>` reads it; the other commands ignore it). It is read outside code like
 * the command, so inline code spans are not part of it.
 */
export type ParsedComment =
  | { kind: "command"; name: string; argument?: string }
  | { kind: "mention"; question: string }
  | null;

export function parseComment(body: string, botName: string): ParsedComment {
  const name = escape(botName);
  const outsideCode = stripCode(body);
  // Group 2 only wraps what follows the first word (the second word, then anything), for
  // the argument: what the pattern matches is unchanged.
  const command = new RegExp(
    `^[ \\t]*/${name}(?:[ \\t]+([A-Za-z-]+))?((?:[ \\t]+([A-Za-z-]+))?(?:[ \\t].*)?)$`,
    "im",
  ).exec(outsideCode);
  if (command) {
    const first = (command[1] ?? "help").toLowerCase();
    const rest = command[2] ?? "";
    const second = command[3]?.toLowerCase();
    // The two-word commands.
    const twoWords =
      (first === "full" && second === "review") ||
      (first === "review" && second === "--over-budget");
    if (twoWords) return withArgument(`${first} ${second}`, rest.trimStart().slice(second.length));
    return withArgument(first, rest);
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

function withArgument(name: string, rest: string): ParsedComment {
  const argument = rest.trim();
  return argument ? { kind: "command", name, argument } : { kind: "command", name };
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
