import { REQUESTED_REFUND_SHARE } from "../ledger/credits.js";

/**
 * The commands people give the bot: `/<bot name> <command>` at the start of a comment line.
 * One table, so that `help`, the rule-based engine's chat reply and the comment handler
 * (which must answer each of them) cannot drift apart.
 */
export const COMMANDS = [
  {
    name: "review",
    description: "review this pull request now (charged only if it has not been paid for yet)",
  },
  {
    name: "full review",
    description:
      "review every file again from scratch, not only what changed since the last review",
  },
  {
    name: "review --over-budget",
    description:
      "an admin of the account lets this pull request's review past a budget that is used up (the credits still pay for it)",
  },
  { name: "pause", description: "stop automatic reviews on this pull request" },
  { name: "resume", description: "start automatic reviews on this pull request again" },
  {
    name: "ignore",
    description:
      "how to keep automatic reviews away from a pull request for good (a line in its description)",
  },
  {
    name: "summary",
    description: "post (or update) a walkthrough of the change: what each changed file does",
  },
  {
    name: "config",
    description: "show this repository's effective configuration and where each value came from",
  },
  { name: "credits", description: "show the credit balance" },
  {
    name: "learn",
    argument: "[--org] <text>",
    description:
      "teach the reviewer something about this repository (`--org`: every repository of the account); `ignore <rule> in <glob>` silences a built-in rule there. Replying `don't flag this` to a Jasper comment does the same for that comment",
  },
  { name: "learnings", description: "list what the reviewer was taught for this repository" },
  {
    name: "refund",
    /** What follows the name: the rest of the line (ParsedComment's `argument`). */
    argument: "<reason>",
    description: `refund this pull request's review credit, with a reason (PR author or an account admin; at most ${REQUESTED_REFUND_SHARE * 100}% of this month's charged credits)`,
  },
  { name: "help", description: "list these commands" },
] as const;

export type CommandName = (typeof COMMANDS)[number]["name"];

export function isCommandName(name: string): name is CommandName {
  return COMMANDS.some((c) => c.name === name);
}

/** A command as people type it, in a code span: never the start of a line that runs it. */
export const commandCode = (botName: string, name: CommandName): string =>
  inCode(`/${botName} ${name}`);

const inCode = (text: string): string => `\`${text}\``;

/** A command with what it takes after its name, if anything, in a code span: how to type it. */
export function commandUsage(botName: string, name: CommandName): string {
  const c = COMMANDS.find((c) => c.name === name);
  const argument = c && "argument" in c ? ` ${c.argument}` : "";
  return inCode(`/${botName} ${name}${argument}`);
}

/** One Markdown list item per command; `indent` nests the list in another. */
export function commandList(botName: string, indent = ""): string {
  return COMMANDS.map((c) => `${indent}- ${commandUsage(botName, c.name)}: ${c.description}`).join(
    "\n",
  );
}
