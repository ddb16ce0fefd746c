import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture } from "../support/github.js";
import {
  API,
  fakeGitHub,
  mockReviewCalls,
  useGitHubApi,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const REPO = "/repos/Acme-Corp/widgets";

describe("re-reviews and what a review claims to have seen", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const runs = () => h.store.runs.listForPullRequest(acme, 501, 12, 10);

  it("a re-review on push does not repeat an inline comment an earlier review made on an unchanged line", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12, headSha: "2".repeat(40) });

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");
    const first = posted[0]!.body.comments!;
    expect(first.length).toBeGreaterThan(1);
    // GitHub lists the first review's comments: all on unchanged lines but the first, whose
    // line changed (outdated: no line any more); and one by someone else on the same line.
    fakeGitHub.reviewComments = [
      ...first.map((c, i) => ({
        path: c.path,
        line: i === 0 ? null : c.line,
        user: { login: "jasper[bot]" },
        body: c.body,
      })),
      { path: first[0]!.path, line: first[0]!.line, user: { login: "octo-dev" }, body: "+1" },
    ];

    await h.deliver("pull_request", fixture("pull_request.synchronize"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    const again = posted[1]!.body;
    expect(again.comments?.map((c) => `${c.path}:${c.line}`)).toEqual([
      `${first[0]!.path}:${first[0]!.line}`,
    ]);
    const repeats = first.length - 1;
    expect(again.body).toContain(
      `${repeats} comment${repeats === 1 ? "" : "s"} on lines an earlier review already commented on, unchanged since, not repeated.`,
    );
    expect(again.body).toContain("Incremental re-review");
  });

  it("a re-review on push reads only the files changed since the last review; a head GitHub cannot compare reads them all", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    const second = "2".repeat(40);
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12, headSha: second });
    nock(API)
      .get(`${REPO}/compare/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c...${second}`)
      .query(true)
      .reply(200, { files: [{ filename: "src/payments/retry.ts", status: "modified" }] });

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");
    await h.deliver("pull_request", fixture("pull_request.synchronize"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    const again = posted[1]!.body;
    expect(again.body).toContain("`config/stripe.ts` (unchanged since the last review)");
    expect(again.body).toContain(
      "Coverage: reviewed 1 of 3 files; left out 2: lock files, unchanged since the last review.",
    );
    expect(again.comments?.map((c) => c.path)).toEqual(["src/payments/retry.ts"]);
  });

  it("a pull request past GitHub's 3,000-file list says the rest were never seen", async () => {
    h = await createHarness();
    const base = fixture("pull_request.opened").pull_request as Record<string, unknown>;
    const reviews: PostedReview["body"][] = [];
    // GitHub's count comes with the event: the review does not read the pull request again.
    nock(API)
      .get(new RegExp(`^${REPO}/pulls/12/files(\\?.*)?$`))
      .reply(200, fixture("pulls.files") as unknown as nock.Body)
      .post(`${REPO}/pulls/12/reviews`)
      .reply(200, (_uri, body) => {
        reviews.push(body as PostedReview["body"]);
        return { id: 1 };
      });
    await h.deliver("pull_request", {
      ...fixture("pull_request.opened"),
      pull_request: { ...base, changed_files: 3_400 },
    });
    h.startWorkers();
    await eventually(async () => reviews.length === 1 && (await h.pendingJobs()) === 0);
    const receipt =
      "reviewed 2 of 3400 files; left out 1: lock files; GitHub lists at most 3,000 files of a pull request: 3397 more were never seen";
    expect(reviews[0]!.body).toContain(`Coverage: ${receipt}.`);
    await eventually(
      () =>
        fakeGitHub.checkRunOn("1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c")?.status === "completed",
    );
    expect(fakeGitHub.checkRunOn("1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c")!.output.summary).toBe(
      `R${receipt.slice(1)}.`,
    );
  });
});
