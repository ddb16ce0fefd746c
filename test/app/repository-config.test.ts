import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { ReviewEngine, ReviewRequest } from "../../src/engine/engine.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import { fixture, pullRequestEvent } from "../support/github.js";
import {
  fakeGitHub,
  mockComments,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const HEAD = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";

const prEvent = (action = "opened", over: Record<string, unknown> = {}, number = 12) =>
  pullRequestEvent(action, number, over);

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

describe("repository configuration (.github/jasper.yml)", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 1000 });
  const runs = (n = 12) => h.store.runs.listForPullRequest(acme, 501, n, 100);
  const check = () => fakeGitHub.checkRunOn(HEAD);
  const repoConfig = (yaml: string) => fakeGitHub.configFiles.set("Acme-Corp/widgets", yaml);
  const orgConfig = (yaml: string) => fakeGitHub.configFiles.set("Acme-Corp/.github", yaml);

  /** Delivers the event; the pull request must not be reviewed or charged, and says why. */
  async function expectSkipped(payload: unknown, reason: string) {
    expect(await h.deliver("pull_request", payload)).toBe(202);
    expect(await runs()).toHaveLength(0);
    expect(await usage()).toHaveLength(0);
    expect(check()).toMatchObject({
      name: "Jasper",
      status: "completed",
      conclusion: "neutral",
      output: { title: `skipped: ${reason}` },
    });
    expect(check()!.output.summary).toContain("nothing was charged");
  }

  /** Delivers the event and waits for the one review it must get. */
  async function expectReviewed(payload: unknown, posted: PostedReview[]) {
    expect(await h.deliver("pull_request", payload)).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(1);
  }

  it("skips drafts by default (check run: skipped: draft); review_drafts: true reviews them", async () => {
    h = await createHarness();
    await expectSkipped(prEvent("opened.draft"), "draft");

    repoConfig("review_drafts: true\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent("opened.draft"), posted);
  });

  it("auto_review: false skips every automatic review", async () => {
    h = await createHarness();
    repoConfig("auto_review: false\n");
    await expectSkipped(prEvent(), "configuration: `auto_review` is off");
  });

  it("base_branches: only pull requests into a matching base are reviewed", async () => {
    h = await createHarness();
    repoConfig("base_branches: ['release/*', 'develop']\n");
    await expectSkipped(prEvent(), "configuration: base branch `main` is not in `base_branches`");

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent("opened", { base: { ref: "release/2.4" } }), posted);
  });

  it("skip_authors: pull requests by a listed author are skipped (any case)", async () => {
    h = await createHarness();
    repoConfig("skip_authors: [Octo-Dev]\n");
    await expectSkipped(prEvent(), "configuration: author `octo-dev` is in `skip_authors`");
  });

  it("skip_labels and required_labels", async () => {
    h = await createHarness();
    repoConfig("skip_labels: [no-review]\nrequired_labels: [ready, needs-review]\n");
    await expectSkipped(
      prEvent("opened", { labels: [{ name: "ready" }, { name: "No-Review" }] }),
      "configuration: label `no-review` is in `skip_labels`",
    );
    await expectSkipped(
      prEvent("opened", { labels: [{ name: "bug" }] }),
      "configuration: none of `required_labels` is on the pull request",
    );

    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent("opened", { labels: [{ name: "needs-review" }] }), posted);
  });

  it("skip_title_keywords: WIP and [skip review] by default, whole words only; a list replaces them", async () => {
    h = await createHarness();
    await expectSkipped(
      prEvent("opened", { title: "WIP: payment retry" }),
      "configuration: the title holds `WIP` (`skip_title_keywords`)",
    );
    await expectSkipped(
      prEvent("opened", { title: "Payment retry [Skip Review]" }),
      "configuration: the title holds `[skip review]` (`skip_title_keywords`)",
    );
    repoConfig("skip_title_keywords: [DO NOT MERGE]\n");
    await expectSkipped(
      prEvent("opened", { title: "do not merge: retry" }),
      "configuration: the title holds `DO NOT MERGE` (`skip_title_keywords`)",
    );

    // "wipe" is not "WIP", and the configured list replaced the default one.
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent("opened", { title: "WIP wipe the cache" }), posted);
  });

  it("review_on_push: false reviews the opened pull request but not later pushes", async () => {
    h = await createHarness();
    repoConfig("review_on_push: false\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);
    await eventually(async () => (await runs())[0]?.status === "posted");

    const push = fixture("pull_request.synchronize");
    expect(await h.deliver("pull_request", push)).toBe(202);
    expect(await runs()).toHaveLength(1);
    const sha = (push.pull_request as { head: { sha: string } }).head.sha;
    expect(fakeGitHub.checkRunOn(sha)?.output.title).toBe(
      "skipped: configuration: `review_on_push` is off",
    );
  });

  it("exclude_paths leaves files out on top of the built-in rules, and the receipt says so", async () => {
    h = await createHarness();
    repoConfig("exclude_paths: ['src/payments/**']\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);

    const review = posted[0]!.body;
    expect(review.body).toContain(
      "`src/payments/retry.ts` (left out by the repository configuration)",
    );
    expect(review.body).toContain("`package-lock.json` (lock file)");
    expect(review.comments?.map((c) => c.path)).toEqual(["config/stripe.ts"]);
    await eventually(() => check()?.status === "completed");
    expect(check()!.output.summary).toBe("Reviewed 1 of 3 files; left out 2: lock files, listed.");
  });

  it("a path the default branch's .gitattributes marks linguist-generated is listed as not reviewed, as generated", async () => {
    const engine = recordingEngine();
    h = await createHarness({ engine });
    fakeGitHub.attributeFiles.set(
      "Acme-Corp/widgets",
      "# linguist\nsrc/payments/** linguist-generated\n*.ts -linguist-vendored\n",
    );
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);

    expect(engine.requests[0]!.diff.files.map((f) => f.filename)).toEqual(["config/stripe.ts"]);
    expect(engine.requests[0]!.diff.skipped).toContainEqual({
      filename: "src/payments/retry.ts",
      reason: "generated",
    });
    expect(posted[0]!.body.body).toContain("`src/payments/retry.ts` (generated)");
    await eventually(() => check()?.status === "completed");
    expect(check()!.output.summary).toBe(
      "Reviewed 1 of 3 files; left out 2: lock files, generated.",
    );
  });

  it("a .gitattributes GitHub will not give is shown on the check run; the review goes on", async () => {
    h = await createHarness();
    fakeGitHub.attributeFailure = 403;
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);
    await eventually(() => check()?.status === "completed");
    expect(JSON.stringify(check()!.output)).toContain(
      ".gitattributes could not be read: GitHub answered 403",
    );
  });

  it("path_instructions and language reach the engine, for the files they match", async () => {
    const engine = recordingEngine();
    h = await createHarness({ engine });
    repoConfig(
      [
        "language: German",
        "path_instructions:",
        "  'src/payments/**': 'Money code: check idempotency keys on every retry.'",
        "  '*.md': Check the spelling.",
      ].join("\n"),
    );
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);

    expect(engine.requests).toHaveLength(1);
    expect(engine.requests[0]!.language).toBe("German");
    expect(engine.requests[0]!.instructions).toEqual([
      {
        pattern: "src/payments/**",
        text: "Money code: check idempotency keys on every retry.",
        files: ["src/payments/retry.ts"],
      },
    ]);
  });

  it("the AI engine's prompt carries the instructions and the language", async () => {
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
            message: { role: "assistant", content: '{"summary":"Gut.","comments":[]}' },
            finish_reason: "stop",
          },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    repoConfig("language: German\npath_instructions:\n  'config/*.ts': Never hard-code keys.\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);
    expect(prompts[0]).toContain("Write the summary and every comment in German.");
    expect(prompts[0]).toContain("- config/*.ts (config/stripe.ts): Never hard-code keys.");
    // Success: the model left no inline comment.
    await eventually(() => check()?.status === "completed");
    expect(check()).toMatchObject({ conclusion: "success", output: { text: "Gut." } });
  });

  it("a file that does not parse: the review runs on the defaults, the check run says what and where", async () => {
    h = await createHarness();
    repoConfig("auto_review: false\nbase_branches: [main\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);

    await eventually(() => check()?.status === "completed");
    const summary = check()!.output.summary;
    expect(summary).toContain("The configuration was not used: the review ran on the defaults.");
    expect(summary).toContain(
      "Configuration could not be parsed from https://api.github.com/repos/Acme-Corp/widgets/contents/.github%2Fjasper.yml (invalid YAML)",
    );
    expect(summary).toMatch(/at line \d+, column \d+/);
  });

  it("unknown keys and wrong types: defaults, and each problem named with its file", async () => {
    h = await createHarness();
    repoConfig("auto_reveiw: false\nreview_drafts: 'yes'\nbase_branches: [release/*]\n");
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    // base_branches would skip it: a broken file is not used at all.
    await expectReviewed(prEvent(), posted);

    await eventually(() => check()?.status === "completed");
    const summary = check()!.output.summary;
    expect(summary).toContain(
      "- Acme-Corp/widgets:.github/jasper.yml: unknown key `auto_reveiw` (known keys: auto_review,",
    );
    expect(summary).toContain(
      "- Acme-Corp/widgets:.github/jasper.yml: `review_drafts`: Invalid input: expected boolean, received string",
    );
  });

  it("the organization's .github repository gives defaults; a repository file that extends it overrides them key by key", async () => {
    h = await createHarness();
    orgConfig("base_branches: [release/*]\nskip_labels: [no-review]\n");
    // No file in the repository: the organization's applies.
    await expectSkipped(prEvent(), "configuration: base branch `main` is not in `base_branches`");

    // The repository's own file extends the organization's and overrides one key.
    repoConfig("_extends: .github\nbase_branches: [main]\n");
    await expectSkipped(
      prEvent("opened", { labels: [{ name: "no-review" }] }),
      "configuration: label `no-review` is in `skip_labels`",
    );
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);
  });

  it("block_merge: true makes a review with findings fail its check run; off it is neutral", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    await expectReviewed(prEvent(), posted);
    await eventually(() => check()?.status === "completed");
    expect(check()!.conclusion).toBe("neutral");
    await h.close();

    h = await createHarness();
    repoConfig("block_merge: true\n");
    fakeGitHub.checkRuns.clear();
    const again: PostedReview[] = [];
    mockReviewCalls(again, { number: 12 });
    await expectReviewed(prEvent(), again);
    await eventually(() => check()?.status === "completed");
    expect(check()!.conclusion).toBe("failure");
  });
});

