/**
 * How the bot writes what others wrote into Markdown, safely: inline code with a fence longer
 * than any backtick run inside, table cells on one line. Nothing quoted this way links a
 * mention, a reference or a URL, or starts a command.
 */

export const credits = (n: number): string => `${n} credit${n === 1 ? "" : "s"}`;

/** Text as inline code in a table cell, whatever it holds. */
export const codeSpan = (text: string): string => fenced(cell(text));

/**
 * What someone wrote, on one line, as inline code: GitHub links no mention (@team), reference
 * (#12) or URL inside code, and no line of it can start a command.
 */
export const quote = (text: string): string => fenced(text.replace(/\s+/g, " ").trim());

/** One line as one inline code span, its fence longer than any backtick run inside. */
function fenced(flat: string): string {
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = longest > 0 ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** One line, no table breaks. */
export const cell = (text: string): string =>
  text
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .slice(0, 300);
