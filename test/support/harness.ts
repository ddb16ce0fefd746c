import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type Stripe from "stripe";
import { pino, type Logger } from "pino";
import type { ApiKeyScope } from "../../src/accounts/api-key-store.js";
import { generateApiKey } from "../../src/accounts/api-keys.js";
import { toAccountId, type Account } from "../../src/accounts/types.js";
import type { GitHubAuth } from "../../src/api/auth/github-auth.js";
import { DEFAULT_PACKAGES } from "../../src/billing/packages.js";
import type { CheckoutInput, CheckoutResult } from "../../src/billing/create-checkout.js";
import { composeJasper, type Adapters, type Jasper, type Tuning } from "../../src/compose.js";
import { parseConfig } from "../../src/config/env.js";
import type { ReviewEngine } from "../../src/engine/engine.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import type { Ledger } from "../../src/ledger/ledger.js";
import { jobId, QUEUE } from "../../src/queue/queues.js";
import { closeQueue } from "../../src/queue/close-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import type { Workers } from "../../src/worker/start-workers.js";
import { FakeGitHubAuth } from "./fake-github-auth.js";
import { signedDelivery, testProbot } from "./github.js";
import { TestClock } from "./ledger-fixture.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const PACKAGES = [...DEFAULT_PACKAGES];

export interface HarnessOptions {
  engine?: ReviewEngine;
  chatPerHour?: number;
  commandsPerHour?: number;
  repliesPerAccountPerHour?: number;
  /** GitHub's pace per installation; default fast (a test of pacing gives its own). */
  pace?: Tuning["pace"];
  now?: () => Date;
  /** Redis for the queues; default REDIS_URL (a test's own server when it stops Redis). */
  redisUrl?: string;
  /** BOT_NAME; default "jasper". */
  botName?: string;
  /** Environment variables on top of the harness's own (MONGODB_URI=memory, PUBLIC_URL, ...). */
  env?: Record<string, string>;
  /** The billing API's GitHub token check; default a FakeGitHubAuth. */
  github?: GitHubAuth;
  /**
   * A Stripe client (e.g. pointed at a local fake): with it, checkout and the Stripe webhook
   * run for real, as in production. Default none (checkout faked, the webhook answers 503).
   */
  stripe?: Stripe;
  /** Checkout Sessions; default a fake that records what it created in `checkouts` (without `stripe`). */
  checkout?: (input: CheckoutInput) => Promise<CheckoutResult>;
  apiRateLimit?: Tuning["apiRateLimit"];
  /** The app's and Probot's logger, as in production one for both; default silent. */
  log?: Logger;
  /** Email; default one that sends nothing (a test of email gives a real SMTP mailer). */
  mailer?: Adapters["mailer"];
}

export interface Harness {
  store: Store;
  jasper: Jasper;
  ledger: Ledger;
  server: FastifyInstance;
  prefix: string;
  /** The producer's Redis connection (what the webhook queues on). */
  redis: Redis;
  /** The fake GitHub token check (unless `github` was given). */
  github: FakeGitHubAuth;
  /** Checkout Sessions the fake checkout created. */
  checkouts: CheckoutInput[];
  /**
   * Sends a signed delivery and answers its status. A recorded one (202) is processed before
   * this returns, as the deliveries worker would: inline, its queued job then removed (no
   * worker started), or by the started workers, awaited.
   */
  deliver(event: string, payload: unknown): Promise<number>;
  /** Sends a signed delivery and only answers (nothing processed): what GitHub sees. */
  send(
    event: string,
    payload: unknown,
  ): Promise<{ status: number; deliveryId: string; body: unknown }>;
  /** The worker role; the sweep hourly unless told (tests of the sweep give their own pace). */
  startWorkers(options?: Parameters<Jasper["startWorkers"]>[1]): Workers;
  /** The deliveries queue, on the harness's own connection (closed with it). */
  deliveriesQueue: Queue;
  /** The reviews queue, on the harness's own connection (closed with it). */
  reviewsQueue: Queue;
  /** The replies and notifications queues, likewise. */
  repliesQueue: Queue;
  notificationsQueue: Queue;
  /** The sweep's queue, likewise. */
  maintenanceQueue: Queue;
  /** Jobs waiting, delayed or running on any queue. */
  pendingJobs(): Promise<number>;
  close(): Promise<void>;
}

