import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { PermanentError } from "../../src/shared/errors.js";
import { createGitHubHost } from "../../src/github/github-host.js";
import { API, fakeGitHub, useGitHubApi } from "../support/github-api.js";
import { testProbot } from "../support/github.js";

const REPO = "/repos/Acme-Corp/widgets";
const pr = { installationId: 4242, repository: "Acme-Corp/widgets", number: 12 };
const review = {
  commitSha: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c",
  body: "Looks fine.",
  comments: [{ path: "src/a.ts", line: 3, body: "A nit." }],
  fallbackBody: "Looks fine.\n\n- `src/a.ts:3`: A nit.",
};

describe("the GitHub pull request host", () => {
  const host = createGitHubHost(testProbot());
  useGitHubApi(async () => {});

  it("maps a pull request and its files to what the use cases read", async () => {
    nock(API)
      .get(`${REPO}/pulls/12`)
      .reply(200, {
        state: "open",
        title: "Add retry",
        body: null,
        head: { sha: review.commitSha },
        html_url: "https://github.com/Acme-Corp/widgets/pull/12",
      });
    nock(API)
      .get(`${REPO}/pulls/12/files`)
      .query({ per_page: 100 })
      .reply(200, [
        {
          filename: "src/b.ts",
          previous_filename: "src/a.ts",
          status: "renamed",
          additions: 1,
          deletions: 0,
          patch: "@@ -1 +1 @@",
        },
      ]);

    expect(await host.getPullRequest(pr)).toEqual({
      state: "open",
      title: "Add retry",
      body: "",
      headSha: review.commitSha,
      url: "https://github.com/Acme-Corp/widgets/pull/12",
    });
    expect(await host.listChangedFiles(pr)).toEqual([
      {
        filename: "src/b.ts",
        previousFilename: "src/a.ts",
        status: "renamed",
        additions: 1,
        deletions: 0,
        patch: "@@ -1 +1 @@",
      },
    ]);
  });

  // A 401 on an API call is retried by Probot's auth for a few seconds (a fresh token may not
  // have replicated yet), so 401 is checked on the token request below.
  it.each([403, 404, 410])("turns GitHub's %i into a PermanentError", async (status) => {
    nock(API).get(`${REPO}/pulls/12`).reply(status, { message: "no" });
    const err = await host.getPullRequest(pr).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe(`GitHub answered ${status}`);
  });

  it("leaves other errors as they are, to be retried", async () => {
    nock(API).post(`${REPO}/issues/12/comments`).reply(502, { message: "bad gateway" });
    const err = await host.postComment(pr, "hello").catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PermanentError);
    expect((err as { status?: number }).status).toBe(502);
  });

  it.each([401, 404])(
    "is permanent when GitHub refuses the installation a token (%i)",
    async (status) => {
      nock(API).post("/app/installations/5151/access_tokens").reply(status, { message: "no" });
      const gone = { ...pr, installationId: 5151 };
      const err = await host.postComment(gone, "hello").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as Error).message).toBe(`GitHub answered ${status}`);
    },
  );

  it("posts the fallback body without inline comments when GitHub refuses them (422)", async () => {
    const sent: Record<string, unknown>[] = [];
    nock(API)
      .post(`${REPO}/pulls/12/reviews`)
      .times(2)
      .reply((_uri, body) => {
        sent.push(body as Record<string, unknown>);
        return sent.length === 1 ? [422, { message: "Line could not be resolved" }] : [200, {}];
      });

    await host.postReview(pr, review);
    expect(sent).toEqual([
      {
        commit_id: review.commitSha,
        event: "COMMENT",
        body: review.body,
        comments: [{ path: "src/a.ts", line: 3, side: "RIGHT", body: "A nit." }],
      },
      { commit_id: review.commitSha, event: "COMMENT", body: review.fallbackBody },
    ]);
  });

  it("posts a range of lines as a multi-line comment on the right side", async () => {
    const sent: Record<string, unknown>[] = [];
    nock(API)
      .post(`${REPO}/pulls/12/reviews`)
      .reply(200, (_uri, body) => {
        sent.push(body as Record<string, unknown>);
        return {};
      });

    await host.postReview(pr, {
      ...review,
      comments: [{ path: "src/a.ts", startLine: 2, line: 4, body: "These three." }],
    });
    expect(sent[0]!.comments).toEqual([
      {
        path: "src/a.ts",
        start_line: 2,
        start_side: "RIGHT",
        line: 4,
        side: "RIGHT",
        body: "These three.",
      },
    ]);
  });

  it("does not hide a 422 on a review without inline comments", async () => {
    nock(API).post(`${REPO}/pulls/12/reviews`).reply(422, { message: "Unprocessable" });
    const err = await host.postReview(pr, { ...review, comments: [] }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(422);
  });

  it("finds a review or a comment by its marker", async () => {
    nock(API)
      .get(`${REPO}/pulls/12/reviews`)
      .query(true)
      .reply(200, [
        { id: 1, body: "old" },
        { id: 2, body: "x <!-- m -->" },
      ]);
    nock(API)
      .get(`${REPO}/issues/12/comments`)
      .query(true)
      .times(2)
      .reply(200, [
        { id: 7, body: "hi" },
        { id: 8, body: "<!-- m -->" },
      ]);

    expect(await host.hasReviewWithMarker(pr, "<!-- m -->")).toBe(true);
    expect(await host.findCommentWithMarker(pr, "<!-- m -->")).toBe(8);
    expect(await host.findCommentWithMarker(pr, "<!-- other -->")).toBeNull();
  });
});

