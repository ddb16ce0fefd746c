/**
 * What a pull request comment asks of the bot: a command (`/jasper <name>` at the start of a
 * line), a chat question (a mention of @jasper anywhere), or nothing.
 */
export type ParsedComment =
  { kind: "command"; name: string } | { kind: "mention"; question: string } | null;

export function parseComment(body: string, botName: string): ParsedComment {
  const name = escape(botName);
  // Only outside code: a command quoted in a code block is not a request.
  const text = body.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const command = new RegExp(`^\\s*/${name}(?:\\s+([A-Za-z-]+))?\\s*$`, "im").exec(text);
  if (command) return { kind: "command", name: (command[1] ?? "help").toLowerCase() };
  const mention = new RegExp(`(^|[^\\w@/-])@${name}\\b`, "i");
  if (!mention.test(text)) return null;
  const question = text.replace(new RegExp(`@${name}\\b`, "gi"), "").trim();
  return { kind: "mention", question: question || "Hello!" };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
