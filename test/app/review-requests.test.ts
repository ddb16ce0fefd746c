import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import { runMarker } from "../../src/reviews/review-body.js";
import { fixture } from "../support/github.js";
import {
  API,
  fakeGitHub,
  mockReviewCalls,
  useGitHubApi,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * What one review asks GitHub (issue 18: at most 5 requests per review, the check run's writes
 * included): the check run written by the id kept since its creation, the pull request taken
 * from the event, "already posted" answered by Jasper's records; GitHub asked only when they
 * cannot answer.
 */
const acme = toAccountId(9001);
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const REPO = "/repos/Acme-Corp/widgets";

describe("GitHub requests of a review", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const run = async () => (await h.store.runs.listForPullRequest(acme, 501, 12, 10))[0]!;
  const statuses = () => fakeGitHub.checkRunWrites.map((w) => `${w.id} ${w.status}`);

  it("writes the check run queued on acceptance, then in progress, then the outcome, by its id: no lookup, no pull request or reviews read", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });

    await h.deliver("pull_request", fixture("pull_request.opened"));
    // Queued as soon as accepted, before any worker runs; its id kept on the run.
    const [queued] = fakeGitHub.checkRunWrites;
    expect(statuses()).toEqual([`${queued!.id} queued`]);
    expect((await run()).checkRunId).toBe(queued!.id);

    h.startWorkers();
    await eventually(async () => fakeGitHub.checkRunOn(HEAD)?.status === "completed");
    const id = queued!.id;
    expect(statuses()).toEqual([`${id} queued`, `${id} in_progress`, `${id} completed`]);
    expect(fakeGitHub.checkRuns.size).toBe(1);
    expect(fakeGitHub.checkRunLookups).toEqual([]);
    // The event carried the pull request, and the run's record says nothing was posted yet.
    expect(fakeGitHub.fallbackReads).toEqual([]);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.commit_id).toBe(HEAD);
    expect((await run()).status).toBe("posted");
  });

  it("a re-review asks GitHub for Jasper's earlier inline comments only when its records say an earlier review left some", async () => {
    // The first review finds nothing to say on a line; the re-review does.
    const rules = createRuleBasedEngine({ botName: "jasper" });
    let reviews = 0;
    h = await createHarness({
      engine: {
        ...rules,
        review: async (request) => {
          const result = await rules.review(request);
          return ++reviews === 1 ? { ...result, comments: [] } : result;
        },
      },
    });
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12, headSha: "2".repeat(40) });

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await run()).status === "posted");
    expect((await run()).inlineComments).toBe(0);
    await h.deliver("pull_request", fixture("pull_request.synchronize"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    expect(posted[1]!.body.comments!.length).toBeGreaterThan(0);
    expect(fakeGitHub.reviewCommentReads).toBe(0);
    expect((await run()).inlineComments).toBe(posted[1]!.body.comments!.length);

    // A third head: now an earlier review left comments, and GitHub is asked which still stand.
    mockReviewCalls(posted, { number: 12, headSha: "3".repeat(40) });
    const third = fixture("pull_request.synchronize") as { pull_request: { head: object } };
    await h.deliver("pull_request", {
      ...third,
      pull_request: { ...third.pull_request, head: { sha: "3".repeat(40) } },
    });
    await eventually(async () => posted.length === 3 && (await h.pendingJobs()) === 0);
    expect(fakeGitHub.reviewCommentReads).toBe(1);
  });

  it("a retry after a post whose answer was lost asks GitHub, finds the review and does not post it again", async () => {
    h = await createHarness();
    const runKey = `501:12:${HEAD}:0`;
    let posts = 0;
    nock(API)
      .get(new RegExp(`^${REPO}/pulls/12/files(\\?.*)?$`))
      .reply(200, fixture("pulls.files") as unknown as nock.Body)
      // GitHub created the review and its answer was lost: the job fails and is retried.
      .post(`${REPO}/pulls/12/reviews`)
      .reply(() => {
        posts++;
        return [502, { message: "Bad Gateway" }];
      })
      .get(new RegExp(`^${REPO}/pulls/12/reviews(\\?.*)?$`))
      .reply(200, [{ id: 1, body: `A review.\n${runMarker(runKey)}` }]);

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await run()).status === "posted");
    await eventually(async () => fakeGitHub.checkRunOn(HEAD)?.status === "completed");

    expect(posts).toBe(1);
    expect((await run()).postAttemptedAt).toBeInstanceOf(Date);
    expect(fakeGitHub.checkRunOn(HEAD)?.conclusion).toBe("neutral");
    expect(fakeGitHub.checkRunLookups).toEqual([]);
  });

  it("when the job and the records cannot answer (a run the sweep resumed, its check run never written), reads the pull request and looks the check run up, and still reviews right", async () => {
    h = await createHarness();
    // GitHub refuses the check run at acceptance: the run keeps no id.
    fakeGitHub.checkRunFailure = 500;
    await h.deliver("pull_request", fixture("pull_request.opened"));
    fakeGitHub.checkRunFailure = null;
    expect((await run()).checkRunId).toBeNull();
    // A crash between the charge and the queue: the sweep's resume queues a job that carries
    // nothing of the event.
    await h.reviewsQueue.obliterate({ force: true });
    await h.store.runs.transition(acme, (await run()).runKey, ["queued"], "pending");
    expect((await h.jasper.sweep(new Date(Date.now() + 3_600_000))).resumed).toBe(1);

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    h.startWorkers();
    await eventually(async () => fakeGitHub.checkRunOn(HEAD)?.status === "completed");

    expect(fakeGitHub.fallbackReads).toEqual(["pull 12"]);
    // Looked up once; the outcome then goes to the id the lookup found (and the run kept).
    expect(fakeGitHub.checkRunLookups).toEqual([HEAD]);
    const id = fakeGitHub.checkRunOn(HEAD)!.id;
    expect(statuses()).toEqual([`${id} in_progress`, `${id} completed`]);
    expect((await run()).checkRunId).toBe(id);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.commit_id).toBe(HEAD);
    expect(posted[0]!.body.body).toContain("`package-lock.json` (lock file)");
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toHaveLength(1);
  });
});