describe("creating requests are never retried by the client", () => {
  // Octokit's retry plugin on, as in production (testProbot turns it off).
  const host = createGitHubHost(testProbot(undefined, { retries: true }));
  useGitHubApi(async () => {});

  it("a review GitHub created but answered 502 for is posted once; the error reaches the job", async () => {
    let posts = 0;
    nock(API)
      .post(`${REPO}/pulls/12/reviews`)
      .times(2)
      .optionally()
      .reply(() => {
        posts++;
        return [502, { message: "Bad Gateway" }];
      });
    await expect(host.postReview(pr, review)).rejects.toMatchObject({ status: 502 });
    expect(posts).toBe(1);
    nock.cleanAll();
  });

  it("a comment likewise", async () => {
    let posts = 0;
    nock(API)
      .post(`${REPO}/issues/12/comments`)
      .times(2)
      .optionally()
      .reply(() => {
        posts++;
        return [502, { message: "Bad Gateway" }];
      });
    await expect(host.postComment(pr, "hello")).rejects.toMatchObject({ status: 502 });
    expect(posts).toBe(1);
    nock.cleanAll();
  });

  it("reads are still retried", async () => {
    nock(API).get(`${REPO}/pulls/12`).reply(502, { message: "Bad Gateway" });
    nock(API)
      .get(`${REPO}/pulls/12`)
      .reply(200, {
        state: "open",
        title: "t",
        body: "",
        head: { sha: review.commitSha },
        html_url: "u",
      });
    expect((await host.getPullRequest(pr)).headSha).toBe(review.commitSha);
  });
});

