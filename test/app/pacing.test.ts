/**
 * Pacing per installation (issue 9, "Pacing that is fair to every organization"): one
 * installation's burst does not hold back another's answers, chat goes ahead of its own
 * installation's review burst, GitHub's retry-after holds the installation (and only it), and
 * commands and chat are limited per pull request and per account. GitHub's pace is shortened
 * (a slot every 100 ms) so a burst takes seconds; the assertions are on order and counts, with
 * bounds far from the timing they allow.
 */
import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { pino } from "pino";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture } from "../support/github.js";
import { API, mockReviewCalls, useGitHubApi, type PostedReview } from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const INTERVAL_MS = 100;
const PACE = { perMinute: 60_000 / INTERVAL_MS, perHour: 1_000_000 };

let nextId = 1;
/** A comment on a pull request of Acme-Corp (installation 4242) or of Globex (5252). */
function commentEvent(body: string, { org = "acme", number = 12 } = {}) {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    issue: Record<string, unknown>;
    comment: Record<string, unknown>;
    repository: Record<string, unknown> & { owner: Record<string, unknown> };
  };
  const globex = org === "globex";
  return {
    ...payload,
    issue: { ...payload.issue, number },
    comment: { ...payload.comment, id: 600_000 + nextId++, body },
    repository: globex
      ? {
          ...payload.repository,
          id: 777,
          full_name: "Globex/gadgets",
          owner: { ...payload.repository.owner, id: 9002, login: "Globex" },
        }
      : payload.repository,
    installation: { id: globex ? 5252 : 4242 },
  };
}

interface Post {
  repository: string;
  kind: "comment" | "review";
  at: number;
}

/** Comments (and reviews, when counted here) posted on either organization, in order. */
function mockPosts(posts: Post[], times: number): void {
  nock(API)
    .post(/^\/repos\/(Acme-Corp\/widgets|Globex\/gadgets)\/issues\/\d+\/comments$/)
    .times(times)
    .reply(201, (uri) => {
      posts.push({ repository: uri.split("/").slice(2, 4).join("/"), kind: "comment", at: now() });
      return { id: 5_000 + posts.length };
    });
}

