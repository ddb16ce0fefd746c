import { randomUUID } from "node:crypto";
import { afterEach } from "@jest/globals";
import { Queue } from "bullmq";
import { pino } from "pino";
import { toAccountId } from "../../src/accounts/types.js";
import { createMailer } from "../../src/notifications/mailer.js";
import { createSendAlert } from "../../src/notifications/send-alert.js";
import { createSendBudgetWarning } from "../../src/notifications/send-budget-warning.js";
import { createProducer } from "../../src/queue/producer.js";
import { QUEUE } from "../../src/queue/queues.js";
import { closeQueue } from "../../src/queue/close-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { startNotificationWorker } from "../../src/worker/start-notification-worker.js";
import { eventually, REDIS_URL } from "./harness.js";
import { startSmtpSink } from "./smtp-sink.js";

export const acme = toAccountId(4242);
export const contacts = ["billing@acme.test", "cto@acme.test"];
export const log = pino({ level: "silent" });

export interface PipelineOptions {
  contacts?: string[];
  lowBalanceEmails?: boolean;
  /** Whether the account exists at all. */
  account?: boolean;
  /** Start with the SMTP server down (its port free, nothing listening). */
  smtpDown?: boolean;
}

/**
 * The notifications queue from the producer to a real SMTP server: the account `acme-corp`
 * with its settings, and the worker, on a Redis prefix of its own.
 */
export async function startNotificationPipeline(options: PipelineOptions = {}) {
  const prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
  const store = createMemoryStore();
  if (options.account !== false) {
    await store.accounts.upsert({ id: acme, login: "acme-corp", type: "Organization" });
    await store.accounts.updateSettings(acme, {
      billingContacts: options.contacts ?? contacts,
      lowBalanceEmails: options.lowBalanceEmails ?? true,
    });
  }
  let sink = await startSmtpSink();
  const received = sink.received;
  if (options.smtpDown) await sink.close();
  let sinkUp = !options.smtpDown;

  const redis = createRedis(REDIS_URL, "producer");
  const workerRedis = createRedis(REDIS_URL, "worker");
  const queue = new Queue(QUEUE.notifications, { connection: redis, prefix });
  const producer = createProducer(redis, { prefix, reviewDelayMs: 0, retryDelayMs: 100 });
  const mailer = createMailer(sink.url, "Jasper <jasper@localhost>");
  const email = { accounts: store.accounts, mailer, publicUrl: "https://jasper.test", log };
  const worker = startNotificationWorker({
    connection: workerRedis,
    prefix,
    sendAlert: createSendAlert(email),
    sendBudgetWarning: createSendBudgetWarning(email),
    log,
  });

  return {
    store,
    queue,
    producer,
    received,
    async jobs() {
      const c = await queue.getJobCounts();
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    /** Waits until no job is waiting, delayed or running. */
    async settled() {
      await eventually(async () => {
        const c = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
        return Object.values(c).every((n) => n === 0);
      });
    },
    /** Adds a job as it is, with 8 attempts allowed; resolves with it once it has failed. */
    async addAndAwaitFailure(name: string, data: unknown) {
      const job = await queue.add(name, data, { attempts: 8 });
      await eventually(async () => (await job.getState()) === "failed");
      return queue.getJob(job.id!);
    },
    async restartSmtp() {
      sink = await startSmtpSink(sink.port, received);
      sinkUp = true;
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await closeQueue(queue);
      await producer.close();
      mailer.close();
      if (sinkUp) await sink.close();
      await Promise.all([redis.quit(), workerRedis.quit()]);
    },
  };
}

export type NotificationPipeline = Awaited<ReturnType<typeof startNotificationPipeline>>;

/**
 * Call in a describe block: `start` builds a test's pipeline, closed after the test (also when
 * it fails) or when the test starts another.
 */
export function pipelinePerTest<T extends { close(): Promise<void> }>(
  build: (options?: PipelineOptions) => Promise<T>,
) {
  let current: T | undefined;
  const close = async () => {
    await current?.close();
    current = undefined;
  };
  afterEach(close);
  return {
    async start(options?: PipelineOptions): Promise<T> {
      await close();
      current = await build(options);
      return current;
    },
  };
}
