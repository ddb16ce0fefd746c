import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { composeJasper, type Jasper } from "../../src/compose.js";
import type { ReviewEngine } from "../../src/engine/engine.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";
import { createRedis } from "../../src/queue/redis.js";
import { QUEUE } from "../../src/queue/queues.js";
import { createServer } from "../../src/server/create-server.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { startWorkers, type Workers } from "../../src/worker/start-workers.js";
import { signedDelivery, testProbot } from "./github.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Harness {
  store: Store;
  jasper: Jasper;
  server: FastifyInstance;
  prefix: string;
  deliver(event: string, payload: unknown): Promise<number>;
  startWorkers(): Workers;
  /** The reviews queue, on the harness's own connection (closed with it). */
  reviewsQueue: Queue;
  /** Jobs waiting, delayed or running on either queue. */
  pendingJobs(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole app as production wires it (compose.ts), on the in-memory store and a real
 * Redis under a prefix of its own, so tests never see each other's jobs.
 */
export async function createHarness(
  options: { engine?: ReviewEngine; chatPerHour?: number; now?: () => Date } = {},
): Promise<Harness> {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const store = createMemoryStore();
  const probot = testProbot();
  const log = pino({ level: "silent" });
  const redis = createRedis(REDIS_URL, "producer");
  const workerRedis = createRedis(REDIS_URL, "worker");
  const jasper = composeJasper({
    store,
    probot,
    redis,
    engine: options.engine ?? createRuleBasedEngine(),
    // A mailer that sends nothing: test/notifications checks real email over SMTP.
    mailer: { send: async () => ({ accepted: [], rejected: [] }) },
    log,
    botName: "jasper",
    publicUrl: "https://jasper.example",
    freePerMonth: 3,
    queuePrefix: prefix,
    reviewDelayMs: 0,
    retryDelayMs: 50,
    chatPerHour: options.chatPerHour,
    now: options.now,
  });
  const server = await createServer({ probot, app: jasper.app, store, log });
  const workers: Workers[] = [];
  const queues = [QUEUE.reviews, QUEUE.replies, QUEUE.notifications].map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  // The sweep's scheduler and its next job: never pending work, but removed with the rest.
  const maintenance = new Queue(QUEUE.maintenance, { connection: redis, prefix });
  return {
    store,
    jasper,
    server,
    prefix,
    async deliver(event, payload) {
      return (await server.inject(signedDelivery(event, payload))).statusCode;
    },
    startWorkers() {
      const w = startWorkers({
        connection: workerRedis,
        prefix,
        runReview: jasper.runReview,
        postReply: jasper.postReply,
        sendAlert: jasper.sendAlert,
        sweep: jasper.sweep,
        log,
        sweepEveryMs: 3_600_000,
      });
      workers.push(w);
      return w;
    },
    reviewsQueue: queues[0]!,
    async pendingJobs() {
      let n = 0;
      for (const q of queues) {
        const c = await q.getJobCounts("waiting", "delayed", "active", "prioritized");
        n += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return n;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      for (const q of [...queues, maintenance]) {
        await q.obliterate({ force: true });
        await q.close();
      }
      await jasper.close();
      await server.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
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
