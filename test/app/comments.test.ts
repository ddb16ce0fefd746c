import { describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { jobId, QUEUE } from "../../src/queue/queues.js";
import { createRedis } from "../../src/queue/redis.js";
import { fixture } from "../support/github.js";
import {
  mockComments,
  mockPermission,
  useGitHubApi,
  mockReviewCalls,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, REDIS_URL, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
let nextId = 1;
const commentEvent = (body: string, user: Record<string, unknown> = {}) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown> & { user: Record<string, unknown> };
  };
  return {
    ...payload,
    comment: {
      ...payload.comment,
      id: 700_000 + nextId++,
      body,
      user: { ...payload.comment.user, ...user },
    },
  };
};

describe("chat and commands", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const entries = () => h.store.ledger.list(acme, { limit: 100 });

  it("answers chat and every command without charging", async () => {
    h = await createHarness();
    await h.jasper.ledger.ensureFreeTier(acme);
    const before = await entries();
    const comments: PostedComment[] = [];
    mockComments(comments, 6);
    mockPermission("write", { times: 3 }); // credits, pause, resume

    for (const body of [
      "@jasper why retry 3 times?",
      "/jasper help",
      "/jasper credits",
      "/jasper pause",
      "/jasper resume",
      "/jasper frobnicate",
    ]) {
      expect(await h.deliver("issue_comment", commentEvent(body))).toBe(202);
    }
    h.startWorkers();
    await eventually(async () => comments.length === 6 && (await h.pendingJobs()) === 0);

    expect(await entries()).toEqual(before);
    const text = comments.map((c) => c.body).join("\n---\n");
    expect(text).toContain("@octo-dev"); // the chat answer addresses the asker
    expect(text).toContain("Credit balance: **3**");
    expect(text).toContain("Automatic reviews are paused on this pull request");
    expect(text).toContain("Unknown command `frobnicate`");
    for (const c of comments) {
      // Nothing the bot writes may read as a command to itself.
      expect(c.body.split("\n").some((line) => /^\s*\/jasper/i.test(line))).toBe(false);
    }
  });

  it("ignores comments by bots, itself included", async () => {
    h = await createHarness();
    for (const login of ["jasper[bot]", "renovate[bot]"]) {
      const event = commentEvent("/jasper review\n@jasper hello", { login, type: "Bot" });
      expect(await h.deliver("issue_comment", event)).toBe(202);
    }
    expect(await h.pendingJobs()).toBe(0);
    expect(await entries()).toEqual([]);
  });

  it("stops automatic reviews on a paused pull request until resumed", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 2);
    mockPermission("write", { times: 2 });
    await h.deliver("issue_comment", commentEvent("/jasper pause"));
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);

    await h.deliver("issue_comment", commentEvent("/jasper resume"));
    await h.deliver("pull_request", fixture("pull_request.opened"));
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toHaveLength(1);
    h.startWorkers();
    mockReviewCalls([], { number: 12 });
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
  });

  it("`/jasper review` charges only a pull request not paid for yet", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    // The automatic review, and the review the command asks for; the command's lookup of the
    // head is the pull request read they answer (the reviews take it from their jobs).
    mockReviewCalls(posted, { number: 12, times: 2 });
    mockPermission("write");

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => posted.length === 1);
    await h.deliver("issue_comment", commentEvent("/jasper review"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    const usage = await h.store.ledger.list(acme, { types: ["usage"], limit: 10 });
    expect(usage).toHaveLength(1);
    const runs = await h.store.runs.listForPullRequest(acme, 501, 12, 10);
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, "posted"],
      [0, "posted"],
    ]);
  });

  it("`/jasper review` delivered again after the queue forgot it asks for no second run (per-run charging)", async () => {
    h = await createHarness();
    mockPermission("write", { times: 2 }); // the comment, and its redelivery
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const lookUpHead = () =>
      nock("https://api.github.com")
        .get("/repos/Acme-Corp/widgets/pulls/12")
        .reply(200, fixture("pull_request.opened").pull_request as nock.Body);
    lookUpHead();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const asked = commentEvent("/jasper review");

    await h.deliver("issue_comment", asked);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);

    // The replies queue no longer has the request (trimmed, flushed), and GitHub redelivers.
    const connection = createRedis(REDIS_URL, "producer");
    const replies = new Queue(QUEUE.replies, { connection, prefix: h.prefix });
    expect(await replies.remove(jobId("reply", `review-request-${asked.comment.id}`))).toBe(1);
    await replies.close();
    await connection.quit();
    lookUpHead();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    expect(await h.deliver("issue_comment", asked)).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    expect(comments[0]!.body).toContain("already on its way");
    expect(posted).toHaveLength(1);
    const runs = await h.store.runs.listForPullRequest(acme, 501, 12, 10);
    expect(runs.map((r) => [r.attempt, r.status, r.commentId])).toEqual([
      [0, "posted", asked.comment.id],
    ]);
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toHaveLength(1);
  });

  it("limits chat per pull request", async () => {
    h = await createHarness({ chatPerHour: 2 });
    const comments: PostedComment[] = [];
    mockComments(comments, 2);
    for (let i = 0; i < 4; i++)
      await h.deliver("issue_comment", commentEvent(`@jasper question ${i}`));
    h.startWorkers();
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
  });
});