/** Every harness not closed yet, for `closeHarnesses`. */
const open = new Set<Harness>();

/**
 * The whole app as production wires it (compose.ts, from a parsed configuration), on the
 * in-memory store and a real Redis under a prefix of its own, so tests never see each other's
 * jobs. GitHub, Stripe Checkout and the GitHub token check are fakes.
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const config = parseConfig({
    MONGODB_URI: "memory",
    PUBLIC_URL: "https://jasper.example",
    FREE_REVIEWS_PER_MONTH: "3",
    ...(options.botName ? { BOT_NAME: options.botName } : {}),
    ...options.env,
  });
  const store = createMemoryStore();
  const log = options.log ?? pino({ level: "silent" });
  const probot = testProbot(options.log);
  const redis = createRedis(options.redisUrl ?? REDIS_URL, "producer");
  const workerRedis = createRedis(options.redisUrl ?? REDIS_URL, "worker");
  const github = new FakeGitHubAuth();
  const checkouts: CheckoutInput[] = [];
  const adapters: Adapters = {
    store,
    probot,
    redis,
    engine: options.engine ?? createRuleBasedEngine({ botName: config.BOT_NAME }),
    // A mailer that sends nothing: test/notifications checks real email over SMTP.
    mailer: options.mailer ?? { send: async () => ({ accepted: [], rejected: [] }) },
    log,
    stripe: options.stripe ?? null,
    githubAuth: options.github ?? github,
    checkout:
      options.checkout ??
      (options.stripe ? undefined : fakeCheckout(config.CREDIT_PACKAGES, checkouts)),
  };
  const jasper = composeJasper(config, adapters, {
    queuePrefix: prefix,
    reviewDelayMs: 0,
    retryDelayMs: 50,
    chatPerHour: options.chatPerHour,
    commandsPerHour: options.commandsPerHour,
    repliesPerAccountPerHour: options.repliesPerAccountPerHour,
    // Most tests post more than GitHub's 80 a minute to one installation, and fast.
    pace: options.pace ?? { perMinute: 600_000, perHour: 36_000_000 },
    now: options.now,
    // Tests change a repository's configuration between deliveries.
    configCacheMs: 0,
    apiRateLimit: options.apiRateLimit ?? {
      max: 1_000_000,
      timeWindowMs: 60_000,
      failedAuthMax: 1_000_000,
    },
  });
  const server = await jasper.createServer();
  await server.ready();
  const workers: Workers[] = [];
  const queues = [QUEUE.reviews, QUEUE.replies, QUEUE.notifications, QUEUE.deliveries].map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  // Not in pendingJobs(): its scheduler always has the next sweep waiting.
  const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix });
  // Reading its scheduler gives it a BullMQ JobScheduler, which prints every connection error
  // while Redis is down unless someone listens (a test that stops Redis reads it).
  maintenance.on("error", () => {});
  const harness: Harness = {
    store,
    jasper,
    ledger: jasper.ledger,
    server,
    prefix,
    redis,
    github,
    checkouts,
    async deliver(event, payload) {
      const { status, deliveryId } = await harness.send(event, payload);
      if (status !== 202) return status;
      if (workers.length > 0) {
        // The started deliveries worker takes it: awaited until it is no longer received.
        await eventually(
          async () => (await store.deliveries.get(deliveryId))?.status !== "received",
        );
      } else {
        // What the worker would run, here; the job it would have taken leaves the queue.
        await jasper.processDelivery({ deliveryId }, { finalAttempt: false });
        await queues[3]!.remove(jobId("delivery", deliveryId));
      }
      return status;
    },
    async send(event, payload) {
      const request = signedDelivery(event, payload);
      const res = await server.inject(request);
      const body: unknown = res.body ? res.json() : null;
      return { status: res.statusCode, deliveryId: request.headers["x-github-delivery"], body };
    },
    startWorkers(options) {
      const w = jasper.startWorkers(workerRedis, { sweepEveryMs: 3_600_000, ...options });
      workers.push(w);
      return w;
    },
    deliveriesQueue: queues[3]!,
    reviewsQueue: queues[0]!,
    repliesQueue: queues[1]!,
    notificationsQueue: queues[2]!,
    maintenanceQueue: maintenance,
    async pendingJobs() {
      let n = 0;
      for (const q of queues) {
        const c = await q.getJobCounts("waiting", "delayed", "active", "prioritized");
        n += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return n;
    },
    async close() {
      if (!open.delete(harness)) return;
      await Promise.all(workers.map((w) => w.close()));
      for (const q of [...queues, maintenance]) {
        await q.obliterate({ force: true });
        await closeQueue(q);
      }
      await jasper.close();
      await server.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
  open.add(harness);
  return harness;
}

/** Closes every harness a test opened and did not close (for afterEach / afterAll). */
export async function closeHarnesses(): Promise<void> {
  await Promise.all([...open].map((h) => h.close()));
}