describe("the Jasper check run", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const check = () => fakeGitHub.checkRunOn(HEAD);

  it("posted: queued, in progress, then completed with the summary and the coverage receipt", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", prEvent())).toBe(202);
    expect(check()).toMatchObject({ status: "queued", output: { title: "queued" } });

    h.startWorkers();
    await eventually(async () => check()?.status === "completed" && (await h.pendingJobs()) === 0);
    // One check run on the commit, updated through its states.
    expect(fakeGitHub.checkRuns.size).toBe(1);
    expect(fakeGitHub.checkRunWrites.map((w) => w.status)).toEqual([
      "queued",
      "in_progress",
      "completed",
    ]);
    const done = check()!;
    expect(done.conclusion).toBe("neutral");
    expect(done.output.title).toMatch(/^reviewed: \d+ inline comments?$/);
    expect(done.output.summary).toBe("Reviewed 2 of 3 files; left out 1: lock files.");
    expect(done.output.text).toContain("possible problem");
    expect(posted[0]!.body.body).toContain(
      "Coverage: reviewed 2 of 3 files; left out 1: lock files.",
    );
  });

  it("paused: neutral, the balance is 0, with the link to buy credits; the paused comment still goes out once", async () => {
    h = await createHarness();
    await h.ledger.ensureFreeTier(acme);
    for (const key of ["a", "b", "c"]) {
      await h.ledger.charge(acme, {
        action: "review",
        description: "earlier",
        idempotencyKey: key,
      });
    }
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    expect(await h.deliver("pull_request", prEvent())).toBe(202);
    expect(check()).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      output: { title: "paused: the balance is 0" },
    });
    expect(check()!.output.summary).toContain("https://jasper.example/billing");
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
  });

  it("skipped: closed", async () => {
    h = await createHarness();
    expect(await h.deliver("pull_request", prEvent("opened", { state: "closed" }))).toBe(202);
    expect(check()).toMatchObject({ conclusion: "neutral", output: { title: "skipped: closed" } });
  });

  it("failed: only when the review failed, and it says the credit was refunded", async () => {
    nock("http://ai.test")
      .post("/v1/chat/completions")
      .times(4)
      .reply(500, { error: { message: "down" } });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    mockReviewCalls([], { number: 12, times: 4, post: false });
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    expect(await h.deliver("pull_request", prEvent())).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(check()).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "failed: the AI provider answered HTTP 500" },
    });
    expect(check()!.output.summary).toContain("The credit it cost has been refunded.");
  });

  it("a check run GitHub refuses never stops the review", async () => {
    h = await createHarness();
    fakeGitHub.checkRunFailure = 403;
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", prEvent())).toBe(202);
    h.startWorkers();
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
    expect(fakeGitHub.checkRuns.size).toBe(0);
  });
});
