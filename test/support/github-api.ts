import { afterEach, beforeEach, expect } from "@jest/globals";
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
  scope
    .get(pull(""))
    .times(times)
    .optionally(optional)
    .reply(200, (uri) => {
      const n = Number(/pulls\/(\d+)/.exec(uri)![1]);
      const base = fixture("pull_request.opened").pull_request as Record<string, unknown>;
      return {
        ...base,
        number: n,
        html_url: `https://github.com/Acme-Corp/widgets/pull/${n}`,
        head: { sha: headSha },
      };
    });
  scope.get(pull("/reviews")).times(times).optionally(optional).reply(200, []);
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