function mockGlobexToken(): void {
  nock(API)
    .post("/app/installations/5252/access_tokens")
    .optionally()
    .reply(201, { token: "ghs_globex", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

const now = () => performance.now();

describe("pacing per installation", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  it("one installation's burst of commands does not hold back another's chat answer", async () => {
    h = await createHarness({ pace: PACE, commandsPerHour: 100 });
    mockGlobexToken();
    const posts: Post[] = [];
    mockPosts(posts, 21);
    const BURST = 20;
    for (let i = 0; i < BURST; i++) {
      expect(await h.deliver("issue_comment", commentEvent("/jasper help"))).toBe(202);
    }
    expect(await h.deliver("issue_comment", commentEvent("@jasper hi", { org: "globex" }))).toBe(
      202,
    );
    const started = now();
    h.startWorkers();
    await eventually(
      async () => posts.length === BURST + 1 && (await h.pendingJobs()) === 0,
      30_000,
    );

    const acme = posts.filter((p) => p.repository === "Acme-Corp/widgets");
    const chat = posts.findIndex((p) => p.repository === "Globex/gadgets");
    // Acme-Corp's answers kept its pace: 20 posts, at least 19 intervals from first to last.
    expect(acme).toHaveLength(BURST);
    expect(acme[BURST - 1]!.at - acme[0]!.at).toBeGreaterThanOrEqual(19 * INTERVAL_MS * 0.9);
    // Globex's answer did not wait for them: among the first posts, in the first half of the burst.
    expect(chat).toBeLessThan(BURST / 2);
    expect(posts[chat]!.at - started).toBeLessThan((acme[BURST - 1]!.at - started) / 2);
  });

  it("a chat answer goes ahead of its own installation's review burst", async () => {
    // Reviews book at most 3 slots ahead; chat books at once, behind those only.
    h = await createHarness({ pace: { ...PACE, bulkHorizonMs: 3 * INTERVAL_MS } });
    await h.ledger.grant(toAccountId(9001), {
      type: "purchase",
      amount: 100,
      description: "test",
      idempotencyKey: "pacing-credits",
    });
    const PULLS = 30;
    const reviews: PostedReview[] = [];
    const posts: Post[] = [];
    // The chat (on pull request 99) reads its pull request, files and conversation; mocked
    // first, so that it does not take one of the reviews' answers (nock takes the first match).
    const chatPull = {
      ...(fixture("pull_request.opened").pull_request as Record<string, unknown>),
      number: 99,
    };
    nock(API).get("/repos/Acme-Corp/widgets/pulls/99").optionally().reply(200, chatPull);
    nock(API)
      .get(/^\/repos\/Acme-Corp\/widgets\/(pulls\/99\/files|issues\/99\/comments)(\?.*)?$/)
      .optionally()
      .times(2)
      .reply(200, []);
    mockReviewCalls(reviews, { times: PULLS });
    for (let n = 1; n <= PULLS; n++) {
      const base = fixture("pull_request.opened") as Record<string, unknown> & {
        pull_request: Record<string, unknown>;
      };
      const opened = { ...base, number: n, pull_request: { ...base.pull_request, number: n } };
      expect(await h.deliver("pull_request", opened)).toBe(202);
    }
    mockPosts(posts, 1);
    h.startWorkers();
    // The chat is asked once the reviews have started posting.
    await eventually(() => reviews.length >= 2, 20_000);
    const reviewsBefore = reviews.length;
    expect(await h.deliver("issue_comment", commentEvent("@jasper and now?", { number: 99 }))).toBe(
      202,
    );
    await eventually(() => posts.length === 1, 20_000);
    const reviewsAhead = reviews.length - reviewsBefore;
    await eventually(async () => reviews.length === PULLS && (await h.pendingJobs()) === 0, 30_000);
    // Behind at most the few reviews booked ahead (3), plus one in flight; not all of them.
    expect(reviewsAhead).toBeLessThanOrEqual(6);
    expect(reviewsBefore + reviewsAhead).toBeLessThan(PULLS - 10);
  });

  it("honours retry-after: the installation waits it out, another installation does not", async () => {
    h = await createHarness({ pace: PACE });
    mockGlobexToken();
    const attempts: number[] = [];
    nock(API)
      .post("/repos/Acme-Corp/widgets/issues/12/comments")
      .reply(() => {
        attempts.push(now());
        return [
          403,
          { message: "You have exceeded a secondary rate limit. Please wait a few minutes." },
          { "retry-after": "2" },
        ];
      });
    nock(API)
      .post("/repos/Acme-Corp/widgets/issues/12/comments")
      .reply(201, () => {
        attempts.push(now());
        return { id: 1 };
      });
    const posts: Post[] = [];
    mockPosts(posts, 1);

    await h.deliver("issue_comment", commentEvent("/jasper help"));
    h.startWorkers();
    await eventually(() => attempts.length === 1);
    await h.deliver("issue_comment", commentEvent("/jasper help", { org: "globex" }));
    await eventually(async () => attempts.length === 2 && (await h.pendingJobs()) === 0);

    // Not the job's 50 ms retry delay: GitHub's 2 s (less a margin: the block is kept in wall
    // clock time, the test measures on the monotonic one).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(1_500);
    // Globex was answered while Acme-Corp waited.
    expect(posts).toHaveLength(1);
    expect(posts[0]!.at).toBeLessThan(attempts[1]!);
  });

  it("limits commands per pull request, with a log line and no answer", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
    h = await createHarness({ pace: PACE, commandsPerHour: 2, log });
    const posts: Post[] = [];
    mockPosts(posts, 3);
    for (let i = 0; i < 3; i++) await h.deliver("issue_comment", commentEvent("/jasper help"));
    await h.deliver("issue_comment", commentEvent("/jasper help", { number: 13 }));
    h.startWorkers();
    await eventually(async () => posts.length === 3 && (await h.pendingJobs()) === 0);
    expect(
      lines.filter((l) => l.msg === "command rate limit reached; command ignored"),
    ).toHaveLength(1);
  });

  it("limits chat and commands per account across its pull requests", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
    h = await createHarness({ pace: PACE, repliesPerAccountPerHour: 2, log });
    mockGlobexToken();
    const posts: Post[] = [];
    mockPosts(posts, 3);
    await h.deliver("issue_comment", commentEvent("/jasper help", { number: 12 }));
    await h.deliver("issue_comment", commentEvent("@jasper hello", { number: 13 }));
    await h.deliver("issue_comment", commentEvent("@jasper again", { number: 14 }));
    await h.deliver("issue_comment", commentEvent("/jasper help", { number: 15 }));
    // Another account has its own count.
    await h.deliver("issue_comment", commentEvent("/jasper help", { org: "globex" }));
    h.startWorkers();
    await eventually(async () => posts.length === 3 && (await h.pendingJobs()) === 0);
    expect(posts.filter((p) => p.repository === "Globex/gadgets")).toHaveLength(1);
    expect(lines.filter((l) => l.msg === "chat rate limit reached; mention ignored")).toHaveLength(
      1,
    );
    expect(
      lines.filter((l) => l.msg === "command rate limit reached; command ignored"),
    ).toHaveLength(1);
  });
});
