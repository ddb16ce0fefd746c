import { describe, expect, it } from "@jest/globals";
import {
  asksNotToFlag,
  parseLearnArgument,
  ruleOfComment,
  silences,
} from "../../src/learnings/learn-syntax.js";
import { literalGlob } from "../../src/replies/learn-command.js";

describe("what `/jasper learn` asks", () => {
  it("reads --org as its first or last word, never inside the text", () => {
    expect(parseLearnArgument("--org Money is integers.")).toEqual({
      org: true,
      text: "Money is integers.",
      rule: null,
      paths: null,
    });
    expect(parseLearnArgument("Money is integers. --ORG")).toMatchObject({ org: true });
    expect(parseLearnArgument("Use the --organic flag")).toMatchObject({
      org: false,
      text: "Use the --organic flag",
    });
  });

  it("names a built-in rule and where: `ignore <rule> in <glob>` and its spellings", () => {
    for (const text of [
      "ignore debug leftover in scripts/**",
      "Don't flag debug leftover in scripts/**",
      "do not flag `debug leftover` under scripts/**.",
      'skip "Debug Leftover" on scripts/**',
    ]) {
      expect([text, parseLearnArgument(text)]).toEqual([
        text,
        expect.objectContaining({ rule: "debug leftover", paths: "scripts/**" }),
      ]);
    }
    // Free text that merely starts alike, or a glob picomatch refuses, is for the AI only.
    expect(parseLearnArgument("ignore the warnings in this file, they are known")).toMatchObject({
      rule: null,
      paths: null,
    });
  });

  it("refuses an empty or an overlong learning", () => {
    expect(parseLearnArgument(undefined)).toEqual({ error: "empty" });
    expect(parseLearnArgument("  --org  ")).toEqual({ error: "empty" });
    expect(parseLearnArgument("x".repeat(501))).toEqual({ error: "too_long" });
    expect(parseLearnArgument("x".repeat(500))).toMatchObject({ text: "x".repeat(500) });
  });
});

describe("a learning and the built-in reviewer", () => {
  it("silences its rule (any case) on the paths its glob matches, nothing else", () => {
    const l = { rule: "debug leftover", paths: "scripts/**" };
    expect(silences(l, "debug leftover", "scripts/build/run.js")).toBe(true);
    expect(silences(l, "Debug Leftover", "scripts/x.js")).toBe(true);
    expect(silences(l, "debug leftover", "src/scripts/x.js")).toBe(false);
    expect(silences(l, "possible secret", "scripts/x.js")).toBe(false);
    expect(silences({ rule: null, paths: null }, "debug leftover", "scripts/x.js")).toBe(false);
  });

  it("a file's path as a literal glob matches that file only, whatever its characters", () => {
    for (const path of ["src/[id]/page.tsx", "docs/a*b?.md", "lib/(group)/x+y@1.js"]) {
      const l = { rule: "todo", paths: literalGlob(path) };
      expect([path, silences(l, "todo", path)]).toEqual([path, true]);
      expect(silences(l, "todo", `${path}x`)).toBe(false);
    }
    expect(
      silences({ rule: "todo", paths: literalGlob("src/[id]/page.tsx") }, "todo", "src/i/page.tsx"),
    ).toBe(false);
  });

  it("reads the rule of Jasper's own built-in comment, and nothing from any other", () => {
    expect(ruleOfComment("**Low · debug leftover**: `console.log` left in.")).toBe(
      "debug leftover",
    );
    expect(ruleOfComment("**High · possible secret**: a key.")).toBe("possible secret");
    expect(ruleOfComment("This retry is not idempotent.")).toBeNull();
    expect(ruleOfComment("**Note**: something")).toBeNull();
  });

  it("hears `don't flag this` and its spellings, not a question that mentions flags", () => {
    for (const q of [
      "don't flag this",
      "Please do not report this",
      "never flag this here",
      "stop flagging these",
    ]) {
      expect([q, asksNotToFlag(q)]).toEqual([q, true]);
    }
    for (const q of ["why did you flag this?", "is this flag safe?", "dont know"]) {
      expect([q, asksNotToFlag(q)]).toEqual([q, false]);
    }
  });
});
