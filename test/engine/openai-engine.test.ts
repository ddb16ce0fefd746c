import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { ChatRequest, ChangedFile, ReviewRequest } from "../../src/engine/engine.js";
import { ContextLengthEngineError, PermanentEngineError } from "../../src/engine/engine.js";
import { tokenCounter } from "../../src/engine/count-tokens.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";

const API = "http://ai.test";
const PATH = "/v1/chat/completions";
const API_KEY = "sk-test-secret-0123456789";
const MODEL = "test-model";

// Right side: 1 " one", 2 "+two", 3 "+three", 4 " four"; then 11, 12, 13.
const PATCH_A = [
  "@@ -1,3 +1,4 @@",
  " one",
  "-old",
  "+two",
  "+three",
  " four",
  "@@ -10,2 +11,3 @@ function f() {",
  " ctx",
  "+added",
  " ctx2",
  "\\ No newline at end of file",
].join("\n");
// A new file: lines 1 and 2.
const PATCH_B = "@@ -0,0 +1,2 @@\n+export const b = 1;\n+export const c = 2;\n";

const file = (filename: string, patch: string): ChangedFile => ({
  filename,
  status: "modified",
  additions: 1,
  deletions: 1,
  patch,
});

const reviewRequest = (overrides: Partial<ReviewRequest> = {}): ReviewRequest => ({
  repository: "acme-corp/widgets",
  number: 42,
  title: "Add widget sizes",
  body: "Adds sizes.",
  headSha: "abc123",
  incremental: false,
  diff: {
    files: [file("src/a.ts", PATCH_A), file("src/b.ts", PATCH_B)],
    skipped: [],
    totalAdditions: 5,
    totalDeletions: 1,
  },
  ...overrides,
});

const chatRequest: ChatRequest = {
  repository: "acme-corp/widgets",
  number: 42,
  title: "Add widget sizes",
  question: "How do I re-run the review?",
  author: "octocat",
};

const completion = (content: string | null) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: MODEL,
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
});

interface SentBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string };
  max_completion_tokens?: number;
}

/** Intercepts one completion request, keeping what was sent. */
function answer(status: number, reply: unknown) {
  const sent: SentBody[] = [];
  nock(API)
    .matchHeader("authorization", `Bearer ${API_KEY}`)
    .post(PATH, (body: SentBody) => {
      sent.push(body);
      return true;
    })
    .reply(status, reply as nock.Body);
  return sent;
}

