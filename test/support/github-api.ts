import { afterEach, beforeEach, expect } from "@jest/globals";
import { createHash } from "node:crypto";
import nock from "nock";
import { fixture } from "./github.js";

export const API = "https://api.github.com";
const REPO = "/repos/Acme-Corp/widgets";

/** Installation tokens: Probot caches them, so a test may need one or none. */
export function mockInstallationToken(): void {
  nock(API)
    .persist()
    .post("/app/installations/4242/access_tokens")
    .optionally()
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

export interface PostedReview {
  number: number;
  body: {
    body: string;
    event: string;
    commit_id: string;
    comments?: { path: string; line: number; body: string }[];
  };
}

/**
 * One review's worth of GitHub calls for pull request `number` (all of them when `number` is
 * omitted), `times` times; fills `posted` with what was sent. `optional`: GitHub's answers if
 * asked, not calls the test expects (they are not pending when unused).
 */
export function mockReviewCalls(
  posted: PostedReview[],
  {
    times = 1,
    number,
    headSha = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c",
    post = true,
    optional = false,
  } = {} as {
    times?: number;
    number?: number;
    headSha?: string;
    post?: boolean;
    optional?: boolean;
  },
): void {
  const pr = number === undefined ? "(\\d+)" : String(number);
  const pull = (path: string) => new RegExp(`^${REPO}/pulls/${pr}${path}(\\?.*)?$`);
  const scope = nock(API);
  // The pull request and its reviews are what a review asks GitHub only when its job and
  // Jasper's records cannot answer (fallbacks): answered if asked, each read noted in
  // fakeGitHub.fallbackReads for the tests that expect them, or expect none.
  scope
    .get(pull(""))
    .times(times)
    .optionally()
    .reply(200, (uri) => {
      const n = Number(/pulls\/(\d+)/.exec(uri)![1]);
      fakeGitHub.fallbackReads.push(`pull ${n}`);
      const base = fixture("pull_request.opened").pull_request as Record<string, unknown>;
      return {
        ...base,
        number: n,
        html_url: `https://github.com/Acme-Corp/widgets/pull/${n}`,
        head: { sha: headSha },
      };
    });
  scope
    .get(pull("/reviews"))
    .times(times)
    .optionally()
    .reply(200, (uri) => {
      fakeGitHub.fallbackReads.push(`reviews ${/pulls\/(\d+)/.exec(uri)![1]}`);
      return [];
    });
  scope
    .get(pull("/files"))
    .times(times)
    .optionally(optional)
    .reply(200, fixture("pulls.files") as unknown as nock.Body);
  if (post) {
    scope
      .post(pull("/reviews"))
      .times(times)
      .optionally(optional)
      .reply(200, (uri, body) => {
        posted.push({
          number: Number(/pulls\/(\d+)/.exec(uri)![1]),
          body: body as PostedReview["body"],
        });
        return { id: posted.length };
      });
  }
}

export interface PostedComment {
  number: number;
  body: string;
}

/** Comments the bot posts on pull request conversations, `times` times. */
export function mockComments(
  posted: PostedComment[],
  times: number,
  { listFirst = false } = {},
): void {
  const scope = nock(API);
  if (listFirst) {
    scope
      .get(new RegExp(`^${REPO}/issues/\\d+/comments(\\?.*)?$`))
      .times(times)
      .reply(200, []);
  }
  scope
    .post(new RegExp(`^${REPO}/issues/\\d+/comments$`))
    .times(times)
    .reply(201, (uri, body) => {
      posted.push({
        number: Number(/issues\/(\d+)/.exec(uri)![1]),
        body: (body as { body: string }).body,
      });
      return { id: 900 + posted.length };
    });
}

/** One state a check run was put in, in the order GitHub received them. */
export interface CheckRunWrite {
  id: number;
  head_sha: string;
  name: string;
  external_id?: string;
  status: string;
  conclusion?: string;
  output: { title: string; summary: string; text?: string };
}

/**
 * What the fake GitHub of every webhook test holds besides the mocks a test sets: the
 * `.github/jasper.yml` and `.gitattributes` of each repository ("owner/repo" to the file's
 * text; none: 404), and the `Jasper` check runs written (each write in `writes`, the current
 * state by id in `runs`).
 * Answered whenever asked, never pending: tests that do not look at them need not mock them.
 */
export const fakeGitHub = {
  configFiles: new Map<string, string>(),
  /** Each request for a configuration file, and GitHub's answer (200, 304 or 404). */
  configReads: [] as { repository: string; status: number }[],
  /** Each repository's `.gitattributes` ("owner/repo" to its text; none: 404). */
  attributeFiles: new Map<string, string>(),
  /** Each request for a `.gitattributes`, and GitHub's answer (200, 304 or 404). */
  attributeReads: [] as { repository: string; status: number }[],
  /** Set to a status to have every `.gitattributes` read fail with it. */
  attributeFailure: null as number | null,
  checkRuns: new Map<number, CheckRunWrite>(),
  checkRunWrites: [] as CheckRunWrite[],
  /** The commits whose check runs were looked up by ref. */
  checkRunLookups: [] as string[],
  /**
   * Reads a review makes only when its job and Jasper's records cannot answer, in order:
   * `pull N` (GET pulls/N), `reviews N` (GET pulls/N/reviews, the "already posted" check).
   */
  fallbackReads: [] as string[],
  /** How often the pull requests' inline review comments were listed. */
  reviewCommentReads: 0,
  /** The pull requests' inline review comments GitHub lists (all pull requests alike). */
  reviewComments: [] as {
    path: string;
    line: number | null;
    user: { login: string };
    body: string;
  }[],
  /** Set to a status to have every check run write fail with it. */
  checkRunFailure: null as number | null,
  /** The latest state of the check run on `sha` (there is one per commit). */
  checkRunOn(sha: string): CheckRunWrite | undefined {
    return [...this.checkRuns.values()]
      .filter((c) => c.head_sha === sha)
      .sort((a, b) => b.id - a.id)[0];
  },
};

function mockRepositoryState(): void {
  fakeGitHub.configFiles.clear();
  fakeGitHub.configReads.length = 0;
  fakeGitHub.attributeFiles.clear();
  fakeGitHub.attributeReads.length = 0;
  fakeGitHub.attributeFailure = null;
  fakeGitHub.checkRuns.clear();
  fakeGitHub.checkRunWrites.length = 0;
  fakeGitHub.checkRunLookups.length = 0;
  fakeGitHub.fallbackReads.length = 0;
  fakeGitHub.checkRunFailure = null;
  fakeGitHub.reviewComments = [];
  fakeGitHub.reviewCommentReads = 0;
  const scope = nock(API).persist();
  scope
    .get(/^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/comments(\?.*)?$/)
    .optionally()
    .reply(200, () => {
      fakeGitHub.reviewCommentReads++;
      return fakeGitHub.reviewComments;
    });
  mockRepositoryFile(
    scope,
    /^\/repos\/([^/]+)\/([^/]+)\/contents\/\.github(\/|%2F)jasper\.yml(\?.*)?$/,
    fakeGitHub.configFiles,
    fakeGitHub.configReads,
  );
  mockRepositoryFile(
    scope,
    /^\/repos\/([^/]+)\/([^/]+)\/contents\/\.gitattributes(\?.*)?$/,
    fakeGitHub.attributeFiles,
    fakeGitHub.attributeReads,
    () => fakeGitHub.attributeFailure,
  );
  scope
    .get(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/check-runs(\?.*)?$/)
    .optionally()
    .reply((uri) => {
      const sha = /commits\/([0-9a-f]+)\//.exec(uri)![1]!;
      fakeGitHub.checkRunLookups.push(sha);
      const runs = [...fakeGitHub.checkRuns.values()].filter((c) => c.head_sha === sha);
      return [200, { total_count: runs.length, check_runs: runs }];
    });
  scope
    .post(/^\/repos\/[^/]+\/[^/]+\/check-runs$/)
    .optionally()
    .reply((_uri, body) => {
      if (fakeGitHub.checkRunFailure) return [fakeGitHub.checkRunFailure, { message: "no" }];
      const run = { ...(body as CheckRunWrite), id: 7000 + fakeGitHub.checkRuns.size + 1 };
      fakeGitHub.checkRuns.set(run.id, run);
      fakeGitHub.checkRunWrites.push(run);
      return [201, run];
    });
  scope
    .patch(/^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/)
    .optionally()
    .reply((uri, body) => {
      if (fakeGitHub.checkRunFailure) return [fakeGitHub.checkRunFailure, { message: "no" }];
      const id = Number(/check-runs\/(\d+)$/.exec(uri)![1]);
      const before = fakeGitHub.checkRuns.get(id);
      if (!before) return [404, { message: "Not Found" }];
      const run = { ...before, ...(body as Partial<CheckRunWrite>) };
      fakeGitHub.checkRuns.set(id, run);
      fakeGitHub.checkRunWrites.push(run);
      return [200, run];
    });
}

/** A file on the default branch as GitHub's contents API answers for raw content, with ETags. */
function mockRepositoryFile(
  scope: nock.Scope,
  path: RegExp,
  files: Map<string, string>,
  reads: { repository: string; status: number }[],
  failure: () => number | null = () => null,
): void {
  scope
    .get(path)
    .optionally()
    .reply(function (uri) {
      const [, owner, repo] = /^\/repos\/([^/]+)\/([^/]+)\//.exec(uri)!;
      const repository = `${owner}/${decodeURIComponent(repo!)}`;
      const file = files.get(repository);
      const failed = failure();
      if (failed !== null) {
        reads.push({ repository, status: failed });
        return [failed, { message: "no" }];
      }
      // GitHub's ETag names the content; asked with it, an unchanged file is a 304.
      const etag =
        file === undefined ? undefined : `"${createHash("sha1").update(file).digest("hex")}"`;
      const status =
        file === undefined ? 404 : this.req.headers["if-none-match"] === etag ? 304 : 200;
      reads.push({ repository, status });
      if (status === 404) return [404, { message: "Not Found" }];
      if (status === 304) return [304, "", { etag: etag! }];
      return [
        200,
        file,
        { "content-type": "application/vnd.github.raw; charset=utf-8", etag: etag! },
      ];
    });
}

/**
 * The webhook-test recipe, for a describe block: no network but Redis on loopback, installation
 * tokens mocked, and after each test every mock used (checked after `cleanup`, which closes
 * what the test opened, so its workers make no late calls).
 */
export function useGitHubApi(cleanup: () => Promise<void>): void {
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    mockInstallationToken();
    mockRepositoryState();
  });
  afterEach(async () => {
    await cleanup();
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toStrictEqual([]);
  });
}

