import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { NO_BUDGETS, type BudgetRules } from "../../src/accounts/budget-rules.js";
import { createMailer } from "../../src/notifications/mailer.js";
import { BUDGET_NOTICE_MARKER } from "../../src/voice/voice.js";
import { fixture, pullRequestEvent } from "../support/github.js";
import {
  API,
  fakeGitHub,
  mockComments,
  mockOrgMembership,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";
import { TestClock } from "../support/ledger-fixture.js";
import { startSmtpSink } from "../support/smtp-sink.js";

/**
 * Budgets stop reviews out loud: a review a budget has no room for is not charged, its check
 * run says which budget and where to raise it, and the pull request gets one comment. An
 * admin of the account can let one pull request through.
 */
const acme = toAccountId(9001);
const REPO = "/repos/Acme-Corp/widgets";
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const SECOND_HEAD = "2222222222222222222222222222222222222222";

const prEvent = (number: number, action = "opened", head = HEAD) => {
  const payload = pullRequestEvent(action, number);
  const pull = payload.pull_request as Record<string, unknown>;
  return { ...payload, pull_request: { ...pull, head: { ...(pull.head as object), sha: head } } };
};

let nextComment = 1;
const commentEvent = (body: string, login = "octo-dev", number = 12) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown> & { user: Record<string, unknown> };
    issue: Record<string, unknown>;
  };
  return {
    ...payload,
    issue: { ...payload.issue, number },
    comment: {
      ...payload.comment,
      id: 820_000 + nextComment++,
      body,
      user: { ...payload.comment.user, login, id: 7_000 + nextComment },
    },
  };
};

