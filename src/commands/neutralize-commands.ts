/**
 * The app listens for `/jasper ...` commands and `@jasper` mentions at the start of a line, so
 * nothing the bot posts may start a line that way, or a model's answer quoting a command (or
 * a prompt injection asking for one) would make the bot talk to itself. Any line whose first
 * non-blank token is "/" or "@" followed by a word gets that token wrapped in backticks: it
 * still reads the same, and the line now starts with a backtick. Every such token is wrapped,
 * not only the bot's own name, because the name is configurable (BOT_NAME) and other bots
 * listen the same way. Lines already neutralized are left as they are (idempotent).
 */
const LEADING_COMMAND = /^(\s*)([/@]\w\S*)/;

export function neutralizeCommands(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      line.replace(LEADING_COMMAND, (_match, indent: string, token: string) => {
        // A token holding a backtick needs a longer fence to stay one code span.
        const code = token.includes("`") ? `\`\` ${token} \`\`` : `\`${token}\``;
        return `${indent}${code}`;
      }),
    )
    .join("\n");
}
