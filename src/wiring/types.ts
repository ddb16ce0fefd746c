/**
 * What the wiring is given (the adapters to the world outside, and the tuning tests turn) and
 * what it hands back (Jasper: the use cases, the server and the workers of one process).
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import type Stripe from "stripe";
import type { GitHubAuth } from "../api/auth/github-auth.js";
import type { BillingApiDeps } from "../api/deps.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { CheckoutInput, CheckoutResult } from "../billing/create-checkout.js";
import type { SessionRevocations } from "../dashboard/session-revocations.js";
import type { ProcessDelivery } from "../deliveries/process-delivery.js";
import type { DeliverySweep } from "../deliveries/sweep-deliveries.js";
import type { ReviewEngine } from "../engine/engine.js";
import type { Ledger } from "../ledger/ledger.js";
import type { WarnBudgets } from "../notifications/enqueue-budget-warnings.js";
import type { Mailer } from "../notifications/mailer.js";
import type { createSendAlert } from "../notifications/send-alert.js";
import type { createSendBudgetWarning } from "../notifications/send-budget-warning.js";
import type { Operators } from "../operators/operators.js";
import type { PaceOptions } from "../queue/installation-pace.js";
import type { Producer } from "../queue/producer.js";
import type { createPostReply } from "../replies/post-reply.js";
import type { createRunReview } from "../reviews/run-review.js";
import type { createSweeper } from "../reviews/sweep-runs.js";
import type { Store } from "../store/store.js";
import type { Redriven, WorkerTuning, Workers } from "../worker/start-workers.js";

/** What talks to the world outside this process. */
export interface Adapters {
  store: Store;
  probot: Probot;
  /** The producer connection (createRedis(url, "producer")); workers get their own. */
  redis: Redis;
  engine: ReviewEngine;
  /** Sends the low-balance emails (used by the notification worker only). */
  mailer: Pick<Mailer, "send">;
  log: Logger;
  /** Default: built from STRIPE_SECRET_KEY and STRIPE_API_BASE; null without a key. */
  stripe?: Stripe | null;
  /** Checks GitHub tokens for the billing API. Default: GitHub's API at config.github.api. */
  githubAuth?: GitHubAuth;
  /** Creates Checkout Sessions. Default: through `stripe` (unavailable without it). */
  checkout?: (input: CheckoutInput) => Promise<CheckoutResult>;
}

/** Knobs with production defaults; tests turn them (short delays, their own queue prefix). */
export interface Tuning {
  /** Redis key prefix of the queues, default "jasper"; tests give each test its own. */
  queuePrefix?: string;
  /** How long a review waits before it starts (coalesces pushes); default 5 s. */
  reviewDelayMs?: number;
  /** The first retry's delay of every queue; default each queue's own. */
  retryDelayMs?: number;
  /** Chat answers per pull request and clock hour; default 20. */
  chatPerHour?: number;
  /** Command answers per pull request and clock hour; default 20. */
  commandsPerHour?: number;
  /** Chat and command answers per account and clock hour; default 200. */
  repliesPerAccountPerHour?: number;
  /** GitHub content requests' pace per installation; default GitHub's limits. */
  pace?: Omit<PaceOptions, "prefix">;
  /** Billing API requests per credential and window; default 300 a minute. */
  apiRateLimit?: BillingApiDeps["rateLimit"];
  now?: () => Date;
  /** How long a repository's `.github/jasper.yml` is used before it is read again; 30 s. */
  configCacheMs?: number;
}

export interface Jasper {
  /** The Probot app: the deliveries worker hands it each recorded delivery. */
  app: ApplicationFunction;
  ledger: Ledger;
  /** Who changed what; GET /api/v1/me records dashboard sign-ins (recordSignIn, src/audit). */
  audit: AuditLog;
  /** The operators' use cases (jasper-admin and the operator API). */
  operators: Operators;
  /** The dashboard's ended sessions (sign-out, sign out everywhere), in Redis. */
  sessions: SessionRevocations;
  producer: Producer;
  sendAlert: ReturnType<typeof createSendAlert>;
  sendBudgetWarning: ReturnType<typeof createSendBudgetWarning>;
  /**
   * Queues the emails of the budget warnings a charge returned (`warnings` of a created
   * charge); never throws. For the review path, which charges.
   */
  warnBudgets: WarnBudgets;
  runReview: ReturnType<typeof createRunReview>;
  postReply: ReturnType<typeof createPostReply>;
  sweep: ReturnType<typeof createSweeper>;
  /** What the deliveries worker runs for one recorded delivery (tests run it inline). */
  processDelivery: ProcessDelivery;
  /** Queues again the received deliveries whose job was lost (run with each sweep). */
  sweepDeliveries: DeliverySweep;
  /** The outboxes' drain, run with each sweep (see start-workers.ts, WorkerDeps.redrive). */
  redrive(): Promise<Redriven>;
  /** The web role: GitHub webhooks (recorded and queued), the Stripe webhook, the billing API, the dashboard, /healthz. */
  createServer(): Promise<FastifyInstance>;
  /** The worker role, on a worker connection (createRedis(url, "worker")). */
  startWorkers(connection: Redis, options?: WorkerTuning): Workers;
  /** Closes the queues this process produces to (reviews, replies, notifications). */
  close(): Promise<void>;
}

/** What wireMoney needs: the store, the producer's Redis connection and the log. */
export type MoneyAdapters = Pick<Adapters, "store" | "redis" | "log">;

/** The Redis key prefix of this process's queues and counters. */
export const queuePrefixOf = (t: Tuning): string => t.queuePrefix ?? "jasper";