describe("budgets on pull requests", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 100 });

  async function withBudgets(rules: Partial<BudgetRules>, clock?: TestClock) {
    h = await createHarness(clock ? { now: clock.now } : {});
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.setBudgets(acme, { ...NO_BUDGETS, ...rules });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 50,
      description: "credits",
      idempotencyKey: "buy-50",
    });
  }

  /** PR #11 is reviewed and charged; PR #12 (same repository and author) is stopped. */
  async function secondPullRequestStopped(): Promise<PostedComment[]> {
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 11 });
    expect(await h.deliver("pull_request", prEvent(11))).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    expect(await h.deliver("pull_request", prEvent(12, "opened", SECOND_HEAD))).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(1);
    return comments;
  }

  const check = (sha: string) => fakeGitHub.checkRunOn(sha);

  it("the account's budget: the check run says which, where to raise it, and one comment goes out", async () => {
    await withBudgets({ account: 1 });
    const comments = await secondPullRequestStopped();
    const run = check(SECOND_HEAD)!;
    expect(run).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      output: {
        title: "paused: the account's monthly budget of 1 credit this month is used (1/1)",
      },
    });
    expect(run.output.summary).toContain("nothing was charged");
    expect(run.output.summary).toContain("https://jasper.example/billing/budgets");
    expect(run.output.summary).toContain("`/jasper review --over-budget`");
    expect(comments[0]).toMatchObject({ number: 12 });
    expect(comments[0]!.body).toContain(BUDGET_NOTICE_MARKER);
    expect(comments[0]!.body).toContain("Chat (mention @jasper) and commands keep working");
    expect((await h.ledger.summary(acme)).balance).toBe(52);
  });

  it("a repository's budget, matched by a glob", async () => {
    await withBudgets({ repositories: [{ pattern: "widg*", credits: 1 }] });
    await secondPullRequestStopped();
    expect(check(SECOND_HEAD)!.output.title).toBe(
      "paused: the `widgets` repository's budget of 1 credit this month is used (1/1)",
    );
  });

  it("an author's budget (the default cap, or their own)", async () => {
    await withBudgets({ authorDefault: 5, authors: [{ login: "Octo-Dev", credits: 1 }] });
    await secondPullRequestStopped();
    expect(check(SECOND_HEAD)!.output.title).toBe(
      "paused: the budget of pull requests by `octo-dev` of 1 credit this month is used (1/1)",
    );
  });

  it("the cap on runs per pull request, under per-run charging: a push past it is stopped", async () => {
    await withBudgets({ pullRequestRuns: 1 });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", prEvent(12))).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    expect(await h.deliver("pull_request", prEvent(12, "synchronize", SECOND_HEAD))).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(check(SECOND_HEAD)!.output.title).toBe(
      "paused: this pull request's cap on review runs of 1 run this month is used (1/1)",
    );
    expect(await usage()).toHaveLength(1);
  });

  it("a second stop on the same pull request edits its one comment instead of posting another", async () => {
    await withBudgets({ account: 1 });
    await secondPullRequestStopped();
    // Another push to the stopped pull request: the comment is found by its marker and edited.
    const edited: string[] = [];
    nock(API)
      .get(new RegExp(`^${REPO}/issues/12/comments(\\?.*)?$`))
      .reply(200, [{ id: 901, body: `earlier\n${BUDGET_NOTICE_MARKER}` }]);
    nock(API)
      .patch(`${REPO}/issues/comments/901`)
      .reply(200, (_uri, body) => {
        edited.push((body as { body: string }).body);
        return { id: 901 };
      });
    const third = "3333333333333333333333333333333333333333";
    expect(await h.deliver("pull_request", prEvent(12, "synchronize", third))).toBe(202);
    await eventually(async () => edited.length === 1 && (await h.pendingJobs()) === 0);
    expect(edited[0]).toContain("(1/1)");
    expect(check(third)!.output.title).toMatch(/^paused: the account's monthly budget/);
  });

  it("a new month starts the budgets again", async () => {
    const clock = new TestClock(new Date("2026-11-30T10:00:00Z"));
    await withBudgets({ account: 1 }, clock);
    await secondPullRequestStopped();
    expect(check(SECOND_HEAD)!.output.summary).toContain("Budgets start again on 2026-12-01");
    clock.set("2026-12-01T09:00:00Z");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 13 });
    expect(await h.deliver("pull_request", prEvent(13, "opened", "4".repeat(40)))).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(2);
  });

  it("review --over-budget: an admin of the account lets the stopped pull request through, audited", async () => {
    await withBudgets({ account: 1 });
    await secondPullRequestStopped();
    mockOrgMembership("Acme-Corp", "the-boss", "admin", { times: 2 });
    const posted: PostedReview[] = [];
    // The command's lookup of the head is the pull request read these calls answer.
    mockReviewCalls(posted, { number: 12, headSha: SECOND_HEAD });
    const ask = commentEvent("/jasper review --over-budget", "the-boss");
    expect(await h.deliver("issue_comment", ask)).toBe(202);
    // Delivered twice: one run, one charge, one audit entry.
    expect(await h.deliver("issue_comment", ask)).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(2);
    expect(check(SECOND_HEAD)!.output.title).toMatch(/^reviewed/);
    const audit = await h.jasper.audit.list(acme, { actions: ["budget_override"] });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      actor: { kind: "github_user", login: "the-boss" },
      interface: "webhook",
      details: { repository: "Acme-Corp/widgets", number: 12 },
    });
  });

  it("review --over-budget by someone who is not an admin is refused and charges nothing", async () => {
    await withBudgets({ account: 1 });
    await secondPullRequestStopped();
    mockOrgMembership("Acme-Corp", "a-dev", 404);
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    expect(
      await h.deliver("issue_comment", commentEvent("/jasper review --over-budget", "a-dev")),
    ).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("Only an admin of the account");
    expect(await usage()).toHaveLength(1);
    expect(
      (await h.jasper.audit.list(acme, { actions: ["budget_override"] })).entries,
    ).toHaveLength(0);
  });

  it("warns the billing contacts by email once the share is reached, once a month", async () => {
    const sink = await startSmtpSink();
    try {
      h = await createHarness({ mailer: createMailer(sink.url, "Jasper <jasper@localhost>") });
      await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
      await h.store.accounts.updateSettings(acme, { billingContacts: ["money@acme.test"] });
      await h.store.accounts.setBudgets(acme, { ...NO_BUDGETS, account: 4, warnAtPercent: 50 });
      const posted: PostedReview[] = [];
      mockReviewCalls(posted, { times: 3 });
      h.startWorkers();
      for (const n of [11, 12, 13]) expect(await h.deliver("pull_request", prEvent(n))).toBe(202);
      await eventually(async () => posted.length === 3 && (await h.pendingJobs()) === 0);
      // 2 of 4 credits is the 50% share: one email, not one per charge past it (the free
      // credits running out sends its low-balance alert besides).
      const warnings = () => sink.received.filter((e) => /budget/.test(e.subject));
      await eventually(async () => warnings().length === 1);
      expect(warnings()[0]!.to).toEqual(["money@acme.test"]);
      expect(warnings()[0]!.subject).toContain("monthly budget is 50% used (2/4 credits");
      expect(await usage()).toHaveLength(3);
    } finally {
      await sink.close();
    }
  });
});