describe("the repository configuration through the host", () => {
  useGitHubApi(async () => {});

  it("reads the chain with Probot's loader, each file named, and keeps it for configCacheMs", async () => {
    const host = createGitHubHost(testProbot(), "jasper[bot]", { configCacheMs: 60_000 });
    fakeGitHub.configFiles.set("Acme-Corp/.github", "language: French\n");
    const read = await host.readConfig(pr);
    expect(read).toEqual({
      files: [
        { source: "Acme-Corp/widgets:.github/jasper.yml", content: null },
        { source: "Acme-Corp/.github:.github/jasper.yml", content: { language: "French" } },
      ],
      error: null,
    });
    // Changed on GitHub, but read again only once the cache has expired.
    fakeGitHub.configFiles.set("Acme-Corp/widgets", "language: German\n");
    expect(await host.readConfig(pr)).toEqual(read);
    const fresh = createGitHubHost(testProbot());
    expect((await fresh.readConfig(pr)).files[0]!.content).toEqual({ language: "German" });
  });

  it("a burst of 50 pull requests in one repository reads each file once", async () => {
    const host = createGitHubHost(testProbot(), "jasper[bot]", { configCacheMs: 60_000 });
    fakeGitHub.configFiles.set("Acme-Corp/.github", "language: French\n");
    const reads = await Promise.all(
      Array.from({ length: 50 }, (_, i) => host.readConfig({ ...pr, number: i + 1 })),
    );
    for (const read of reads) expect(read.files[1]!.content).toEqual({ language: "French" });
    // The repository has no file (a 404, kept as well) and the organization's is shared.
    expect(fakeGitHub.configReads).toEqual([
      { repository: "Acme-Corp/widgets", status: 404 },
      { repository: "Acme-Corp/.github", status: 200 },
    ]);
    // Another repository of the organization reads only its own file.
    await host.readConfig({ ...pr, repository: "Acme-Corp/gadgets" });
    expect(fakeGitHub.configReads.slice(2)).toEqual([
      { repository: "Acme-Corp/gadgets", status: 404 },
    ]);
  });

  it("after the cache's time asks whether a file changed: a 304 is a hit, a change is seen", async () => {
    let clock = 1_000_000;
    const host = createGitHubHost(testProbot(), "jasper[bot]", {
      configCacheMs: 30_000,
      now: () => clock,
    });
    fakeGitHub.configFiles.set("Acme-Corp/widgets", "language: French\n");
    const first = await host.readConfig(pr);
    expect(first.files[0]!.content).toEqual({ language: "French" });
    clock += 30_001;
    expect(await host.readConfig(pr)).toEqual(first);
    expect(fakeGitHub.configReads.map((r) => r.status)).toEqual([200, 304]);
    // Kept for another cache's time: changed on GitHub meanwhile, not asked yet.
    fakeGitHub.configFiles.set("Acme-Corp/widgets", "language: German\n");
    clock += 29_000;
    expect(await host.readConfig(pr)).toEqual(first);
    expect(fakeGitHub.configReads).toHaveLength(2);
    clock += 1_001;
    expect((await host.readConfig(pr)).files[0]!.content).toEqual({ language: "German" });
    expect(fakeGitHub.configReads.map((r) => r.status)).toEqual([200, 304, 200]);
  });

  it("a file added where there was none is seen after the cache's time", async () => {
    let clock = 1_000_000;
    const host = createGitHubHost(testProbot(), "jasper[bot]", {
      configCacheMs: 30_000,
      now: () => clock,
    });
    expect((await host.readConfig(pr)).files.every((f) => f.content === null)).toBe(true);
    fakeGitHub.configFiles.set("Acme-Corp/widgets", "language: German\n");
    expect((await host.readConfig(pr)).files.every((f) => f.content === null)).toBe(true);
    clock += 30_001;
    expect((await host.readConfig(pr)).files[0]!.content).toEqual({ language: "German" });
  });

  it("a configuration GitHub will not give is an error to show, not a throw", async () => {
    const host = createGitHubHost(testProbot());
    // The fake GitHub's persisted answers would come first: this test has its own.
    nock.cleanAll();
    nock(API)
      .post("/app/installations/4242/access_tokens")
      .optionally()
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    nock(API)
      .get(/^\/repos\/Acme-Corp\/widgets\/contents\//)
      .reply(500, { message: "boom" });
    expect(await host.readConfig(pr)).toEqual({
      files: [],
      error: ".github/jasper.yml could not be read: GitHub answered 500",
    });
  });
});

describe("the repository's .gitattributes through the host", () => {
  useGitHubApi(async () => {});

  it("reads the default branch's file through the configuration's cache: a burst asks once, a missing file is kept too", async () => {
    const host = createGitHubHost(testProbot(), "jasper[bot]", { configCacheMs: 60_000 });
    fakeGitHub.attributeFiles.set("Acme-Corp/widgets", "dist/** linguist-generated\n");
    const reads = await Promise.all(
      Array.from({ length: 20 }, (_, i) => host.readAttributes({ ...pr, number: i + 1 })),
    );
    for (const read of reads) {
      expect(read).toEqual({ text: "dist/** linguist-generated\n", error: null });
    }
    expect(await host.readAttributes({ ...pr, repository: "Acme-Corp/gadgets" })).toEqual({
      text: null,
      error: null,
    });
    expect(await host.readAttributes({ ...pr, repository: "Acme-Corp/gadgets" })).toEqual({
      text: null,
      error: null,
    });
    expect(fakeGitHub.attributeReads).toEqual([
      { repository: "Acme-Corp/widgets", status: 200 },
      { repository: "Acme-Corp/gadgets", status: 404 },
    ]);
    // The configuration files are cached on their own keys: reading them asks GitHub.
    await host.readConfig(pr);
    expect(fakeGitHub.configReads).toHaveLength(2);
  });

  it("after the cache's time asks with the ETag: a 304 keeps the text, a change is seen", async () => {
    let clock = 1_000_000;
    const host = createGitHubHost(testProbot(), "jasper[bot]", {
      configCacheMs: 30_000,
      now: () => clock,
    });
    fakeGitHub.attributeFiles.set("Acme-Corp/widgets", "vendor/** linguist-vendored\n");
    expect((await host.readAttributes(pr)).text).toBe("vendor/** linguist-vendored\n");
    clock += 30_001;
    expect((await host.readAttributes(pr)).text).toBe("vendor/** linguist-vendored\n");
    fakeGitHub.attributeFiles.set("Acme-Corp/widgets", "lib/** linguist-generated\n");
    clock += 30_001;
    expect((await host.readAttributes(pr)).text).toBe("lib/** linguist-generated\n");
    expect(fakeGitHub.attributeReads.map((r) => r.status)).toEqual([200, 304, 200]);
  });

  it("a file GitHub will not give is an error to show, not a throw", async () => {
    const host = createGitHubHost(testProbot());
    nock.cleanAll();
    nock(API)
      .post("/app/installations/4242/access_tokens")
      .optionally()
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    nock(API).get(`${REPO}/contents/.gitattributes`).reply(403, { message: "no" });
    expect(await host.readAttributes(pr)).toEqual({
      text: null,
      error: ".gitattributes could not be read: GitHub answered 403",
    });
  });
});

describe("the check run through the host", () => {
  useGitHubApi(async () => {});
  const sha = "2a3b4c5d6e7f80912a3b4c5d6e7f80912a3b4c5d";
  const report = (status: "queued" | "in_progress" | "completed") => ({
    headSha: sha,
    externalId: "run-1",
    status,
    title: status,
    summary: status,
    ...(status === "completed" ? { conclusion: "success" as const } : {}),
  });

  it("keeps the id of the check run it created: no lookup by ref for its updates", async () => {
    const host = createGitHubHost(testProbot());
    await host.upsertCheckRun(pr, report("queued"));
    await host.upsertCheckRun(pr, report("in_progress"));
    await host.upsertCheckRun(pr, report("completed"));
    // Looked up once, before the commit had one: created, then updated by its id.
    expect(fakeGitHub.checkRunLookups).toEqual([sha]);
    expect(fakeGitHub.checkRuns.size).toBe(1);
    expect(fakeGitHub.checkRunWrites.map((w) => w.status)).toEqual([
      "queued",
      "in_progress",
      "completed",
    ]);
  });

  it("another process (or this one after a restart) finds the commit's check run by ref", async () => {
    await createGitHubHost(testProbot()).upsertCheckRun(pr, report("queued"));
    const other = createGitHubHost(testProbot());
    await other.upsertCheckRun(pr, report("in_progress"));
    await other.upsertCheckRun(pr, report("completed"));
    expect(fakeGitHub.checkRunLookups).toEqual([sha, sha]);
    expect(fakeGitHub.checkRuns.size).toBe(1);
    expect(fakeGitHub.checkRunOn(sha)?.status).toBe("completed");
  });

  it("a run's check run: created without a lookup, then written by the id the run kept, in any process", async () => {
    const id = await createGitHubHost(testProbot()).upsertCheckRun(pr, {
      ...report("queued"),
      create: true,
    });
    const other = createGitHubHost(testProbot());
    expect(await other.upsertCheckRun(pr, { ...report("in_progress"), checkRunId: id })).toBe(id);
    expect(await other.upsertCheckRun(pr, { ...report("completed"), checkRunId: id })).toBe(id);
    expect(fakeGitHub.checkRunLookups).toEqual([]);
    expect(fakeGitHub.checkRunWrites.map((w) => `${w.id} ${w.status}`)).toEqual([
      `${id} queued`,
      `${id} in_progress`,
      `${id} completed`,
    ]);
  });

  it("a kept id GitHub no longer has (404) falls back to the lookup by ref", async () => {
    const host = createGitHubHost(testProbot());
    const id = await host.upsertCheckRun(pr, report("in_progress"));
    const written = await createGitHubHost(testProbot()).upsertCheckRun(pr, {
      ...report("completed"),
      checkRunId: 999_999,
    });
    expect(written).toBe(id);
    expect(fakeGitHub.checkRunLookups).toEqual([sha, sha]);
    expect(fakeGitHub.checkRunOn(sha)?.status).toBe("completed");
    expect(fakeGitHub.checkRuns.size).toBe(1);
  });
});