/**
 * GitHub's answer to "what may `login` do on Acme-Corp/widgets?" (the commands that spend or
 * change something ask it), `times` times.
 */
export function mockPermission(
  permission: "admin" | "maintain" | "write" | "triage" | "read" | "none",
  { login = "octo-dev", times = 1 } = {},
): void {
  // The legacy field GitHub reads as: maintain is write, triage is read.
  const legacy = { maintain: "write", triage: "read" }[permission as string] ?? permission;
  nock(API)
    .get(`${REPO}/collaborators/${login}/permission`)
    .times(times)
    .reply(200, { permission: legacy, role_name: permission, user: { login } });
}

/**
 * GitHub's answer to "what is `login` in organization `org`?" (who may act on the account's
 * money, such as `refund` for someone else's pull request): a role with an active (or
 * pending) membership, or 404 for someone not in it; `times` times.
 */
export function mockOrgMembership(
  org: string,
  login: string,
  role: "admin" | "member" | "billing_manager" | 404,
  { state = "active", times = 1 } = {} as { state?: "active" | "pending"; times?: number },
): void {
  const scope = nock(API).get(`/orgs/${org}/memberships/${login}`).times(times);
  if (role === 404) scope.reply(404, { message: "Not Found" });
  else scope.reply(200, { state, role, user: { login }, organization: { login: org } });
}
