import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import { createAccountLifecycle } from "./accounts/account-lifecycle.js";
import { jasperApp } from "./github/app.js";
import { createCommentEvents } from "./github/comment-events.js";
import { createPullRequestEvents } from "./github/pull-request-events.js";
import { Ledger } from "./ledger/ledger.js";
import { createChatLimiter } from "./queue/chat-limiter.js";
import { openQueue } from "./queue/open-queue.js";
import { createProducer, type Producer } from "./queue/producer.js";
import { createAlertEnqueuer } from "./notifications/enqueue-alerts.js";
import type { Mailer } from "./notifications/mailer.js";
import { createSendAlert } from "./notifications/send-alert.js";
import { createPostReply } from "./replies/post-reply.js";
import type { ReviewEngine } from "./engine/engine.js";
import { createAcceptReview } from "./reviews/accept-review.js";
import { createFinishRun } from "./reviews/finish-run.js";
import { createRunReview } from "./reviews/run-review.js";
import { createSweeper } from "./reviews/sweep-runs.js";
import type { Store } from "./store/store.js";

export interface ComposeOptions {
  store: Store;
  probot: Probot;
  redis: Redis;
  engine: ReviewEngine;
  /** Sends the low-balance emails (used by the notification worker only). */
  mailer: Pick<Mailer, "send">;
  log: Logger;
  botName: string;
  publicUrl: string;
  freePerMonth: number;
  /** Redis key prefix of the queues; tests give each test its own. */
  queuePrefix?: string;
  reviewDelayMs?: number;
  retryDelayMs?: number;
  chatPerHour?: number;
  now?: () => Date;
}

export interface Jasper {
  app: ApplicationFunction;
  ledger: Ledger;
  producer: Producer;
  sendAlert: ReturnType<typeof createSendAlert>;
  /** Closes the queues this process produces to (reviews, replies, notifications). */
  close(): Promise<void>;
  runReview: ReturnType<typeof createRunReview>;
  postReply: ReturnType<typeof createPostReply>;
  sweep: ReturnType<typeof createSweeper>;
}

/** Builds every use case from its parts, the same way for the app and for tests. */
export function composeJasper(o: ComposeOptions): Jasper {
  const { store } = o;
  const notifications = openQueue("notifications", o.redis, o.queuePrefix);
  const ledger = new Ledger({
    store: store.ledger,
    freePerMonth: o.freePerMonth,
    now: o.now,
    // Low-balance emails: queued when an entry crosses a level, never sent inline.
    onEntry: createAlertEnqueuer(notifications, o.log, { retryDelayMs: o.retryDelayMs }),
  });
  const producer = createProducer(o.redis, {
    prefix: o.queuePrefix,
    reviewDelayMs: o.reviewDelayMs ?? 5_000,
    retryDelayMs: o.retryDelayMs,
  });
  const octokitFor = (installationId: number) => o.probot.auth(installationId);
  const acceptReview = createAcceptReview({
    runs: store.runs,
    pullRequests: store.pullRequests,
    accounts: store.accounts,
    ledger,
    enqueueReview: producer.enqueueReview,
    enqueueReply: producer.enqueueReply,
  });
  const finishRun = createFinishRun({
    runs: store.runs,
    ledger,
    enqueueReply: producer.enqueueReply,
  });
  const chatLimiter = createChatLimiter(o.redis, {
    prefix: o.queuePrefix ?? "jasper",
    perHour: o.chatPerHour ?? 20,
  });
  const app = jasperApp({
    lifecycle: createAccountLifecycle({ accounts: store.accounts, ledger }),
    onPullRequest: createPullRequestEvents({
      accounts: store.accounts,
      acceptReview,
      botLogin: `${o.botName}[bot]`,
    }),
    onComment: createCommentEvents({
      ledger,
      pullRequests: store.pullRequests,
      enqueueReply: producer.enqueueReply,
      allowChat: chatLimiter,
      botName: o.botName,
    }),
  });
  return {
    app,
    ledger,
    producer,
    sendAlert: createSendAlert({
      accounts: store.accounts,
      mailer: o.mailer,
      publicUrl: o.publicUrl,
      botName: o.botName,
      log: o.log,
    }),
    async close() {
      await Promise.all([producer.close(), notifications.close()]);
    },
    runReview: createRunReview({ runs: store.runs, engine: o.engine, finishRun, octokitFor }),
    postReply: createPostReply({
      pullRequests: store.pullRequests,
      engine: o.engine,
      acceptReview,
      octokitFor,
      publicUrl: o.publicUrl,
      botName: o.botName,
    }),
    sweep: createSweeper({
      runs: store.runs,
      acceptReview,
      finishRun,
      reviewJobState: producer.reviewJobState,
      enqueueReview: producer.enqueueReview,
    }),
  };
}
