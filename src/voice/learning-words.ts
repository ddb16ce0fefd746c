import type { Learning } from "../learnings/types.js";
import type { VoiceContext } from "./context.js";
import { quote } from "./markdown.js";

/** The most learnings `/jasper learnings` lists in one reply; the dashboard has them all. */
export const LISTED_LEARNINGS = 30;

/** What the bot says about learnings: recorded, refused, listed. */
export function learningWords({ command, billingUrl }: VoiceContext) {
  const where = (l: Pick<Learning, "scope" | "repository">) =>
    l.scope === "organization" ? "every repository of this account" : quote(l.repository);
  const silences = (l: Pick<Learning, "rule" | "paths">) =>
    l.rule && l.paths
      ? ` The built-in reviewer no longer reports ${quote(l.rule)} in ${quote(l.paths)}.`
      : "";
  /** The account's Learnings page on the dashboard (`/billing/<account>/learnings`). */
  const page = (account: string) =>
    `[the dashboard's Learnings page](${billingUrl}/${encodeURIComponent(account)}/learnings)`;

  return {
    learned: (l: Learning, duplicate: boolean): string =>
      `${duplicate ? "Already learned" : "Learned"} for ${where(l)}: ${quote(l.text)}.${silences(l)} ` +
      `The AI reviewer is told this in every later review there. Nothing was charged; ` +
      `see, search and delete learnings on ${page(l.repository.split("/")[0]!)}.`,

    learnNeedsText: (): string =>
      `Tell me what to learn: ${command("learn")} followed by the text, on one line (\`--org\` for every repository of the account). Nothing was recorded.`,

    learnTooLong: (max: number): string =>
      `That is too long to learn: at most ${max} characters. Nothing was recorded.`,

    learningsFull: (max: number, account: string): string =>
      `This account already has ${max} learnings, the most it keeps. Delete some on ${page(account)} first. Nothing was recorded.`,

    /** `don't flag this` on a comment that is not Jasper's, or outside an inline thread. */
    learnNeedsJasperComment: (): string =>
      `To teach me not to flag something, reply in the thread of my inline comment about it, or use ${command("learn")}. Nothing was recorded.`,

    learningsList: (list: Learning[], more: boolean, account: string): string => {
      if (list.length === 0) {
        return `Nothing learned for this repository yet. Teach me with ${command("learn")}, or reply \`don't flag this\` to one of my inline comments.`;
      }
      const lines = list.map(
        (l) =>
          `- ${quote(l.text)} (${l.scope === "organization" ? "every repository" : "this repository"}, by ${quote(l.author.login)}, ${l.createdAt.toISOString().slice(0, 10)})`,
      );
      return [
        `What I learned for this repository (newest first${more ? `, the latest ${list.length}` : ""}):`,
        ...lines,
        "",
        `All of them, with search and delete: ${page(account)}.`,
      ].join("\n");
    },
  };
}
