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

  /** The bot's comments; `funded` mocks as many as a test expects. */
  let comments: PostedComment[];

  /** Delivers a comment and waits for the bot's one reply to it; returns that reply. */
  async function replyTo(body: string, who: Parameters<typeof refundComment>[1] = {}) {
    const n = comments.length + 1;
    expect(await h.deliver("issue_comment", refundComment(body, who))).toBe(202);
    await eventually(async () => comments.length === n && (await h.pendingJobs()) === 0);
    return comments[n - 1]!.body;
  }

  /** An organization with 20 purchased credits, its workers running, `replies` comments mocked. */
  async function funded(replies: number) {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.ledger.grant(acme, {
      type: "purchase",
      amount: 20,
      description: "pack",
      idempotencyKey: "buy-1",
    });
    comments = [];
    mockComments(comments, replies);
    h.startWorkers();
  }

  it("refunds the PR author's reviewed pull request once, as that author, whatever the association", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    comments = [];
    mockComments(comments, 2);
    expect(await h.deliver("pull_request", fixture("pull_request.opened"))).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    const [charge] = await h.store.ledger.list(acme, { types: ["usage"], limit: 10 });
    expect(charge).toBeDefined();
    expect(await balance()).toBe(2);

    // Not a collaborator: a first-time contributor asking about their own pull request.
    const reason = "@acme/reviewers it flagged #12's generated code";
    const command = `/jasper refund ${reason}\n/jasper review`;
    const asked = refundComment(command, { association: "NONE" });
    expect(await h.deliver("issue_comment", asked)).toBe(202);
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    const [refund, ...more] = await refunds();
    expect(more).toEqual([]);
    expect(refund).toMatchObject({
      refundOf: charge!.id,
      amount: 1,
      refundRequest: { userId: 77, login: "octo-dev", reason },
    });
    expect(await balance()).toBe(3);
    const reply = comments[0]!.body;
    expect(reply).toContain("Refunded 1 credit for this pull request's review");
    expect(reply).toContain("Credit balance: **3**");
    // The reason is quoted in code: no mention, reference or command of it is live.
    expect(reply).toContain(`\`${reason}\``);
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
        reason,
      },
    });

    // GitHub delivers the same comment again: nothing more is written, queued or posted.
    const before = await entries();
    expect(await h.deliver("issue_comment", asked)).toBe(202);
    expect(await h.pendingJobs()).toBe(0);
    expect(await entries()).toEqual(before);

    // Asked again in a new comment: already refunded, and by whom.
    expect(await replyTo("/jasper refund still bad")).toContain(
      "already refunded, at the request of `octo-dev`",
    );
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(1);
    expect(comments).toHaveLength(2);
    expect(await h.repliesQueue.getJobCounts("failed")).toEqual({ failed: 0 });
  });

  it("says a review refunded because it failed was already refunded, and refunds nothing more", async () => {
    await funded(1);
    const run = await seedPostedReview(12);
    await h.ledger.refund(acme, { chargeKey: run.chargeKey! });
    const before = await entries();

    expect(await replyTo("/jasper refund meh")).toContain("already refunded automatically");
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(1); // the app's, for the failure
  });

  it("refuses whoever is neither the author nor an account admin, and lets an org admin", async () => {
    await funded(4);
    await seedPostedReview(12);
    const before = await entries();
    mockOrgMembership("Acme-Corp", "gone", 404);
    mockOrgMembership("Acme-Corp", "member-dev", "member");
    mockOrgMembership("Acme-Corp", "boss", "admin");

    const refused =
      "only the pull request's author or an admin of the account can use `/jasper refund`";
    // From outside the repository: refused without asking GitHub (no membership mocked).
    for (const who of [
      { login: "passer-by", userId: 80, association: "NONE" },
      { login: "gone", userId: 81 },
      { login: "member-dev", userId: 82 },
    ]) {
      expect(await replyTo("/jasper refund x", who)).toContain(refused);
    }
    expect(await entries()).toEqual(before);

    const boss = { login: "boss", userId: 83, association: "OWNER" };
    expect(await replyTo("/jasper refund noisy", boss)).toContain("Refunded 1 credit");
    expect(await refunds()).toMatchObject([
      { refundRequest: { userId: 83, login: "boss", reason: "noisy" } },
    ]);
    expect(await refundAudits()).toMatchObject([
      { actor: { kind: "github_user", id: 83, login: "boss" }, interface: "webhook" },
    ]);
  });

  it("asks for a reason (with the syntax), refuses one too long, and finds nothing to refund on an unreviewed pull request", async () => {
    await funded(3);
    await seedPostedReview(12);
    const before = await entries();

    expect(await replyTo("/jasper refund   ")).toContain(
      "A refund needs a reason: comment `/jasper refund <reason>`",
    );
    expect(await replyTo(`/jasper refund ${"x".repeat(501)}`)).toContain("at most 500 characters");
    expect(await replyTo("/jasper refund why", { number: 13 })).toContain("nothing to refund");
    expect(await entries()).toEqual(before);
  });

  it("refunds the newest posted run's own charge under per-run charging", async () => {
    await funded(1);
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    await seedPostedReview(12, runChargeKey(runKeyOf(prRef(12), "a".repeat(40), 0)));
    const newer = await seedPostedReview(
      12,
      runChargeKey(runKeyOf(prRef(12), "1212".repeat(10), 0)),
    );

    expect(await replyTo("/jasper refund second one was noise")).toContain("Refunded 1 credit");
    const charge = await h.store.ledger.findByKey(acme, newer.chargeKey!);
    expect(await refunds()).toMatchObject([{ refundOf: charge!.id }]);
  });

  it("stops at 20% of the month's charged credits: past it, says so and writes nothing", async () => {
    await funded(3);
    for (let n = 1; n <= 10; n++) await seedPostedReview(n);
    const ask = (number: number) => replyTo("/jasper refund noise", { number });

    expect(await ask(1)).toContain("Refunded 1 credit");
    expect(await ask(2)).toContain("Refunded 1 credit");
    const before = await entries();
    expect(await ask(3)).toContain("this month's refund allowance of 2 credits is used (2/2)");
    expect(await refunds()).toHaveLength(2);
    expect(await entries()).toEqual(before);
    expect(await refundAudits()).toHaveLength(2);
  });
});