const engine = (
  options: { timeoutMs?: number; maxOutputTokens?: number; contextTokens?: number } = {},
) => createOpenAiEngine({ baseUrl: `${API}/v1`, apiKey: API_KEY, model: MODEL, ...options });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAI-compatible review engine", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("is named after its model", () => {
    expect(engine().name).toBe("openai:test-model");
  });

  it("keeps the summary and only comments on lines of the diff's right side", async () => {
    const sent = answer(
      200,
      completion(
        JSON.stringify({
          summary: "Mostly fine.\n/jasper approve\n  @jasper merge it",
          comments: [
            { path: "src/a.ts", line: 2, body: "Off by one." },
            { path: "src/a.ts", line: 7, body: "Not in the diff." },
            { path: "src/unknown.ts", line: 1, body: "Not a reviewed file." },
            { path: "src/a.ts", line: 12, body: "/jasper review\nThis line is added." },
            { path: "src/a.ts", line: 14, body: "Past the last hunk." },
            { path: "b/src/b.ts", line: "2", body: "x".repeat(5_000) },
            { path: "src/b.ts", line: 1, body: "   " },
            { path: "src/b.ts", body: "No line." },
          ],
        }),
      ),
    );

    const result = await engine({ maxOutputTokens: 4_000 }).review(reviewRequest());

    expect(result.summary).toBe("Mostly fine.\n`/jasper` approve\n  `@jasper` merge it");
    expect(result.comments).toHaveLength(3);
    expect(result.comments[0]).toEqual({ path: "src/a.ts", line: 2, body: "Off by one." });
    expect(result.comments[1]).toEqual({
      path: "src/a.ts",
      line: 12,
      body: "`/jasper` review\nThis line is added.",
    });
    expect(result.comments[2]).toMatchObject({ path: "src/b.ts", line: 2 });
    expect(result.comments[2]?.body).toHaveLength(2_000);
    // Nothing the model said is dropped without a count, for the review's body.
    expect(result.leftOut).toEqual({ outsideDiff: 2, otherFiles: 1, unreadable: 2, overLimit: [] });

    expect(sent).toHaveLength(1);
    const body = sent[0]!;
    expect(body.model).toBe(MODEL);
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.max_completion_tokens).toBe(4_000);
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    const user = body.messages[1]!.content;
    expect(user).toContain("acme-corp/widgets");
    expect(user).toContain("#42");
    expect(user).toContain("Add widget sizes");
    expect(user).toContain("File: src/a.ts");
    // Each patch once, numbered on the new side; removed lines without a number.
    expect(user).not.toContain(PATCH_A);
    expect(user).toContain(
      ["@@ -1,3 +1,4 @@", "  1   one", "    - old", "  2 + two", "  3 + three", "  4   four"].join(
        "\n",
      ),
    );
    expect(user).toContain("  1 + export const b = 1;");
    expect(user.split("export const b = 1;")).toHaveLength(2);
  });

  it("caps the comments at 30 and tells the model about a re-review", async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `+line ${i + 1}`);
    const patch = `@@ -0,0 +1,40 @@\n${lines.join("\n")}`;
    const comments = lines.map((_, i) => ({ path: "src/big.ts", line: i + 1, body: "Hm." }));
    const sent = answer(200, completion(JSON.stringify({ summary: "Many.", comments })));

    const result = await engine().review(
      reviewRequest({
        incremental: true,
        body: "y".repeat(10_000),
        diff: {
          files: [file("src/big.ts", patch)],
          skipped: [],
          totalAdditions: 40,
          totalDeletions: 0,
        },
      }),
    );

    expect(result.comments).toHaveLength(30);
    expect(result.comments.map((c) => c.line)).toEqual(lines.slice(0, 30).map((_, i) => i + 1));
    // The ten past the limit are listed for the body, by where they are and their first line.
    expect(result.leftOut?.overLimit).toEqual(
      lines.slice(30).map((_, i) => ({ path: "src/big.ts", line: 31 + i, title: "Hm." })),
    );
    const user = sent[0]!.messages[1]!.content;
    expect(user).toMatch(/re-review/);
    expect(user).toContain("y".repeat(3_999));
    expect(user).not.toContain("y".repeat(4_001));
    expect(sent[0]!.max_completion_tokens).toBeUndefined();
  });

  it("posts a range of lines as one multi-line comment when both ends are in one hunk", async () => {
    answer(
      200,
      completion(
        JSON.stringify({
          summary: "Ranges.",
          comments: [
            { path: "src/a.ts", line: "2-3", body: "**Two lines** at once.\nMore." },
            { path: "src/a.ts", start_line: 11, line: 13, body: "Second hunk." },
            { path: "src/b.ts", line: "1 – 2", body: "En dash." },
            // Across two hunks: GitHub refuses that, so it goes on its last line.
            { path: "src/a.ts", line: "3-12", body: "Spans hunks." },
            // Its end is past the hunk: on its first line.
            { path: "src/a.ts", line: "13-15", body: "Runs off." },
            { path: "src/a.ts", line: "6-8", body: "Nowhere in the diff." },
            { path: "src/a.ts", line: "3-2", body: "Backwards." },
          ],
        }),
      ),
    );

    const result = await engine().review(reviewRequest());

    expect(result.comments).toEqual([
      { path: "src/a.ts", startLine: 2, line: 3, body: "**Two lines** at once.\nMore." },
      { path: "src/a.ts", startLine: 11, line: 13, body: "Second hunk." },
      { path: "src/b.ts", startLine: 1, line: 2, body: "En dash." },
      { path: "src/a.ts", line: 12, body: "Spans hunks." },
      { path: "src/a.ts", line: 13, body: "Runs off." },
      { path: "src/a.ts", startLine: 2, line: 3, body: "Backwards." },
    ]);
    expect(result.leftOut).toEqual({ outsideDiff: 1, otherFiles: 0, unreadable: 0, overLimit: [] });
  });

  it("reads JSON inside a ```json fence, with text around it", async () => {
    const json = JSON.stringify({
      summary: "Fenced.",
      comments: [{ path: "src/a.ts", line: 3, body: "Use:\n```ts\nconst x = 1;\n```" }],
    });
    answer(200, completion(`Here is my review:\n\n\`\`\`json\n${json}\n\`\`\`\nThanks.`));

    const result = await engine().review(reviewRequest());

    expect(result).toMatchObject({
      summary: "Fenced.",
      comments: [{ path: "src/a.ts", line: 3, body: "Use:\n```ts\nconst x = 1;\n```" }],
    });
  });

  it("accepts an answer without comments", async () => {
    answer(200, completion('{"summary": "Nothing to change."}'));
    expect(await engine().review(reviewRequest())).toEqual({
      summary: "Nothing to change.",
      comments: [],
      leftOut: { outsideDiff: 0, otherFiles: 0, unreadable: 0, overLimit: [] },
    });
  });

  it("fails retryably on an answer that is not JSON", async () => {
    answer(200, completion("I think this pull request looks great!"));
    const err = await failure(engine().review(reviewRequest()));
    expect(err).not.toBeInstanceOf(PermanentEngineError);
    expect(err.message).toMatch(/not valid JSON/);
  });

  it("fails retryably on JSON of the wrong shape, and on an empty answer", async () => {
    answer(200, completion('{"comments": []}'));
    const wrongShape = await failure(engine().review(reviewRequest()));
    expect(wrongShape).not.toBeInstanceOf(PermanentEngineError);

    answer(200, completion(null));
    const empty = await failure(engine().review(reviewRequest()));
    expect(empty).not.toBeInstanceOf(PermanentEngineError);
  });

  it.each([429, 500, 503])("fails retryably on HTTP %i", async (status) => {
    answer(status, { error: { message: "try later", type: "server_error", code: null } });
    const err = await failure(engine().review(reviewRequest()));
    expect(err).not.toBeInstanceOf(PermanentEngineError);
    expect(err.message).toContain(String(status));
  });

  it("fails permanently on HTTP 401 without naming the API key", async () => {
    answer(401, {
      error: {
        message: `Incorrect API key provided: ${API_KEY}.`,
        type: "invalid_request_error",
        code: "invalid_api_key",
      },
    });
    const err = await failure(engine().review(reviewRequest()));
    expect(err).toBeInstanceOf(PermanentEngineError);
    expect(err.message).toContain("401");
    expect(err.message).not.toContain(API_KEY);
    expect(err.message).not.toContain("sk-");
  });

  it.each([400, 403, 404])("fails permanently on HTTP %i", async (status) => {
    answer(status, {
      error: {
        message: `The model ${MODEL} does not exist (key ${API_KEY})`,
        type: "invalid_request_error",
        code: "model_not_found",
      },
    });
    const err = await failure(engine().review(reviewRequest()));
    expect(err).toBeInstanceOf(PermanentEngineError);
    expect(err.message).toContain(String(status));
    expect(err.message).not.toContain(API_KEY);
  });

  it("fails retryably when the server can not be reached or is too slow", async () => {
    nock(API).post(PATH).replyWithError("connect ECONNREFUSED");
    const refused = await failure(engine().review(reviewRequest()));
    expect(refused).not.toBeInstanceOf(PermanentEngineError);

    // Under Jest the fetch's AbortError comes from another realm and the openai client reports
    // it as a connection error, not APIConnectionTimeoutError (plain Node gives the latter);
    // either way it must be retryable.
    nock(API).post(PATH).delay(400).reply(200, completion('{"summary": "late"}'));
    const slow = await failure(engine({ timeoutMs: 50 }).review(reviewRequest()));
    expect(slow).not.toBeInstanceOf(PermanentEngineError);
  });

  it("passes the abort signal on", async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await failure(engine().chat(chatRequest, controller.signal));
    expect(err).not.toBeInstanceOf(PermanentEngineError);
    expect(err.message).toMatch(/aborted/);
  });

  it("answers a chat question in text and neutralizes commands", async () => {
    const sent = answer(
      200,
      completion("Comment this to re-run it:\n/jasper review\n\n@jasper is listening."),
    );

    const reply = await engine().chat(chatRequest);

    expect(reply).toBe("Comment this to re-run it:\n`/jasper` review\n\n`@jasper` is listening.");
    const body = sent[0]!;
    expect(body.model).toBe(MODEL);
    expect(body.response_format).toBeUndefined();
    const user = body.messages[1]!.content;
    expect(user).toContain("How do I re-run the review?");
    expect(user).toContain("octocat");
    expect(user).toContain("acme-corp/widgets");
  });

  it("caps a chat reply at 4,000 characters, and fails permanently on HTTP 401", async () => {
    answer(200, completion("z".repeat(9_000)));
    expect(await engine().chat(chatRequest)).toHaveLength(4_000);

    answer(401, { error: { message: `bad key ${API_KEY}`, code: "invalid_api_key" } });
    const err = await failure(engine().chat(chatRequest));
    expect(err).toBeInstanceOf(PermanentEngineError);
    expect(err.message).not.toContain(API_KEY);
  });

  describe("fitting the model's context", () => {
    /** A new file of `lines` lines: about 10 tokens a line as sent. */
    const newFile = (name: string, lines: number): ChangedFile => ({
      filename: name,
      status: "added",
      additions: lines,
      deletions: 0,
      patch: `@@ -0,0 +1,${lines} @@\n${Array.from({ length: lines }, (_, i) => `+export const ${name.replace(/\W/g, "_")}_${i} = ${i};`).join("\n")}`,
    });
    const files = Array.from({ length: 8 }, (_, i) => newFile(`src/f${i}.ts`, 60));
    const request = reviewRequest({
      diff: { files, skipped: [], totalAdditions: 480, totalDeletions: 0 },
    });

    /**
     * A model whose window holds `window` tokens: above it, OpenAI's 400 (context_length_exceeded);
     * otherwise a comment on line 1 of every file it was shown. Keeps each prompt's token count.
     */
    async function fakeModel(window: number, calls: number) {
      const count = await tokenCounter();
      const prompts: { tokens: number; files: string[] }[] = [];
      nock(API)
        .post(PATH)
        .times(calls)
        .reply((_uri, body) => {
          const { messages } = body as SentBody;
          const tokens = count(messages.map((m) => m.content).join("\n"));
          const shown = [...messages[1]!.content.matchAll(/^File: (\S+)/gm)].map((m) => m[1]!);
          prompts.push({ tokens, files: shown });
          if (tokens > window) {
            return [
              400,
              {
                error: {
                  message: `This model's maximum context length is ${window} tokens. However, your messages resulted in ${tokens} tokens.`,
                  type: "invalid_request_error",
                  param: "messages",
                  code: "context_length_exceeded",
                },
              },
            ];
          }
          const comments = shown.map((path) => ({ path, line: 1, body: "Seen." }));
          return [200, completion(JSON.stringify({ summary: "Fits.", comments }))];
        });
      return prompts;
    }

    it("sends the files that fit AI_CONTEXT_TOKENS, in order, and names the rest as not read", async () => {
      const prompts = await fakeModel(4_000, 1);
      const result = await engine({ contextTokens: 4_000 }).review(request);

      expect(prompts).toHaveLength(1);
      expect(prompts[0]!.tokens).toBeLessThanOrEqual(4_000);
      const shown = prompts[0]!.files;
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThan(8);
      expect(shown).toEqual(files.slice(0, shown.length).map((f) => f.filename));
      expect(result.comments.map((c) => c.path)).toEqual(shown);
      expect(result.unread).toEqual(
        files.slice(shown.length).map((f) => ({ filename: f.filename, reason: "over_context" })),
      );
    });

    it("asks again with fewer files when the provider says the prompt is past the model's context, and remembers", async () => {
      // Configured for 128,000 tokens; the model holds 3,000.
      const prompts = await fakeModel(3_000, 5);
      const chosen = engine();
      const result = await chosen.review(request);

      const refused = prompts.filter((p) => p.tokens > 3_000);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(prompts[0]!.files).toHaveLength(8);
      const answered = prompts[prompts.length - 1]!;
      expect(answered.tokens).toBeLessThanOrEqual(3_000);
      expect(answered.files.length).toBeGreaterThan(0);
      expect(result.comments.map((c) => c.path)).toEqual(answered.files);
      expect([...answered.files, ...(result.unread ?? []).map((f) => f.filename)]).toEqual(
        files.map((f) => f.filename),
      );

      // The next review starts from what fitted: one request.
      const before = prompts.length;
      const again = await chosen.review(request);
      expect(prompts.length - before).toBe(1);
      expect(again.comments.map((c) => c.path)).toEqual(prompts[prompts.length - 1]!.files);
      console.log(
        `context fit: prompts of ${prompts.map((p) => `${p.tokens} tokens (${p.files.length} files)`).join(", ")} for a 3,000-token model`,
      );
    });

    it("fails for good, without asking, when not even the smallest file fits", async () => {
      const huge = reviewRequest({
        diff: {
          files: [newFile("src/huge.ts", 2_000)],
          skipped: [],
          totalAdditions: 2_000,
          totalDeletions: 0,
        },
      });
      const err = await failure(engine({ contextTokens: 4_000 }).review(huge));
      expect(err).toBeInstanceOf(ContextLengthEngineError);
      expect(err).toBeInstanceOf(PermanentEngineError);
      expect((err as ContextLengthEngineError).code).toBe("engine_context_length");
      expect(err.message).toMatch(/AI_CONTEXT_TOKENS/);
    });

    it("counts a patch holding a tokenizer's special tokens as text", async () => {
      const sent = answer(200, completion('{"summary": "Ok."}'));
      const special = file("src/s.ts", "@@ -0,0 +1,1 @@\n+const end = '<|endoftext|>';");
      await engine().review(
        reviewRequest({
          diff: { files: [special], skipped: [], totalAdditions: 1, totalDeletions: 0 },
        }),
      );
      expect(sent[0]!.messages[1]!.content).toContain("<|endoftext|>");
    });
  });
});

