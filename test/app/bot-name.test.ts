import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { PermanentEngineError, type ReviewEngine } from "../../src/engine/engine.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import { COMMANDS, commandUsage } from "../../src/commands/commands.js";
import { fixture } from "../support/github.js";
import {
  mockComments,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * The whole app under another BOT_NAME: everything it says names the commands it answers to,
 * and it answers to that name only.
 */
const BOT = "reviewbot";
const acme = toAccountId(9001);

let nextId = 1;
const commentEvent = (body: string) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 800_000 + nextId++, body } };
};

/** Nothing the bot writes may start a line that commands or mentions a bot. */
const commandLines = (text: string) => text.split("\n").filter((l) => /^\s*[/@]/.test(l));

describe(`with BOT_NAME=${BOT}`, () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  it("tells how to retry a failed review with its own name", async () => {
    const broken: ReviewEngine = {
      ...createRuleBasedEngine({ botName: BOT }),
      review: async () => {
        throw new PermanentEngineError("the model is gone");
      },
    };
    h = await createHarness({ botName: BOT, engine: broken });
    mockReviewCalls([], { number: 12, post: false });
    const comments: PostedComment[] = [];
    mockComments(comments, 1);

    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    const body = comments[0]!.body;
    expect(body).toContain("could not review");
    expect(body).toContain(`\`/${BOT} review\``);
    expect(body).not.toContain("/jasper");
    expect(commandLines(body)).toEqual([]);
  });

  it("answers /reviewbot and @reviewbot, lists /reviewbot commands, and ignores /jasper", async () => {
    h = await createHarness({ botName: BOT });
    const comments: PostedComment[] = [];
    mockComments(comments, 2);

    for (const body of ["/jasper help", "@jasper hello"]) {
      expect(await h.deliver("issue_comment", commentEvent(body))).toBe(202);
    }
    expect(await h.pendingJobs()).toBe(0); // not its name: nothing queued
    for (const body of [`/${BOT} help`, `@${BOT} hello`]) {
      expect(await h.deliver("issue_comment", commentEvent(body))).toBe(202);
    }
    h.startWorkers();
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);

    const help = comments.find((c) => c.body.includes("Commands, all free"))!.body;
    const chat = comments.find((c) => c.body.includes("No AI provider is configured"))!.body;
    for (const text of [help, chat]) {
      for (const { name } of COMMANDS) expect(text).toContain(commandUsage(BOT, name));
      expect(text).not.toContain("/jasper");
      expect(commandLines(text).filter((l) => !l.startsWith("@octo-dev"))).toEqual([]);
    }
    expect(help).toContain(`mentioning @${BOT}`);
    expect(help).toContain(
      `- \`/${BOT} refund <reason>\`: refund this pull request's review credit, with a reason (PR author or an account admin; at most 20% of this month's charged credits)`,
    );
  });

  it("names /reviewbot in the paused notice", async () => {
    h = await createHarness({ botName: BOT });
    await h.jasper.ledger.ensureFreeTier(acme);
    for (const key of ["a", "b", "c"]) {
      await h.jasper.ledger.charge(acme, {
        action: "review",
        description: "earlier",
        idempotencyKey: key,
      });
    }
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });

    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    const body = comments[0]!.body;
    expect(body).toContain("reviews are paused");
    expect(body).toContain(`\`/${BOT} review\``);
    expect(body).toContain(`mention @${BOT}`);
    expect(body).not.toContain("jasper review");
    expect(commandLines(body)).toEqual([]);
  });
});
