import { describe, expect, it } from "@jest/globals";
import { parseComment } from "../../src/commands/parse-comment.js";

const parse = (body: string) => parseComment(body, "jasper");

describe("parseComment: commands", () => {
  it("reads `/jasper <name>` at the start of a line", () => {
    expect(parse("/jasper review")).toEqual({ kind: "command", name: "review" });
    expect(parse("/jasper pause")).toEqual({ kind: "command", name: "pause" });
  });

  it("is case-insensitive and lowercases the command name", () => {
    expect(parse("/JASPER Review")).toEqual({ kind: "command", name: "review" });
    expect(parse("/Jasper CREDITS")).toEqual({ kind: "command", name: "credits" });
  });

  it("allows whitespace around the command", () => {
    expect(parse("   /jasper review   ")).toEqual({ kind: "command", name: "review" });
    expect(parse("\n\n/jasper   review\n\n")).toEqual({ kind: "command", name: "review" });
    expect(parse("/jasper\treview")).toEqual({ kind: "command", name: "review" });
    expect(parse("/jasper review\r\n")).toEqual({ kind: "command", name: "review" });
  });

  it("finds a command on a later line of a multi-line comment", () => {
    expect(parse("Thanks for the fixes!\n\n/jasper review\n\nCheers")).toEqual({
      kind: "command",
      name: "review",
    });
    expect(parse("First line\r\n/jasper resume")).toEqual({ kind: "command", name: "resume" });
  });

  it("reads a bare `/jasper` as help", () => {
    expect(parse("/jasper")).toEqual({ kind: "command", name: "help" });
    expect(parse("  /Jasper  ")).toEqual({ kind: "command", name: "help" });
  });

  it("passes an unknown command name through", () => {
    expect(parse("/jasper foo")).toEqual({ kind: "command", name: "foo" });
  });

  it("is not a command when the name only starts with the bot's", () => {
    expect(parse("/jasperx review")).toBeNull();
    expect(parse("/jasperreview")).toBeNull();
  });

  it("is not a command with text before the slash on the same line", () => {
    expect(parse("please /jasper review")).toBeNull();
    expect(parse("> /jasper review")).toBeNull();
  });

  it("ignores commands inside fenced code blocks", () => {
    expect(parse("```\n/jasper review\n```")).toBeNull();
    expect(parse("To ask again, comment:\n```text\n/jasper review\n```\nlater")).toBeNull();
  });

  it("ignores commands in inline code", () => {
    expect(parse("`/jasper review`")).toBeNull();
    expect(parse("Comment `/jasper review` to get a review")).toBeNull();
  });

  it("ignores other bots' commands", () => {
    expect(parse("/other review")).toBeNull();
    expect(parse("/review")).toBeNull();
  });

  it("still finds a command outside code when code is quoted too", () => {
    expect(parse("```\n/jasper pause\n```\n/jasper review")).toEqual({
      kind: "command",
      name: "review",
    });
  });
});

describe("parseComment: mentions", () => {
  it("reads `@jasper <question>` as a question without the mention", () => {
    expect(parse("@jasper why?")).toEqual({ kind: "mention", question: "why?" });
  });

  it("finds the mention anywhere in the comment", () => {
    const parsed = parse("Hey @jasper, why is this loop slow?");
    expect(parsed?.kind).toBe("mention");
    const question = parsed?.kind === "mention" ? parsed.question : "";
    expect(question).not.toMatch(/@jasper/i);
    expect(question).toContain("Hey");
    expect(question).toContain("why is this loop slow?");

    expect(parse("Looks good.\n\nOne thing, @jasper: is this safe?")?.kind).toBe("mention");
    expect(parse("what do you think @jasper")).toEqual({
      kind: "mention",
      question: "what do you think",
    });
  });

  it("is case-insensitive", () => {
    expect(parse("@Jasper why?")).toEqual({ kind: "mention", question: "why?" });
    expect(parse("@JASPER why?")).toEqual({ kind: "mention", question: "why?" });
  });

  it("has a default question for a bare mention", () => {
    expect(parse("@jasper")).toEqual({ kind: "mention", question: "Hello!" });
  });

  it("is not a mention of a longer name", () => {
    expect(parse("@jasperbot why?")).toBeNull();
    expect(parse("@jasper_bot why?")).toBeNull();
  });

  it("is not a mention inside an email address", () => {
    expect(parse("mail email@jasper.dev about it")).toBeNull();
  });

  it("ignores mentions inside code", () => {
    expect(parse("`@jasper why?`")).toBeNull();
    expect(parse("```\n@jasper why?\n```")).toBeNull();
  });
});

