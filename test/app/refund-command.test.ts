import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { pullRequestChargeKey, runChargeKey, runKeyOf } from "../../src/reviews/charge-keys.js";
import { fixture } from "../support/github.js";
import {
  mockComments,
  mockOrgMembership,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";
import { claimPendingRun } from "../support/runs.js";

/**
 * `/jasper refund <reason>`: the pull request's author or an admin of the account gives back
 * the credit its review cost, once per review, within 20% of the month's charged credits.
 */
const acme = toAccountId(9001);
const REPO = "Acme-Corp/widgets";
const prRef = (number: number) => ({ repositoryId: 501, repository: REPO, number });

let nextId = 1;
/** A comment on pull request `number` (by default #12, by its author octo-dev, id 77). */
function refundComment(
  body: string,
  {
    number = 12,
    login = "octo-dev",
    userId = 77,
    association = "MEMBER",
    prAuthor = "octo-dev",
  } = {},
) {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    issue: Record<string, unknown> & { user: Record<string, unknown> };
    comment: Record<string, unknown> & { user: Record<string, unknown> };
  };
  return {
    ...payload,
    // Public: anyone may open a pull request, and comment on it.
    repository: { ...(payload.repository as object), private: false },
    issue: {
      ...payload.issue,
      number,
      html_url: `https://github.com/${REPO}/pull/${number}`,
      user: { ...payload.issue.user, login: prAuthor, id: 5000 + number },
    },
    comment: {
      ...payload.comment,
      id: 600_000 + nextId++,
      body,
      author_association: association,
      user: { ...payload.comment.user, login, id: userId },
    },
  };
}

