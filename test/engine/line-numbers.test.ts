/**
 * What the line numbers written before each diff line buy (the prompt sends each patch once,
 * numbered): a scripted model answers the same
 * review twice, once locating each line it comments on by counting lines in the raw patch (all
 * a model can do without numbers: from the hunk header, or from the top of the patch), once by
 * reading the number written next to the line. Counted: comments that land inline at all (on a
 * line of the diff's right side; the rest are dropped from the inline comments) and comments
 * that land on the line meant.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { ReviewRequest } from "../../src/engine/engine.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { addedLines } from "../../src/engine/parse-patch.js";

const API = "http://ai.test";

// Three hunks with removed lines between the added ones; "BUG" marks the lines commented on.
const PATCH = [
  "@@ -3,7 +3,8 @@ import { pay } from './pay';",
  " const a = 1;",
  "-const b = 2;",
  "-const c = 3;",
  "+const b = 20; // BUG 1",
  " const d = 4;",
  "+const e = 5;",
  " const f = 6;",
  " const g = 7;",
  "+const h = 8; // BUG 2",
  "@@ -40,6 +41,5 @@ export function retry() {",
  "   let tries = 0;",
  "-  let delay = 100;",
  "-  let max = 5;",
  "+  let delay = 0; // BUG 3",
  "   while (tries < 3) {",
  "     tries++;",
  "@@ -90,4 +90,6 @@ export function refund() {",
  "   const amount = total();",
  "-  log(amount);",
  "+  ledger.write(amount); // BUG 4",
  "+  ledger.write(amount); // BUG 5",
  "+  return amount;",
  " }",
].join("\n");

const request: ReviewRequest = {
  repository: "acme-corp/widgets",
  number: 7,
  title: "Retry payments",
  body: "",
  headSha: "abc",
  incremental: false,
  diff: {
    files: [
      { filename: "src/pay.ts", status: "modified", additions: 7, deletions: 5, patch: PATCH },
    ],
    skipped: [],
    totalAdditions: 7,
    totalDeletions: 5,
  },
};

type Strategy = "count from the hunk header" | "count from the top" | "read the number";

/** Where a model following `strategy` says each BUG line is, from the prompt it was sent. */
function scriptedComments(prompt: string, strategy: Strategy) {
  const comments: { path: string; line: number; body: string }[] = [];
  if (strategy === "read the number") {
    const listing = prompt.slice(prompt.indexOf("File: src/pay.ts"));
    for (const m of listing.matchAll(/^\s*(\d+) \+ .*BUG (\d)/gm)) {
      comments.push({ path: "src/pay.ts", line: Number(m[1]), body: `bug ${m[2]}` });
    }
    return comments;
  }
  // Without numbers: the raw patch (what a prompt without them shows), lines counted (removed
  // lines included, as is easy to get wrong), from the hunk's "+c" or from its first line.
  expect(prompt).toContain("File: src/pay.ts");
  const patch = PATCH;
  let at = 0;
  let start = 0;
  patch.split("\n").forEach((raw, index) => {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(raw);
    if (header) {
      start = Number(header[1]);
      at = 0;
      return;
    }
    const bug = /BUG (\d)/.exec(raw);
    if (bug && raw.startsWith("+")) {
      const line = strategy === "count from the hunk header" ? start + at : index;
      comments.push({ path: "src/pay.ts", line, body: `bug ${bug[1]}` });
    }
    at++;
  });
  return comments;
}

async function landed(strategy: Strategy) {
  nock(API)
    .post("/v1/chat/completions")
    .reply(200, (_uri, body) => {
      const prompt = (body as { messages: { content: string }[] }).messages[1]!.content;
      const content = JSON.stringify({
        summary: "ok",
        comments: scriptedComments(prompt, strategy),
      });
      return {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      };
    });
  const engine = createOpenAiEngine({ baseUrl: `${API}/v1`, apiKey: "sk", model: "m" });
  const result = await engine.review(request);
  const truth = new Map(
    addedLines(PATCH)
      .filter((l) => l.text.includes("BUG"))
      .map((l) => [`bug ${/BUG (\d)/.exec(l.text)![1]}`, l.line]),
  );
  return {
    inline: result.comments.length,
    onTheLineMeant: result.comments.filter((c) => truth.get(c.body) === c.line).length,
  };
}

describe("new-side line numbers in the AI engine's prompt", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("5 comments: counting lines lands 4 (none on the line meant) or 2 inline; reading the numbers lands 5 of 5", async () => {
    const header = await landed("count from the hunk header");
    const top = await landed("count from the top");
    const numbered = await landed("read the number");
    console.log(
      `inline comments that land, of 5: counting from the hunk header ${header.inline} ` +
        `(${header.onTheLineMeant} on the line meant), counting from the top ${top.inline} ` +
        `(${top.onTheLineMeant}), reading the written numbers ${numbered.inline} ` +
        `(${numbered.onTheLineMeant})`,
    );
    expect(header).toEqual({ inline: 4, onTheLineMeant: 0 });
    expect(top).toEqual({ inline: 2, onTheLineMeant: 2 });
    expect(numbered).toEqual({ inline: 5, onTheLineMeant: 5 });
  });

  it("a provider that refuses response_format json_object is asked once more without it", async () => {
    const formats: unknown[] = [];
    nock(API)
      .post("/v1/chat/completions", (body: { response_format?: unknown }) => {
        formats.push(body.response_format);
        return true;
      })
      .reply(400, {
        error: {
          message: "response_format json_object is not supported by this model",
          type: "invalid_request_error",
          param: "response_format",
        },
      })
      .post("/v1/chat/completions", (body: { response_format?: unknown }) => {
        formats.push(body.response_format);
        return true;
      })
      .reply(200, {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: '```json\n{"summary":"Fine.","comments":[]}\n```',
            },
            finish_reason: "stop",
          },
        ],
      });
    const engine = createOpenAiEngine({ baseUrl: `${API}/v1`, apiKey: "sk", model: "m" });
    expect((await engine.review(request)).summary).toBe("Fine.");
    expect(formats).toEqual([{ type: "json_object" }, undefined]);
  });
});