describe("parseComment: other comments", () => {
  it("is null for a comment that asks nothing of the bot", () => {
    expect(parse("LGTM")).toBeNull();
    expect(parse("")).toBeNull();
    expect(parse("jasper review")).toBeNull();
  });

  it("prefers a command line over a mention in the same comment", () => {
    expect(parse("@jasper what do you think?\n/jasper review")).toEqual({
      kind: "command",
      name: "review",
    });
    expect(parse("/jasper pause\nthanks @jasper")).toEqual({ kind: "command", name: "pause" });
  });
});

describe("parseComment: another bot name", () => {
  const parseAs = (body: string) => parseComment(body, "review-bot");

  it("reads that bot's commands and mentions", () => {
    expect(parseAs("/review-bot review")).toEqual({ kind: "command", name: "review" });
    expect(parseAs("/Review-Bot")).toEqual({ kind: "command", name: "help" });
    expect(parseAs("@review-bot why?")).toEqual({ kind: "mention", question: "why?" });
  });

  it("ignores jasper, and names that only start with the bot's", () => {
    expect(parseAs("/jasper review")).toBeNull();
    expect(parseAs("@jasper why?")).toBeNull();
    expect(parseAs("/review-botx review")).toBeNull();
    expect(parseAs("@review-bots why?")).toBeNull();
  });

  it("treats the name literally, not as a pattern", () => {
    // "-" and "." are regex syntax; a name must match only itself.
    expect(parseComment("/jasperXbot review", "jasper.bot")).toBeNull();
    expect(parseComment("/jasper.bot review", "jasper.bot")).toEqual({
      kind: "command",
      name: "review",
    });
  });
});

describe("parseComment edge cases", () => {
  it("keeps code in chat questions", () => {
    expect(parseComment("@jasper why does `foo()` throw?", "jasper")).toEqual({
      kind: "mention",
      question: "why does `foo()` throw?",
    });
  });
  it("does not take @jasper-bot for a mention of jasper", () => {
    expect(parseComment("@jasper-bot hi", "jasper")).toBeNull();
  });
  it("ignores commands in double-backtick spans and ~~~ fences", () => {
    expect(parseComment("``/jasper review``", "jasper")).toBeNull();
    expect(parseComment("~~~\n/jasper review\n~~~", "jasper")).toBeNull();
  });
  it("accepts words after a command, and hands them to it as its argument", () => {
    expect(parseComment("/jasper review now please", "jasper")).toEqual({
      kind: "command",
      name: "review",
      argument: "now please",
    });
    expect(parseComment("/jasper full review  all of it \nthanks", "jasper")).toEqual({
      kind: "command",
      name: "full review",
      argument: "all of it",
    });
  });
  it("reads `refund <reason>` with the rest of its line as the reason", () => {
    expect(parse("Hi\n/jasper refund  it flagged 40 lines that are fine, see #12 \nbye")).toEqual({
      kind: "command",
      name: "refund",
      argument: "it flagged 40 lines that are fine, see #12",
    });
    expect(parse("/JASPER Refund")).toEqual({ kind: "command", name: "refund" });
    expect(parse("/jasper refund\twrong: `x` is fine")).toEqual({
      kind: "command",
      name: "refund",
      argument: "wrong:  is fine",
    });
    // A reason-like tail is not taken from another line or from inside code.
    expect(parse("/jasper refund\nbecause")).toEqual({ kind: "command", name: "refund" });
    expect(parse("```\n/jasper refund no\n```\n/jasper refund yes")).toEqual({
      kind: "command",
      name: "refund",
      argument: "yes",
    });
  });
});
