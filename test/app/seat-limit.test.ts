import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { pauseCauseOf } from "../../src/reviews/pause-reasons.js";
import { BUDGET_NOTICE_MARKER } from "../../src/voice/voice.js";
import { pullRequestEvent } from "../support/github.js";
import {
  fakeGitHub,
  mockComments,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * A plan's seat limit stops a review like a budget: a pull request by an author who would be
 * one more seat than the plan allows this billing month is not charged, its check run says so
 * and who can raise it (an admin, by changing the plan), the pull request gets one comment,
 * and the stopped review is listed with the others. Authors already reviewed this month keep
 * being reviewed.
 */
const acme = toAccountId(9001);
const HEAD_11 = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const HEAD_12 = "2222222222222222222222222222222222222222";
const HEAD_13 = "3333333333333333333333333333333333333333";
const DAY = 86_400_000;
const PLANS = JSON.stringify([
  {
    id: "pro",
    name: "Pro",
    creditsPerMonth: 200,
    monthlyCents: 4900,
    annualCents: 49000,
    seatLimit: 1,
  },
]);

const prEvent = (number: number, head: string, author: string) => {
  const payload = pullRequestEvent("opened", number);
  const pull = payload.pull_request as Record<string, unknown>;
  return {
    ...payload,
    pull_request: {
      ...pull,
      head: { ...(pull.head as object), sha: head },
      user: { ...(pull.user as object), login: author },
    },
  };
};

describe("the plan's seat limit on pull requests", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 100 });

  async function onPlan(plan: "pro" | null) {
    h = await createHarness({ env: { PLANS } });
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 50,
      description: "credits",
      idempotencyKey: "buy-50",
    });
    if (!plan) return;
    const now = Date.now();
    await h.store.subscriptions.put({
      accountId: acme,
      customerId: "cus_acme",
      subscriptionId: "sub_acme",
      plan,
      interval: "month",
      status: "active",
      currentPeriodStart: new Date(now - 10 * DAY),
      currentPeriodEnd: new Date(now + 20 * DAY),
      cancelAtPeriodEnd: false,
      updatedAt: new Date(now),
    });
  }

  /** Reviews PR `number` by `author` to the end; its review posted. */
  async function reviewed(number: number, head: string, author: string) {
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number, headSha: head });
    expect(await h.deliver("pull_request", prEvent(number, head, author))).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
  }

  it("reviews the seat's author again, and stops a new author past the limit: check run, one comment, nothing charged, listed", async () => {
    await onPlan("pro");
    h.startWorkers();
    await reviewed(11, HEAD_11, "octo-dev");
    // The same person (another case) holds the seat already: reviewed.
    await reviewed(13, HEAD_13, "Octo-Dev");
    expect(await usage()).toHaveLength(2);

    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    expect(await h.deliver("pull_request", prEvent(12, HEAD_12, "newcomer"))).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(2);
    const run = fakeGitHub.checkRunOn(HEAD_12)!;
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(run.output.title).toBe(
      "paused: the plan's limit of 1 seat (pull request authors reviewed this billing month) is reached (1/1), and `newcomer` would be one more",
    );
    expect(run.output.summary).toContain("nothing was charged");
    expect(run.output.summary).toContain(
      "An admin of the account can raise it by changing the plan on the Plan page (https://jasper.example/billing/plan)",
    );
    expect(comments[0]).toMatchObject({ number: 12 });
    expect(comments[0]!.body).toContain(BUDGET_NOTICE_MARKER);
    expect(comments[0]!.body).toContain("`newcomer` would be one more");
    // Listed with the stopped reviews (the dashboard's "Reviews stopped this month").
    const paused = await h.store.runs.listPaused(acme, new Date(0), 10);
    expect(paused.map((r) => [r.pr.number, pauseCauseOf(r.reason)])).toEqual([[12, "seats"]]);
  });

  it("limits nothing without a subscription (Free has no seat limit)", async () => {
    await onPlan(null);
    h.startWorkers();
    await reviewed(11, HEAD_11, "octo-dev");
    await reviewed(12, HEAD_12, "newcomer");
    expect(await usage()).toHaveLength(2);
  });
});
