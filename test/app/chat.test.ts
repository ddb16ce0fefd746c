import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { payloadProblem } from "../../src/github/webhook-payloads.js";
import { fixture } from "../support/github.js";
import {
  API,
  fakeGitHub,
  mockComments,
  mockPermission,
  useGitHubApi,
  type PostedComment,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const REPO = "/repos/Acme-Corp/widgets";
let nextId = 1;
const issueComment = (body: string) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 720_000 + nextId++, body } };
};
const threadComment = (body: string) => {
  const payload = fixture("pull_request_review_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 880_100 + nextId++, body } };
};

/** The pull request's files, `times` times. */
function mockFiles(times = 1) {
  nock(API)
    .get(new RegExp(`^${REPO}/pulls/12/files(\\?.*)?$`))
    .times(times)
    .reply(200, fixture("pulls.files") as unknown as nock.Body);
}

/** Replies posted in the inline thread under comment 880001. */
function mockThreadReplies(replies: string[], times = 1) {
  nock(API)
    .post(`${REPO}/pulls/12/comments/880001/replies`)
    .times(times)
    .reply(201, (_uri, body) => {
      replies.push((body as { body: string }).body);
      return { id: 990_000 + replies.length };
    });
}

const THREAD = [
  {
    id: 880001,
    path: "src/payments/retry.ts",
    line: 7,
    user: { login: "reviewer-ann" },
    body: "Why log the whole error here?",
  },
  {
    id: 880002,
    in_reply_to_id: 880001,
    path: "src/payments/retry.ts",
    line: 7,
    user: { login: "octo-dev" },
    body: "@jasper is this retry safe to run twice?",
  },
  // Another thread: not part of this conversation.
  { id: 870000, path: "config/stripe.ts", line: 2, user: { login: "x" }, body: "unrelated" },
];

describe("@jasper chat sees the code", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  it("the review-comment event is handled and its payload checked", () => {
    const event = fixture("pull_request_review_comment.created");
    expect(payloadProblem("pull_request_review_comment", event)).toBeNull();
    const broken = { ...event, comment: { ...(event.comment as object), path: 42 } };
    expect(payloadProblem("pull_request_review_comment", broken)).toMatch(/^comment\.path: /);
  });

  it("built-in engine, inline thread: answers in the thread from the rules' findings on that file, and says no model is configured", async () => {
    h = await createHarness();
    mockFiles();
    fakeGitHub.reviewComments = THREAD as never;
    const replies: string[] = [];
    mockThreadReplies(replies);

    expect(await h.deliver("pull_request_review_comment", threadComment(THREAD[1]!.body))).toBe(
      202,
    );
    h.startWorkers();
    await eventually(async () => replies.length === 1 && (await h.pendingJobs()) === 0);

    const answer = replies[0]!;
    expect(answer).toMatch(
      /^@octo-dev The built-in checks found 1 possible problem on `src\/payments\/retry\.ts` \(asked at line 7\):/,
    );
    expect(answer).toContain("- line 7 · ");
    expect(answer).not.toContain("config/stripe.ts");
    expect(answer).toContain("No AI provider is configured");
  });

  it("AI engine, inline thread: the prompt has the diff with line numbers, the thread so far, the file, line and hunk; the answer goes to the thread", async () => {
    const prompts: string[] = [];
    nock("http://ai.test")
      .post("/v1/chat/completions", (body: { messages: { content: string }[] }) => {
        prompts.push(body.messages[1]!.content);
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
              content: "Yes: `fn` is called again only after a throw.",
            },
            finish_reason: "stop",
          },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    mockFiles();
    fakeGitHub.reviewComments = THREAD as never;
    const replies: string[] = [];
    mockThreadReplies(replies);

    await h.deliver("pull_request_review_comment", threadComment(THREAD[1]!.body));
    h.startWorkers();
    await eventually(async () => replies.length === 1 && (await h.pendingJobs()) === 0);

    expect(replies[0]).toBe("@octo-dev Yes: `fn` is called again only after a throw.");
    const prompt = prompts[0]!;
    expect(prompt).toContain("File: src/payments/retry.ts (added)");
    expect(prompt).toContain('  7 +       console.log("retrying", err);');
    expect(prompt).toContain("File: config/stripe.ts");
    expect(prompt).not.toContain("File: package-lock.json");
    expect(prompt).toContain("@reviewer-ann: Why log the whole error here?");
    expect(prompt).not.toContain("unrelated");
    expect(prompt).toContain("Asked in an inline review thread on src/payments/retry.ts, line 7.");
    expect(prompt).toContain("+export async function retry<T>");
    expect(prompt).toContain("Question from @octo-dev:\nis this retry safe to run twice?");
  });

  it("in the conversation: the answer is given the diff and the conversation so far", async () => {
    const prompts: string[] = [];
    nock("http://ai.test")
      .post("/v1/chat/completions", (body: { messages: { content: string }[] }) => {
        prompts.push(body.messages[1]!.content);
        return true;
      })
      .reply(200, {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [
          { index: 0, message: { role: "assistant", content: "3 times." }, finish_reason: "stop" },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    mockFiles();
    nock(API)
      .get(new RegExp(`^${REPO}/issues/12/comments(\\?.*)?$`))
      .reply(200, [
        { id: 1, user: { login: "reviewer-ann" }, body: "Looks risky." },
        { id: 2, user: { login: "octo-dev" }, body: "@jasper how often does it retry?" },
      ]);
    const comments: PostedComment[] = [];
    mockComments(comments, 1);

    await h.deliver("issue_comment", issueComment("@jasper how often does it retry?"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toBe("@octo-dev 3 times.");
    expect(prompts[0]).toContain("File: src/payments/retry.ts (added)");
    expect(prompts[0]).toContain("@reviewer-ann: Looks risky.");
    expect(prompts[0]).not.toContain("Asked in an inline review thread");
  });

  it("commands in an inline thread are answered in the thread; the ones that spend still ask GitHub", async () => {
    h = await createHarness();
    const replies: string[] = [];
    mockThreadReplies(replies, 3);
    mockPermission("read");

    await h.deliver("pull_request_review_comment", threadComment("/jasper help"));
    await h.deliver("pull_request_review_comment", threadComment("/jasper ignore"));
    await h.deliver("pull_request_review_comment", threadComment("/jasper full review"));
    h.startWorkers();
    await eventually(async () => replies.length === 3 && (await h.pendingJobs()) === 0);

    const text = replies.join("\n---\n");
    expect(text).toContain("Commands, all free:");
    expect(text).toContain("add a line that says `/jasper ignore`");
    expect(text).toContain(
      "only people with write access to this repository can use `/jasper full review`",
    );
    expect(text.split("\n").filter((l) => /^\s*\/jasper/.test(l))).toEqual([]);
  });

  it("chat in a thread is rate-limited per pull request like any chat", async () => {
    h = await createHarness({ chatPerHour: 1 });
    mockFiles();
    const replies: string[] = [];
    mockThreadReplies(replies);
    await h.deliver("pull_request_review_comment", threadComment("@jasper one"));
    await h.deliver("pull_request_review_comment", threadComment("@jasper two"));
    h.startWorkers();
    await eventually(async () => replies.length === 1 && (await h.pendingJobs()) === 0);
  });
});
