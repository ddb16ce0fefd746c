import { describe, expect, it } from "@jest/globals";
import { addedLines, commentableLines } from "../../src/engine/parse-patch.js";

// Patches as GitHub's "list pull request files" returns them: hunks only, no trailing newline.
const twoHunks = [
  '@@ -3,6 +3,7 @@ import { z } from "zod";',
  " const schema = z.object({",
  "-  name: z.string(),",
  "+  name: z.string().min(1),",
  "+  email: z.email(),",
  "   age: z.number(),",
  " });",
  " ",
  "@@ -40,4 +41,3 @@ export function parse(input: unknown) {",
  "   const result = schema.safeParse(input);",
  "-  if (!result.success) return null;",
  "-  return result.data;",
  "+  return result.success ? result.data : null;",
  " }",
].join("\n");

describe("addedLines", () => {
  it("numbers added lines in the new file, across context, removed lines and hunks", () => {
    expect(addedLines(twoHunks)).toEqual([
      { line: 4, text: "  name: z.string().min(1)," },
      { line: 5, text: "  email: z.email()," },
      { line: 42, text: "  return result.success ? result.data : null;" },
    ]);
  });

  it("skips the no-newline marker on either side", () => {
    const patch = [
      "@@ -1,2 +1,2 @@",
      " export const a = 1;",
      "-export const b = 2;",
      "\\ No newline at end of file",
      "+export const b = 3;",
      "\\ No newline at end of file",
    ].join("\n");
    expect(addedLines(patch)).toEqual([{ line: 2, text: "export const b = 3;" }]);
  });

  it("reads lines that look like file headers by the hunk's counts", () => {
    // Removing a SQL comment "-- old" shows as "--- old"; adding "++ x" shows as "+++ x".
    const patch = ["@@ -1,2 +1,2 @@", "--- old", "+++ x", " SELECT 1;"].join("\n");
    expect(addedLines(patch)).toEqual([{ line: 1, text: "++ x" }]);
    expect([...commentableLines(patch)].sort()).toEqual([1, 2]);
  });

  it("handles a new file, a hunk header without counts, CRLF text and a trailing newline", () => {
    expect(addedLines("@@ -0,0 +1,2 @@\n+first\r\n+second\n")).toEqual([
      { line: 1, text: "first" },
      { line: 2, text: "second" },
    ]);
    expect(addedLines("@@ -7 +7 @@\n-old\n+new")).toEqual([{ line: 7, text: "new" }]);
    expect(addedLines("")).toEqual([]);
  });

  it("keeps a blank added line and an added line starting with '-'", () => {
    const patch = "@@ -1,1 +1,3 @@\n line\n+\n+- list item";
    expect(addedLines(patch)).toEqual([
      { line: 2, text: "" },
      { line: 3, text: "- list item" },
    ]);
  });
});

describe("commentableLines", () => {
  it("holds added and context lines of the new file, not removed ones", () => {
    const lines = commentableLines(twoHunks);
    expect([...lines].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 41, 42, 43]);
  });

  it("has nothing for a hunk that only removes", () => {
    expect(commentableLines("@@ -5,2 +4,0 @@\n-a\n-b").size).toBe(0);
  });
});
