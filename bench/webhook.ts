/**
 * A signed `pull_request.opened` delivery handled end to end up to "queued" (signature check,
 * account, review run, charge, BullMQ add; in-memory store, real Redis), side by side with the
 * same delivery into a Probot app whose handler does nothing. Goal: Jasper >= 0.5 x no-op.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { pino } from "pino";
import type { Probot } from "probot";
import { parseConfig } from "../src/config/env.js";
import { composeJasper } from "../src/compose.js";
import { toAccountId } from "../src/accounts/types.js";
import { QUEUE } from "../src/queue/queues.js";
import { createRedis } from "../src/queue/redis.js";
import { createRuleBasedEngine } from "../src/engine/rule-based-engine.js";
import { createServer } from "../src/server/create-server.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { generateKeyPairSync } from "node:crypto";
import { createProbot } from "../src/github/probot.js";
import { fixture, signedDelivery, testProbot, WEBHOOK_SECRET } from "../test/support/github.js";
import { startFakeGitHub } from "./fake-github.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DELIVERIES = 2_000;
const CONCURRENCY = 16;

type Inject = (n: number) => Promise<number>;

async function measure(name: string, inject: Inject): Promise<number> {
  for (let i = 0; i < 100; i++) await inject(1_000_000 + i); // warm up
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < DELIVERIES) {
        const status = await inject(next++);
        if (status !== 200) throw new Error(`${name}: delivery answered ${status}`);
      }
    }),
  );
  const perSecond = (DELIVERIES / (performance.now() - start)) * 1000;
  console.log(`${name.padEnd(34)} ${perSecond.toFixed(0).padStart(6)} deliveries/s`);
  return perSecond;
}

/** Each delivery is a different pull request, so each one is charged and queued. */
function delivery(n: number) {
  const base = fixture("pull_request.opened") as Record<string, unknown> & {
    pull_request: Record<string, unknown>;
  };
  const number = n + 1;
  return signedDelivery("pull_request", {
    ...base,
    number,
    pull_request: { ...base.pull_request, number },
  });
}

async function withServer(probot: Probot, app: Parameters<typeof createServer>[0]["app"]) {
  return createServer({ probot, app, store: createMemoryStore(), log: pino({ level: "silent" }) });
}

export async function benchWebhook(): Promise<void> {
  const noop = await withServer(testProbot(), (app) => {
    app.on("pull_request.opened", async () => {});
  });
  const noopRate = await measure(
    "no-op Probot handler",
    async (n) => (await noop.inject(delivery(n))).statusCode,
  );

  const prefix = `jasper-bench-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(REDIS_URL, "producer");
  const store = createMemoryStore();
  // A webhook now reads the repository's configuration (cached 30 s) and writes the "queued"
  // check run: GitHub is faked on loopback, as in the end-to-end bench.
  const github = await startFakeGitHub();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const probot = createProbot(
    {
      appId: "1234",
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      webhookSecret: WEBHOOK_SECRET,
    },
    github.url,
    pino({ level: "silent" }),
  );
  const jasper = composeJasper(
    parseConfig({ MONGODB_URI: "memory" }),
    {
      store,
      probot,
      redis,
      engine: createRuleBasedEngine(),
      mailer: { send: async () => ({ accepted: [], rejected: [] }) },
      log: pino({ level: "silent" }),
    },
    { queuePrefix: prefix },
  );
  await jasper.ledger.grant(toAccountId(9001), {
    type: "purchase",
    amount: 1_000_000,
    description: "bench",
    idempotencyKey: "bench-credits",
  });
  const server = await jasper.createServer();
  const jasperRate = await measure(
    "Jasper, up to queued",
    async (n) => (await server.inject(delivery(n))).statusCode,
  );

  const queue = new Queue(QUEUE.reviews, { connection: redis, prefix });
  const queued = (await queue.getJobCounts("delayed", "waiting")) as Record<string, number>;
  console.log(
    `reviews queued: ${(queued.delayed ?? 0) + (queued.waiting ?? 0)} (expected ${DELIVERIES + 100})`,
  );
  console.log(`ratio Jasper / no-op: ${(jasperRate / noopRate).toFixed(2)} (goal >= 0.5)`);

  await queue.obliterate({ force: true });
  await queue.close();
  await jasper.close();
  await Promise.all([server.close(), noop.close()]);
  await redis.quit();
  await github.close();
}
