import { neutralizeCommands } from "../commands/neutralize-commands.js";
import type { ChangedFile, SkippedFile } from "../engine/engine.js";
import {
  CONFIG_KEYS,
  CONFIG_PATH,
  type RepositoryConfig,
} from "../repository-config/repository-config.js";
import type { VoiceContext } from "./context.js";
import { cell, codeSpan } from "./markdown.js";

/** Marks the walkthrough comment: `summary` updates it instead of posting another. */
export const SUMMARY_MARKER = "<!-- jasper:summary -->";

/** What the bot reports of a pull request when asked: the walkthrough, the configuration. */
export function pullRequestReports({ command }: VoiceContext) {
  return {
    /** `summary`: the walkthrough comment (one per pull request, updated in place). */
    walkthrough: (w: {
      number: number;
      title: string;
      headSha: string;
      files: ChangedFile[];
      skipped: SkippedFile[];
      /** Names each reviewed file declares in the lines it adds. */
      declares: ReadonlyMap<string, string[]>;
      /** The AI engine's sentence per file, when there is one. */
      describes?: Readonly<Record<string, string>> | undefined;
    }): string => {
      const all = [...w.files.map((f) => f.filename), ...w.skipped.map((s) => s.filename)];
      const added = w.files.reduce((n, f) => n + f.additions, 0);
      const removed = w.files.reduce((n, f) => n + f.deletions, 0);
      const rows = w.files.slice(0, 100).map((f) => {
        const names = w.declares.get(f.filename) ?? [];
        const described = w.describes?.[f.filename];
        const what = described
          ? cell(described)
          : names.length > 0
            ? `${f.status === "added" ? "adds" : "adds or changes"} ${names.slice(0, 6).map(codeSpan).join(", ")}`
            : f.status === "renamed"
              ? `renamed from ${codeSpan(f.previousFilename ?? "?")}`
              : `${f.status}`;
        return `| ${codeSpan(f.filename)} | ${f.status} | +${f.additions} −${f.deletions} | ${what} |`;
      });
      return neutralizeCommands(
        [
          `**Walkthrough** of #${w.number} at \`${w.headSha.slice(0, 7)}\`: ${cell(w.title)}`,
          "",
          `${all.length} file${all.length === 1 ? "" : "s"} changed; ${w.files.length} read here (+${added} −${removed}).`,
          "",
          "| File | Change | Lines | What it does |",
          "| --- | --- | --- | --- |",
          ...rows,
          ...(w.files.length > 100 ? [`| … and ${w.files.length - 100} more | | | |`] : []),
          ...(w.skipped.length > 0
            ? [
                "",
                `Not read: ${w.skipped
                  .slice(0, 30)
                  .map((s) => codeSpan(s.filename))
                  .join(
                    ", ",
                  )}${w.skipped.length > 30 ? ` and ${w.skipped.length - 30} more` : ""}.`,
              ]
            : []),
          "",
          `<sub>Updated by ${command("summary")}.</sub>`,
          SUMMARY_MARKER,
        ].join("\n"),
      );
    },

    /** `config`: each effective value and the file it came from. */
    effectiveConfig: (repository: string, config: RepositoryConfig): string => {
      const rows = CONFIG_KEYS.map(
        (key) =>
          `| \`${key}\` | ${codeSpan(JSON.stringify(config.values[key]))} | ${config.sources[key] === "default" ? "default" : codeSpan(config.sources[key])} |`,
      );
      const lines = [
        `**Jasper configuration of ${repository}** (${CONFIG_PATH} on the default branch, Probot's \`_extends\` and the organization's \`.github\` repository):`,
        "",
        "| Key | Value | From |",
        "| --- | --- | --- |",
        ...rows,
      ];
      if (config.problems.length > 0) {
        lines.push(
          "",
          "**The configuration is not used: reviews run on the defaults.** What is wrong:",
          ...config.problems.map((p) => `- ${p}`),
        );
      }
      return neutralizeCommands(lines.join("\n"));
    },
  };
}