describe("/jasper refund", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const entries = () => h.store.ledger.list(acme, { limit: 100 });
  const refunds = () => h.store.ledger.list(acme, { types: ["refund"], limit: 100 });
  const refundAudits = async () =>
    (await h.jasper.audit.list(acme, { actions: ["refund"] })).entries;
  const balance = async () => (await h.ledger.summary(acme)).balance;

  /** A posted review of pull request `number`, paid as accept-review pays it (per PR). */
  async function seedPostedReview(
    number: number,
    chargeKey = pullRequestChargeKey(prRef(number), 0),
  ) {
    const headSha = `${String(number).padStart(2, "0")}`.repeat(20);
    await h.ledger.charge(acme, {
      action: "review",
      description: `Review of ${REPO}#${number}`,
      reference: {
        kind: "pull_request",
        repository: REPO,
        number,
        url: `https://github.com/${REPO}/pull/${number}`,
        headSha,
      },
      idempotencyKey: chargeKey,
    });
    return claimPendingRun(h.store, acme, prRef(number), headSha, {
      runKey: runKeyOf(prRef(number), headSha, 0),
      status: "posted",
      chargeKey,
    });
  }

  async function funded() {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 20,
      description: "pack",
      idempotencyKey: "buy-1",
    });
  }

  it("refunds the PR author's reviewed pull request once, as that author, whatever the association", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    const comments: PostedComment[] = [];
    mockComments(comments, 2);
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(200);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    const [charge] = await h.store.ledger.list(acme, { types: ["usage"], limit: 10 });
    expect(charge).toBeDefined();
    expect(await balance()).toBe(2);

    // Not a collaborator: a first-time contributor asking about their own pull request.
    const reason = "@acme/reviewers it flagged #12's generated code\n/jasper review";
    const asked = refundComment(`/jasper refund ${reason}`, { association: "NONE" });
    expect(await h.deliver("issue_comment", asked)).toBe(200);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    const [refund, ...more] = await refunds();
    expect(more).toEqual([]);
    expect(refund).toMatchObject({
      refundOf: charge!.id,
      amount: 1,
      refundRequest: {
        userId: 77,
        login: "octo-dev",
        reason: "@acme/reviewers it flagged #12's generated code",
      },
    });
    expect(await balance()).toBe(3);
    const reply = comments[0]!.body;
    expect(reply).toContain("Refunded 1 credit for this pull request's review");
    expect(reply).toContain("Credit balance: **3**");
    // The reason is quoted in code: no mention, reference or command of it is live.
    expect(reply).toContain("`@acme/reviewers it flagged #12's generated code`");
    expect(reply.split("\n").filter((l) => /^\s*[/@]/.test(l))).toEqual([]);

    const [audit, ...moreAudits] = await refundAudits();
    expect(moreAudits).toEqual([]); // not also recorded as the app's
    expect(audit).toMatchObject({
      actor: { kind: "github_user", id: 77, login: "octo-dev" },
      interface: "webhook",
      details: {
        entryId: refund!.id,
        chargeKey: pullRequestChargeKey(prRef(12), 0),
        credits: 1,
        reason: "@acme/reviewers it flagged #12's generated code",
      },
    });

    // GitHub delivers the same comment again: nothing more is written, queued or posted.
    const before = await entries();
    expect(await h.deliver("issue_comment", asked)).toBe(200);
    expect(await h.pendingJobs()).toBe(0);
    expect(await entries()).toEqual(before);

    // Asked again in a new comment: already refunded, and by whom.
    expect(await h.deliver("issue_comment", refundComment("/jasper refund still bad"))).toBe(200);
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
    expect(comments[1]!.body).toContain("already refunded, at the request of `octo-dev`");
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(1);
    expect(comments).toHaveLength(2);
    expect(await h.repliesQueue.getJobCounts("failed")).toEqual({ failed: 0 });
  });

  it("says a review refunded because it failed was already refunded, and refunds nothing more", async () => {
    await funded();
    const run = await seedPostedReview(12);
    await h.ledger.refund(acme, { chargeKey: run.chargeKey! });
    const before = await entries();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);

    await h.deliver("issue_comment", refundComment("/jasper refund meh"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("already refunded automatically");
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(1); // the app's, for the failure
  });

  it("refuses whoever is neither the author nor an account admin, and lets an org admin", async () => {
    await funded();
    await seedPostedReview(12);
    const before = await entries();
    const comments: PostedComment[] = [];
    mockComments(comments, 4);
    mockOrgMembership("Acme-Corp", "gone", 404);
    mockOrgMembership("Acme-Corp", "member-dev", "member");
    mockOrgMembership("Acme-Corp", "boss", "admin");

    // From outside the repository: refused without asking GitHub.
    await h.deliver(
      "issue_comment",
      refundComment("/jasper refund x", { login: "passer-by", userId: 80, association: "NONE" }),
    );
    await h.deliver(
      "issue_comment",
      refundComment("/jasper refund x", { login: "gone", userId: 81 }),
    );
    await h.deliver(
      "issue_comment",
      refundComment("/jasper refund x", { login: "member-dev", userId: 82 }),
    );
    h.startWorkers();
    await eventually(async () => comments.length === 3 && (await h.pendingJobs()) === 0);
    for (const c of comments) {
      expect(c.body).toContain(
        "only the pull request's author or an admin of the account can use `/jasper refund`",
      );
    }
    expect(await entries()).toEqual(before);

    await h.deliver(
      "issue_comment",
      refundComment("/jasper refund noisy", { login: "boss", userId: 83, association: "OWNER" }),
    );
    await eventually(async () => comments.length === 4 && (await h.pendingJobs()) === 0);
    expect(comments[3]!.body).toContain("Refunded 1 credit");
    expect(await refunds()).toMatchObject([
      { refundRequest: { userId: 83, login: "boss", reason: "noisy" } },
    ]);
    expect(await refundAudits()).toMatchObject([
      { actor: { kind: "github_user", id: 83, login: "boss" }, interface: "webhook" },
    ]);
  });

  it("asks for a reason (with the syntax), refuses one too long, and finds nothing to refund on an unreviewed pull request", async () => {
    await funded();
    await seedPostedReview(12);
    const before = await entries();
    const comments: PostedComment[] = [];
    mockComments(comments, 3);

    await h.deliver("issue_comment", refundComment("/jasper refund   "));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    await h.deliver("issue_comment", refundComment(`/jasper refund ${"x".repeat(501)}`));
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
    await h.deliver("issue_comment", refundComment("/jasper refund why", { number: 13 }));
    await eventually(async () => comments.length === 3 && (await h.pendingJobs()) === 0);

    expect(comments[0]!.body).toContain(
      "A refund needs a reason: comment `/jasper refund <reason>`",
    );
    expect(comments[1]!.body).toContain("at most 500 characters");
    expect(comments[2]!.body).toContain("nothing to refund");
    expect(await entries()).toEqual(before);
  });

  it("refunds the newest posted run's own charge under per-run charging", async () => {
    await funded();
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const older = runKeyOf(prRef(12), "a".repeat(40), 0);
    await seedPostedReview(12, runChargeKey(older));
    const newer = await seedPostedReview(
      12,
      runChargeKey(runKeyOf(prRef(12), "1212".repeat(10), 0)),
    );
    const comments: PostedComment[] = [];
    mockComments(comments, 1);

    await h.deliver("issue_comment", refundComment("/jasper refund second one was noise"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    const charge = await h.store.ledger.findByKey(acme, newer.chargeKey!);
    expect(await refunds()).toMatchObject([{ refundOf: charge!.id }]);
  });

  it("stops at 20% of the month's charged credits: past it, says so and writes nothing", async () => {
    await funded();
    for (let n = 1; n <= 10; n++) await seedPostedReview(n);
    const comments: PostedComment[] = [];
    mockComments(comments, 3);
    h.startWorkers();

    const ask = async (n: number) => {
      await h.deliver("issue_comment", refundComment("/jasper refund noise", { number: n }));
      await eventually(async () => comments.length === n && (await h.pendingJobs()) === 0);
    };
    await ask(1);
    await ask(2);
    const before = await entries();
    await ask(3);
    expect(comments[0]!.body).toContain("Refunded 1 credit");
    expect(comments[1]!.body).toContain("Refunded 1 credit");
    expect(comments[2]!.body).toContain("this month's refund allowance of 2 credits is used (2/2)");
    expect(await refunds()).toHaveLength(2);
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(2);
  });
});
