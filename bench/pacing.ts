/**
 * End to end, as production wires it (createProbot, compose, the workers, the 5 s debounce,
 * GitHub's pace), with GitHub faked on loopback and the built-in engine: 10 installations
 * open 10 pull requests each at once; measured until every review is posted. The floor is what
 * GitHub's limits allow: the debounce, then each installation's 10 posts one 750 ms apart (80
 * content requests a minute). Goal: floor / measured >= 0.5. Then, while one organization
 * posts 60 `/jasper help` comments, how long another organization's chat answer takes.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { pino } from "pino";
import { toAccountId } from "../src/accounts/types.js";
import { composeJasper } from "../src/compose.js";
import { parseConfig } from "../src/config/env.js";
import { createRuleBasedEngine } from "../src/engine/rule-based-engine.js";
import { createProbot } from "../src/github/probot.js";
import { QUEUE } from "../src/queue/queues.js";
import { createRedis } from "../src/queue/redis.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { fixture, signedDelivery, WEBHOOK_SECRET } from "../test/support/github.js";
import { headOf, startFakeGitHub } from "./fake-github.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const INSTALLATIONS = 10;
const PULLS = 10;
const DEBOUNCE_MS = 5_000;
const GITHUB_INTERVAL_MS = 60_000 / 80;
/** Every wait below gives up after this; the bench must end. */
const LIMIT_MS = Number(process.env.BENCH_LIMIT_MS ?? 300_000);

const org = (i: number) => ({
  accountId: 9_100 + i,
  installationId: 5_000 + i,
  login: `org-${i}`,
  repository: `org-${i}/repo`,
});

function pullRequestOpened(i: number, number: number) {
  const base = fixture("pull_request.opened") as Record<string, unknown> & {
    pull_request: Record<string, unknown>;
    repository: Record<string, unknown> & { owner: Record<string, unknown> };
  };
  const o = org(i);
  return signedDelivery("pull_request", {
    ...base,
    number,
    pull_request: {
      ...base.pull_request,
      number,
      head: { ...(base.pull_request.head as object), sha: headOf(o.repository, number) },
    },
    repository: {
      ...base.repository,
      id: 70_000 + i,
      full_name: o.repository,
      owner: { ...base.repository.owner, id: o.accountId, login: o.login },
    },
    installation: { id: o.installationId },
  });
}

