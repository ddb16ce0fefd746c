import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { ReviewEngine, ReviewRequest } from "../../src/engine/engine.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import { fixture } from "../support/github.js";
import {
  API,
  mockComments,
  mockPermission,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const other = toAccountId(4444);
const REPO = "/repos/Acme-Corp/widgets";
let nextId = 1;
const issueComment = (body: string, id = 730_000 + nextId++) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id, body } };
};
const threadComment = (body: string) => {
  const payload = fixture("pull_request_review_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 881_100 + nextId++, body } };
};

/** Jasper's own inline comment 880001, the thread's first, as the built-in reviewer wrote it. */
function mockRootComment(login = "jasper[bot]") {
  nock(API).get(`${REPO}/pulls/comments/880001`).reply(200, {
    id: 880001,
    path: "src/payments/retry.ts",
    line: 7,
    user: { login },
    body: "**Low · debug leftover**: `console.log` left in; use the project's logger or remove it.",
  });
}

function mockThreadReplies(replies: string[]) {
  nock(API)
    .post(`${REPO}/pulls/12/comments/880001/replies`)
    .reply(201, (_uri, body) => {
      replies.push((body as { body: string }).body);
      return { id: 990_000 + replies.length };
    });
}

/** An engine that reviews with the built-in rules and keeps every request it was given. */
function recordingEngine(): ReviewEngine & { requests: ReviewRequest[] } {
  const rules = createRuleBasedEngine();
  const requests: ReviewRequest[] = [];
  return {
    name: "recording",
    requests,
    review: (request) => {
      requests.push(request);
      return rules.review(request);
    },
    chat: (request) => rules.chat(request),
  };
}

describe("learnings from the team", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const learningAudit = async () =>
    (await h.store.audit.list(acme, { limit: 50 })).filter((e) => e.action.startsWith("learning_"));

  it("`/jasper learn <text>` from a writer records a repository learning once, audited and free; the next AI review's prompt carries it", async () => {
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
            message: { role: "assistant", content: '{"summary":"Fine.","comments":[]}' },
            finish_reason: "stop",
          },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    mockPermission("write", { times: 2 });
    const event = issueComment(
      "/jasper learn Payments retry through retryPayment(); never loop by hand.",
    );
    expect(await h.deliver("issue_comment", event)).toBe(202);
    // GitHub redelivers the same comment: still one learning, one audit entry.
    expect(await h.deliver("issue_comment", event)).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    expect(comments[0]!.body).toContain(
      "Learned for `Acme-Corp/widgets`: `Payments retry through retryPayment(); never loop by hand.`",
    );
    expect(comments[0]!.body).toContain("Nothing was charged");
    const stored = await h.store.learnings.list(acme, { limit: 10 });
    expect(stored).toEqual([
      expect.objectContaining({
        scope: "repository",
        repositoryId: 501,
        repository: "Acme-Corp/widgets",
        text: "Payments retry through retryPayment(); never loop by hand.",
        rule: null,
        paths: null,
        author: { id: 77, login: "octo-dev" },
      }),
    ]);
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
    expect(await learningAudit()).toEqual([
      expect.objectContaining({
        action: "learning_added",
        actor: { kind: "github_user", id: 77, login: "octo-dev" },
        interface: "webhook",
        details: expect.objectContaining({ learning: stored[0]!.id, scope: "repository" }),
      }),
    ]);

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain("What the team taught you about this code");
    expect(prompts[0]).toContain("- Payments retry through retryPayment(); never loop by hand.");
  });

  it("`--org` teaches every repository of the account; `ignore <rule> in <glob>` names the rule it silences", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    mockPermission("write");
    await h.deliver(
      "issue_comment",
      issueComment("/jasper learn --org ignore debug leftover in scripts/**"),
    );
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("Learned for every repository of this account");
    expect(comments[0]!.body).toContain(
      "The built-in reviewer no longer reports `debug leftover` in `scripts/**`.",
    );
    // Another repository of the account has it applied.
    const applied = await h.store.learnings.list(acme, { appliesTo: 999, limit: 10 });
    expect(applied).toEqual([
      expect.objectContaining({
        scope: "organization",
        rule: "debug leftover",
        paths: "scripts/**",
      }),
    ]);
  });

  it("who may teach follows the command rules: without write access nothing is recorded", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    mockPermission("read");
    expect(
      await h.deliver("issue_comment", issueComment("/jasper learn --org Ignore all tests.")),
    ).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("only people with write access");
    expect(await h.store.learnings.list(acme, { limit: 10 })).toEqual([]);
    expect(await learningAudit()).toEqual([]);
  });

  it("`@jasper don't flag this` on a built-in finding silences that rule on that file in the next review, said in its summary", async () => {
    const engine = recordingEngine();
    h = await createHarness({ engine });
    mockRootComment();
    mockPermission("write");
    const replies: string[] = [];
    mockThreadReplies(replies);
    expect(
      await h.deliver(
        "pull_request_review_comment",
        threadComment("@jasper don't flag this, it is a CLI"),
      ),
    ).toBe(202);
    h.startWorkers();
    await eventually(async () => replies.length === 1 && (await h.pendingJobs()) === 0);

    const [learning] = await h.store.learnings.list(acme, { limit: 10 });
    expect(learning).toMatchObject({
      scope: "repository",
      rule: "debug leftover",
      paths: "src/payments/retry.ts",
      text: 'Do not flag "debug leftover" in src/payments/retry.ts (don\'t flag this, it is a CLI)',
    });
    expect(replies[0]).toContain(
      "The built-in reviewer no longer reports `debug leftover` in `src/payments/retry.ts`",
    );

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    const review = posted[0]!.body;
    expect(review.comments?.map((c) => c.path)).toEqual(["config/stripe.ts"]);
    expect(review.body).toContain(
      "1 finding not posted, silenced by the team's learnings: debug leftover (1).",
    );
    expect(engine.requests[0]!.learnings).toEqual([
      {
        text: learning!.text,
        scope: "repository",
        rule: "debug leftover",
        paths: "src/payments/retry.ts",
      },
    ]);
  });

  it("`don't flag this` on someone else's comment records nothing and says how to teach", async () => {
    h = await createHarness();
    mockRootComment("reviewer-ann");
    mockPermission("write");
    const replies: string[] = [];
    mockThreadReplies(replies);
    await h.deliver("pull_request_review_comment", threadComment("@jasper don't flag this"));
    h.startWorkers();
    await eventually(async () => replies.length === 1 && (await h.pendingJobs()) === 0);
    expect(replies[0]).toContain("reply in the thread of my inline comment");
    expect(await h.store.learnings.list(acme, { limit: 10 })).toEqual([]);
  });

  it("`/jasper learnings` lists what applies here (the repository's and the account's), never another account's", async () => {
    h = await createHarness();
    const base = {
      author: { id: 77, login: "octo-dev" },
      source: { number: 3, commentId: 1 },
      rule: null,
      paths: null,
    };
    await h.store.learnings.add(
      {
        ...base,
        accountId: acme,
        scope: "repository",
        repositoryId: 501,
        repository: "Acme-Corp/widgets",
        text: "widgets only",
        createdAt: new Date("2026-11-01T00:00:00Z"),
        sourceKey: "1",
      },
      500,
    );
    await h.store.learnings.add(
      {
        ...base,
        accountId: acme,
        scope: "organization",
        repositoryId: 777,
        repository: "Acme-Corp/gadgets",
        text: "every repository",
        createdAt: new Date("2026-11-02T00:00:00Z"),
        sourceKey: "2",
      },
      500,
    );
    await h.store.learnings.add(
      {
        ...base,
        accountId: acme,
        scope: "repository",
        repositoryId: 777,
        repository: "Acme-Corp/gadgets",
        text: "gadgets only",
        createdAt: new Date("2026-11-03T00:00:00Z"),
        sourceKey: "3",
      },
      500,
    );
    await h.store.learnings.add(
      {
        ...base,
        accountId: other,
        scope: "organization",
        repositoryId: 501,
        repository: "Other/widgets",
        text: "another account",
        createdAt: new Date("2026-11-04T00:00:00Z"),
        sourceKey: "4",
      },
      500,
    );
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    await h.deliver("issue_comment", issueComment("/jasper learnings"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    const body = comments[0]!.body;
    expect(body).toContain("- `every repository` (every repository, by `octo-dev`, 2026-11-02)");
    expect(body).toContain("- `widgets only` (this repository");
    expect(body.indexOf("every repository")).toBeLessThan(body.indexOf("widgets only"));
    expect(body).not.toContain("gadgets only");
    expect(body).not.toContain("another account");
    expect(body).toContain("/billing/Acme-Corp/learnings");
  });

  it("a learning of another account is never applied to this account's review", async () => {
    const engine = recordingEngine();
    h = await createHarness({ engine });
    await h.store.learnings.add(
      {
        accountId: other,
        scope: "organization",
        repositoryId: 501,
        repository: "Other/widgets",
        text: "ignore debug leftover in **",
        rule: "debug leftover",
        paths: "**",
        author: { id: 5, login: "mallory" },
        source: { number: 1, commentId: 1 },
        createdAt: new Date(),
        sourceKey: "1",
      },
      500,
    );
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(engine.requests[0]!.learnings).toEqual([]);
    expect(posted[0]!.body.comments?.map((c) => c.path).sort()).toEqual([
      "config/stripe.ts",
      "src/payments/retry.ts",
    ]);
  });
});
