import { describe, expect, it } from "@jest/globals";
import { neutralizeCommands } from "../../src/commands/neutralize-commands.js";

describe("neutralizeCommands", () => {
  it("wraps a leading command or mention in backticks, keeping the indentation", () => {
    expect(neutralizeCommands("/jasper review")).toBe("`/jasper` review");
    expect(neutralizeCommands("@jasper help me")).toBe("`@jasper` help me");
    expect(neutralizeCommands("   /jasper review")).toBe("   `/jasper` review");
    expect(neutralizeCommands("\t@someone-else hi")).toBe("\t`@someone-else` hi");
  });

  it("handles every line of a multi-line text, including CRLF line endings", () => {
    const text = "Summary.\n/jasper review\r\nfine line\n  @jasper stop\n";
    expect(neutralizeCommands(text)).toBe(
      "Summary.\n`/jasper` review\r\nfine line\n  `@jasper` stop\n",
    );
  });

  it("wraps the whole leading token, and uses a longer fence when it holds a backtick", () => {
    expect(neutralizeCommands("/jasper,review now")).toBe("`/jasper,review` now");
    expect(neutralizeCommands("/a`b c")).toBe("`` /a`b `` c");
  });

  it("leaves lines alone that do not start with a command or mention", () => {
    const text = [
      "Ask @jasper later, or run /jasper review.",
      "// a code comment",
      "/ not a word",
      "@ nobody",
      "> /jasper quoted",
      "`/jasper` already safe",
      "",
    ].join("\n");
    expect(neutralizeCommands(text)).toBe(text);
  });

  it("is idempotent", () => {
    const once = neutralizeCommands("/jasper review\n@jasper hi\n/a`b");
    expect(neutralizeCommands(once)).toBe(once);
  });

  it("never leaves a line starting with a command or mention", () => {
    const samples = ["/x", "@y", "  /jasper", "\u00a0@jasper", "/jasper\n/jasper\n@jasper"];
    for (const sample of samples) {
      for (const line of neutralizeCommands(sample).split("\n")) {
        expect(line.trimStart()).not.toMatch(/^[/@]\w/);
      }
    }
  });
});