function comment(i: number, number: number, body: string, id: number) {
  const base = fixture("issue_comment.created") as Record<string, unknown> & {
    issue: Record<string, unknown>;
    comment: Record<string, unknown>;
    repository: Record<string, unknown> & { owner: Record<string, unknown> };
  };
  const o = org(i);
  return signedDelivery("issue_comment", {
    ...base,
    issue: { ...base.issue, number },
    comment: { ...base.comment, id, body },
    repository: {
      ...base.repository,
      id: 70_000 + i,
      full_name: o.repository,
      owner: { ...base.repository.owner, id: o.accountId, login: o.login },
    },
    installation: { id: o.installationId },
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + LIMIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not done in ${LIMIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function benchPacing(): Promise<void> {
  const github = await startFakeGitHub();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const log = pino({ level: process.env.BENCH_LOG ?? "silent" });
  const probot = createProbot(
    {
      appId: "1234",
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      webhookSecret: WEBHOOK_SECRET,
    },
    github.url,
    log,
  );
  const prefix = `jasper-bench-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(REDIS_URL, "producer");
  const workerRedis = createRedis(REDIS_URL, "worker");
  const jasper = composeJasper(
    parseConfig({ MONGODB_URI: "memory" }),
    {
      store: createMemoryStore(),
      probot,
      redis,
      engine: createRuleBasedEngine(),
      mailer: { send: async () => ({ accepted: [], rejected: [] }) },
      log,
    },
    { queuePrefix: prefix, reviewDelayMs: DEBOUNCE_MS },
  );
  for (let i = 0; i < INSTALLATIONS + 1; i++) {
    await jasper.ledger.grant(toAccountId(org(i).accountId), {
      type: "purchase",
      amount: 1_000,
      description: "bench",
      idempotencyKey: `bench-credits-${i}`,
    });
  }
  const server = await jasper.createServer();
  const workers = jasper.startWorkers(workerRedis);

  const start = performance.now();
  const deliveries = [];
  for (let n = 1; n <= PULLS; n++) {
    for (let i = 0; i < INSTALLATIONS; i++) deliveries.push(server.inject(pullRequestOpened(i, n)));
  }
  for (const r of await Promise.all(deliveries)) {
    // 202: recorded and queued; the deliveries worker accepts, charges and queues the review.
    if (r.statusCode !== 202) throw new Error(`bench: delivery answered ${r.statusCode}`);
  }
  const reviews = INSTALLATIONS * PULLS;
  await until(() => github.posts.length >= reviews, "reviews");
  const measured = github.posts[reviews - 1]!.at - start;
  // The check runs' last writes come after the posts: counted once they are in.
  await until(() => github.completedCheckRuns() >= reviews, "the check runs");
  const floor = DEBOUNCE_MS + (PULLS - 1) * GITHUB_INTERVAL_MS;
  let requests = 0;
  let tokens = 0;
  for (const [route, n] of github.counts) {
    if (route.endsWith("/access_tokens")) tokens += n;
    else requests += n;
  }
  console.log(
    `${INSTALLATIONS} installations x ${PULLS} PRs, all reviews posted: ${(measured / 1000).toFixed(1)} s`,
  );
  console.log(`floor GitHub allows: ${(floor / 1000).toFixed(2)} s (debounce, then 80/min each)`);
  console.log(`ratio floor / measured: ${(floor / measured).toFixed(2)} (goal >= 0.5)`);
  console.log(`GitHub requests per review: ${(requests / reviews).toFixed(2)} (target <= 5)`);
  console.log(
    `  by kind: ${[...github.counts]
      .filter(([r]) => !r.endsWith("/access_tokens"))
      .map(([r, n]) => `${r} ${n}`)
      .join(", ")}; installation tokens (not counted above): ${tokens}`,
  );

  // A second wave, 10 more pull requests per installation: each repository's configuration is
  // cached now (and each token), so this is what a review costs an installation that is running.
  // It cannot go below five: the check run's three states (PRODUCT.md: queued, in progress, the
  // outcome), the changed files, the review.
  const firstWave = new Map(github.counts);
  const postsBefore = github.posts.length;
  const checksBefore = github.completedCheckRuns();
  const wave = [];
  for (let n = PULLS + 1; n <= 2 * PULLS; n++) {
    for (let i = 0; i < INSTALLATIONS; i++) wave.push(server.inject(pullRequestOpened(i, n)));
  }
  for (const r of await Promise.all(wave)) {
    if (r.statusCode !== 202) throw new Error(`bench: delivery answered ${r.statusCode}`);
  }
  await until(() => github.posts.length >= postsBefore + reviews, "the second wave's reviews");
  await until(
    () => github.completedCheckRuns() >= checksBefore + reviews,
    "the second wave's check runs",
  );
  let warm = 0;
  for (const [route, n] of github.counts) {
    if (!route.endsWith("/access_tokens")) warm += n - (firstWave.get(route) ?? 0);
  }
  console.log(
    `GitHub requests per review, configuration cached: ${(warm / reviews).toFixed(2)} (the first wave reads each repository's configuration and .gitattributes once)`,
  );

  // One organization's 60 free commands (3 pull requests, inside the per-PR limit), then
  // another organization's chat: how long its answer waits.
  const before = github.posts.length;
  const burst = [];
  for (let k = 0; k < 60; k++) {
    burst.push(server.inject(comment(0, 100 + (k % 3), "/jasper help", 800_000 + k)));
  }
  await Promise.all(burst);
  const asked = performance.now();
  await server.inject(comment(INSTALLATIONS, 1, "@jasper what changed?", 900_000));
  const chatPath = `/repos/${org(INSTALLATIONS).repository}/issues/1/comments`;
  await until(() => github.posts.some((p) => p.path === chatPath), "the chat answer");
  const answered = github.posts.find((p) => p.path === chatPath)!.at;
  const helpsBefore = github.posts
    .slice(before)
    .filter((p) => p.path !== chatPath && p.at < answered).length;
  console.log(
    `another organization's chat answer during a burst of 60 commands: ${(answered - asked).toFixed(0)} ms (${helpsBefore} of the 60 posted before it)`,
  );

  await workers.close();
  for (const name of [
    QUEUE.deliveries,
    QUEUE.reviews,
    QUEUE.replies,
    QUEUE.notifications,
    QUEUE.maintenance,
  ]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true });
    await q.close();
  }
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await jasper.close();
  await server.close();
  await github.close();
  await Promise.all([redis.quit(), workerRedis.quit()]);
}