/** Only sessions created are recorded: they are what a refused request must not make. */
function fakeCheckout(packages: readonly { id: string }[], checkouts: CheckoutInput[]) {
  return async (input: CheckoutInput): Promise<CheckoutResult> => {
    if (!packages.some((p) => p.id === input.packageId)) return { status: "unknown_package" };
    checkouts.push(input);
    return {
      status: "created",
      url: `https://checkout.stripe.com/c/pay/cs_test_${checkouts.length}`,
      sessionId: `cs_test_${checkouts.length}`,
    };
  };
}

export interface ApiHarness extends Harness {
  /** The test's clock: the ledger's `now` (use it for month boundaries). */
  clock: TestClock;
  orgA: Account;
  orgB: Account;
  /** A working API key of each org (read keys, as keys are by default). */
  keyA: string;
  keyB: string;
  /** Stores one more key for `account` and returns it (a read key unless told). */
  addKey(account: Account, scope?: ApiKeyScope): Promise<string>;
  auth(token: string): { authorization: string };
}

/**
 * The billing API's world: the whole app (createHarness) with two organizations, Acme-Corp
 * and Globex, each with its free tier and an API key, on a clock the test controls.
 */
export async function createApiHarness(
  options: Omit<HarnessOptions, "now"> = {},
): Promise<ApiHarness> {
  const clock = new TestClock();
  const h = await createHarness({ ...options, now: clock.now });
  const orgA = await h.store.accounts.upsert({
    id: toAccountId(101),
    login: "Acme-Corp",
    type: "Organization",
  });
  const orgB = await h.store.accounts.upsert({
    id: toAccountId(202),
    login: "Globex",
    type: "Organization",
  });
  await h.ledger.ensureFreeTier(orgA.id);
  await h.ledger.ensureFreeTier(orgB.id);
  const keyA = await storeKey(h.store, orgA, "ci");
  const keyB = await storeKey(h.store, orgB, "ci");
  return {
    ...h,
    clock,
    orgA,
    orgB,
    keyA,
    keyB,
    addKey: (account, scope = "read") => storeKey(h.store, account, `${scope} key`, scope),
    auth: (token) => ({ authorization: `Bearer ${token}` }),
  };
}

async function storeKey(
  store: Store,
  account: Account,
  name: string,
  scope: ApiKeyScope = "read",
): Promise<string> {
  const { key, hash, prefix } = generateApiKey();
  // A fixture, not a use of the API: under a cap no test reaches.
  const stored = await store.apiKeys.create(
    { accountId: account.id, name, hash, prefix, scope },
    1_000,
  );
  if (!stored) throw new Error("storeKey: refused under the cap");
  return key;
}

/** Polls until `check` returns true (or throws after `ms`): for work done by queue workers. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