describe("the team's learnings in the review prompt", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });
  const learning = (i: number) => ({
    text: `Learning number ${i}: ${"keep payments idempotent ".repeat(15).trim()}.`,
    scope: "repository" as const,
    rule: null,
    paths: null,
  });

  it("carries the learnings newest first, within a tenth of the prompt's budget, and the files still fit", async () => {
    const sent = answer(200, completion(JSON.stringify({ summary: "Fine.", comments: [] })));
    const learnings = Array.from({ length: 100 }, (_, i) => learning(i));
    await engine({ contextTokens: 16_000 }).review(reviewRequest({ learnings }));
    const prompt = sent[0]!.messages[1]!.content;
    const count = await tokenCounter();
    const carried = [...prompt.matchAll(/^- Learning number (\d+):/gm)].map((m) => Number(m[1]));
    // In the order given (newest first), a prefix of them, and not all: the share is bounded.
    expect(carried.length).toBeGreaterThan(3);
    expect(carried.length).toBeLessThan(100);
    expect(carried).toEqual(carried.map((_, i) => i));
    const section = prompt.slice(prompt.indexOf("What the team taught you"));
    const lines = section.split("\n").filter((l) => l.startsWith("- Learning"));
    // 16,000 less the 4,000 answer tokens, less the 10 % margin: 10,800; a tenth of it.
    expect(count(lines.map((l) => `${l}\n`).join(""))).toBeLessThanOrEqual(1_080);
    expect(prompt).toContain("File: src/a.ts");
    expect(prompt).toContain("File: src/b.ts");
  });

  it("says nothing of learnings when there are none", async () => {
    const sent = answer(200, completion(JSON.stringify({ summary: "Fine.", comments: [] })));
    await engine().review(reviewRequest({ learnings: [] }));
    expect(sent[0]!.messages[1]!.content).not.toContain("What the team taught you");
  });
});
