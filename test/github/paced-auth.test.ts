import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { pino } from "pino";
import { GitHubRateLimitedError, pacedAuth } from "../../src/github/paced-auth.js";
import { createProbot } from "../../src/github/probot.js";
import { createInstallationPace } from "../../src/queue/installation-pace.js";
import { createRedis } from "../../src/queue/redis.js";
import { REDIS_URL } from "../support/harness.js";

/** GitHub Enterprise Server: the token and the posts must go to its base URL. */
const GHE = "https://ghe.example/api/v3";
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const redis = createRedis(REDIS_URL, "producer");
afterAll(async () => {
  await redis.quit();
});

function setup() {
  const probot = createProbot(
    {
      appId: "1234",
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      webhookSecret: "s",
    },
    GHE,
    pino({ level: "silent" }),
  );
  const pace = createInstallationPace(redis, {
    prefix: `jasper-test-${randomUUID().slice(0, 8)}`,
    perMinute: 600, // a slot every 100 ms
  });
  return { github: pacedAuth(probot, pace), pace };
}

const comment = async (github: ReturnType<typeof setup>["github"], installationId: number) => {
  const octokit = await github.auth(installationId);
  return octokit.rest.issues.createComment({ owner: "a", repo: "b", issue_number: 1, body: "x" });
};

describe("pacedAuth (createProbot's clients)", () => {
  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    nock("https://ghe.example")
      .persist()
      .post(/^\/api\/v3\/app\/installations\/\d+\/access_tokens$/)
      .reply(201, (uri) => ({
        // One token per installation, so a post says whose it is.
        token: `ghs_${/installations\/(\d+)/.exec(uri)![1]}`,
        expires_at: "2099-01-01T00:00:00Z",
        permissions: {},
      }));
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("paces each installation's posts on its own, the token first", async () => {
    const { github } = setup();
    const posts: { installation: string; at: number }[] = [];
    nock("https://ghe.example")
      .post("/api/v3/repos/a/b/issues/1/comments")
      .times(4)
      .reply(201, function () {
        posts.push({ installation: String(this.req.headers.authorization), at: performance.now() });
        return { id: posts.length };
      });
    await Promise.all([
      comment(github, 1),
      comment(github, 1),
      comment(github, 1),
      comment(github, 2),
    ]);
    const times = posts.map((p) => p.at);
    expect(posts).toHaveLength(4);
    // Installation 1's three posts take at least two intervals; installation 2 does not wait.
    const first = Math.min(...times);
    expect(Math.max(...times) - first).toBeGreaterThanOrEqual(2 * 100 * 0.8);
    // Installation 2 is not queued behind installation 1: its post arrives before
    // installation 1's last one, which waits two intervals (an order, not a timing).
    const order = [...posts].sort((a, b) => a.at - b.at).map((p) => p.installation);
    expect(order.indexOf("token ghs_2")).toBeLessThan(order.lastIndexOf("token ghs_1"));
    expect(order.filter((i) => i === "token ghs_1")).toHaveLength(3);
  });

  it("a secondary rate limit blocks the installation until retry-after, and says so", async () => {
    const { github, pace } = setup();
    nock("https://ghe.example")
      .post("/api/v3/repos/a/b/issues/1/comments")
      .reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "3" });
    const err = await comment(github, 7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubRateLimitedError);
    // No HTTP status on it: the host must not take the 403 for a refusal.
    expect((err as { status?: unknown }).status).toBeUndefined();
    expect(await pace.book(7)).toBeGreaterThan(2_500);
    expect(await pace.book(8)).toBeLessThan(50);
  });
});
