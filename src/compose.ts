/**
 * The one place that wires Jasper: every use case, the Probot app, the HTTP server with its
 * plugins and the queue workers are built here from the parsed configuration and the
 * adapters (database, Redis, GitHub, AI engine, mail). src/main.ts hands in the real
 * adapters; the test harness (test/support/harness.ts) hands in fakes where the outside
 * world would be, so the tests run this very wiring.
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import type Stripe from "stripe";
import { createAccountLifecycle } from "./administration/account-lifecycle.js";
import { toAccountId, type AccountId } from "./accounts/types.js";
import { createGitHubAuth, type GitHubAuth } from "./api/auth/github-auth.js";
import { billingApi } from "./api/billing-api.js";
import { createAuditLog, type AuditLog } from "./audit/audit-log.js";
import { createLedgerAuditor } from "./audit/ledger-audit.js";
import type { BillingApiDeps } from "./api/deps.js";
import {
  createCheckout,
  type CheckoutInput,
  type CheckoutResult,
} from "./billing/create-checkout.js";
import { createStripe } from "./billing/stripe-client.js";
import { createStripeEvents } from "./billing/stripe-events.js";
import { stripeWebhookRoute } from "./billing/stripe-webhook-route.js";
import { missingSignInSettings, type Config } from "./config/env.js";
import { dashboard } from "./dashboard/dashboard.js";
import {
  createSessionRevocations,
  type SessionRevocations,
} from "./dashboard/session-revocations.js";
import type { ReviewEngine } from "./engine/engine.js";
import { createOperators, type Operators } from "./operators/operators.js";
import { operatorApi } from "./api/operator-api.js";
import { runwayOf } from "./usage/runway.js";
import { usageReport } from "./usage/usage-report.js";
import { jasperApp } from "./github/app.js";
import { createInstallationOwnerCheck } from "./github/installation-owner.js";
import { createAccountAdmin } from "./github/account-admin.js";
import { createCommentEvents } from "./github/comment-events.js";
import { createGitHubHost } from "./github/github-host.js";
import { createPullRequestEvents } from "./github/pull-request-events.js";
import { createRefundCommand } from "./github/refund-command.js";
import { pullRequestUrlOn } from "./github/pull-request-url.js";
import { createWriteAccess } from "./github/write-access.js";
import { Ledger } from "./ledger/ledger.js";
import { createAlertEnqueuer } from "./notifications/enqueue-alerts.js";
import {
  createBudgetWarningEnqueuer,
  type WarnBudgets,
} from "./notifications/enqueue-budget-warnings.js";
import { createAlertRedrive } from "./notifications/redrive-alerts.js";
import type { Mailer } from "./notifications/mailer.js";
import { createSendAlert } from "./notifications/send-alert.js";
import { createSendBudgetWarning } from "./notifications/send-budget-warning.js";
import { pacedAuth } from "./github/paced-auth.js";
import { createInstallationPace, type PaceOptions } from "./queue/installation-pace.js";
import { createReplyLimiter } from "./queue/reply-limiter.js";
import { createProducer, type Producer } from "./queue/producer.js";
import { createPostReply } from "./replies/post-reply.js";
import { createVoice } from "./voice/voice.js";
import { createAcceptReview } from "./reviews/accept-review.js";
import { createCheckRuns, type CheckRuns } from "./reviews/check-runs.js";
import { createFinishRun } from "./reviews/finish-run.js";
import { createNoticeRedrive } from "./reviews/paused-notice.js";
import { createRefundOnRequest } from "./reviews/refund-on-request.js";
import { createRunReview } from "./reviews/run-review.js";
import { createTakeUp } from "./reviews/take-up.js";
import { createSweeper } from "./reviews/sweep-runs.js";
import { createServer } from "./server/create-server.js";
import type { Store } from "./store/store.js";
import { startWorkers, type WorkerDeps, type Workers } from "./worker/start-workers.js";

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
  /** The outboxes' drain, run with each sweep (see WorkerDeps.redrive). */
  redrive(): Promise<{ alerts: number; notices: number }>;
  /** The web role: GitHub webhooks, the Stripe webhook, the billing API, the dashboard, /healthz. */
  createServer(): Promise<FastifyInstance>;
  /** The worker role, on a worker connection (createRedis(url, "worker")). */
  startWorkers(
    connection: Redis,
    options?: Pick<
      WorkerDeps,
      "reviewConcurrency" | "staleAfterMs" | "sweepEveryMs" | "sweepCheckEveryMs"
    >,
  ): Workers;
  /** Closes the queues this process produces to (reviews, replies, notifications). */
  close(): Promise<void>;
}

/** Builds every use case from its parts, the same way for the app and for tests. */
export function composeJasper(config: Config, a: Adapters, t: Tuning = {}): Jasper {
  const { store, log } = a;
  const botName = config.BOT_NAME;
  const publicUrl = config.PUBLIC_URL;
  const prefix = t.queuePrefix ?? "jasper";

  // Shared by every process through Redis: GitHub's limits are per installation, not per process.
  const pace = createInstallationPace(a.redis, { prefix, ...t.pace });
  const host = createGitHubHost(pacedAuth(a.probot, pace), `${botName}[bot]`, {
    configCacheMs: t.configCacheMs ?? 30_000,
  });
  const voice = createVoice({ botName, publicUrl });

  const checkRuns = createCheckRuns({
    host,
    voice,
    onError: (err, pr) =>
      log.warn(
        { repository: pr.repository, number: pr.number, err: (err as Error).message },
        "check run not written",
      ),
  });
  const { producer, audit, auditLedgerEntry, ledger, warnBudgets, acceptReview, finishRun, sweep } =
    wireMoney(config, a, t, { checkRuns });
  const runway = (accountId: AccountId, balance: number) =>
    runwayOf(store.ledger, accountId, balance, (t.now ?? (() => new Date()))());
  const replyLimiter = createReplyLimiter(a.redis, {
    prefix,
    chatPerHour: t.chatPerHour ?? 20,
    commandsPerHour: t.commandsPerHour ?? 20,
    perAccountPerHour: t.repliesPerAccountPerHour ?? 200,
  });
  const accountAdmin = createAccountAdmin(a.probot);
  const app = jasperApp({
    lifecycle: createAccountLifecycle({ accounts: store.accounts, ledger }),
    onPullRequest: createPullRequestEvents({
      accounts: store.accounts,
      acceptReview,
      botLogin: `${botName}[bot]`,
      botName,
      host,
      checkRuns,
    }),
    onComment: createCommentEvents({
      accounts: store.accounts,
      writeAccess: createWriteAccess(a.probot),
      accountAdmin,
      refund: createRefundCommand({
        accountAdmin,
        refundOnRequest: createRefundOnRequest({ runs: store.runs, ledger, audit }),
        voice,
      }),
      ledger,
      pullRequests: store.pullRequests,
      enqueueReply: producer.enqueueReply,
      allowChat: replyLimiter.allowChat,
      allowCommand: replyLimiter.allowCommand,
      voice,
    }),
  });
  const sendAlert = createSendAlert({
    accounts: store.accounts,
    mailer: a.mailer,
    publicUrl,
    botName,
    log,
  });
  const sendBudgetWarning = createSendBudgetWarning({
    accounts: store.accounts,
    mailer: a.mailer,
    publicUrl,
    log,
  });
  const runReview = createRunReview({
    runs: store.runs,
    engine: a.engine,
    finishRun,
    acceptReview,
    takeUp: createTakeUp({
      runs: store.runs,
      pullRequests: store.pullRequests,
      acceptReview,
      checkRuns,
      enqueueReply: producer.enqueueReply,
    }),
    host,
    checkRuns,
  });
  const postReply = createPostReply({
    pullRequests: store.pullRequests,
    runs: store.runs,
    engine: a.engine,
    acceptReview,
    host,
    voice,
    checkRuns,
    audit,
  });
  const redriveAlerts = createAlertRedrive({
    ledger: store.ledger,
    enqueueAlert: producer.enqueueAlert,
  });
  const redriveNotices = createNoticeRedrive({
    pullRequests: store.pullRequests,
    enqueueReply: producer.enqueueReply,
  });
  const redrive = async () => ({ alerts: await redriveAlerts(), notices: await redriveNotices() });

  // Stripe is optional: without a key, checkout answers 503 and everything else works.
  const stripe =
    a.stripe !== undefined
      ? a.stripe
      : config.STRIPE_SECRET_KEY
        ? createStripe(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE)
        : null;
  const packages = config.CREDIT_PACKAGES;
  const operators = createOperators({
    accounts: store.accounts,
    ledger,
    ledgerStore: store.ledger,
    runs: store.runs,
    audit,
    sweep,
    now: t.now,
  });
  // One token check (and one cache) for the API and the dashboard's sign-in.
  const githubAuth = a.githubAuth ?? createGitHubAuth({ baseUrl: config.github.api });
  const sessions = createSessionRevocations(a.redis, { prefix, hours: config.SESSION_HOURS });

  return {
    app,
    ledger,
    audit,
    producer,
    sendAlert,
    sendBudgetWarning,
    warnBudgets,
    runReview,
    postReply,
    sweep,
    redrive,
    operators,
    sessions,
    createServer: () =>
      createServer({
        probot: a.probot,
        app,
        store,
        installationOwner: createInstallationOwnerCheck(store.accounts),
        log,
        trustProxy: config.TRUST_PROXY,
        readiness: { redis: () => a.redis.ping() },
        plugins: [
          // First: its session is what the billing API reads as the dashboard's credential.
          dashboard({ config, githubAuth, sessions }),
          billingApi({
            accounts: store.accounts,
            ledger,
            apiKeys: store.apiKeys,
            audit,
            packages,
            checkout:
              a.checkout ??
              createCheckout({ stripe, sessions: store.checkoutSessions, publicUrl, packages }),
            github: githubAuth,
            missingSignInSettings: missingSignInSettings(config),
            // The App's slug is the bot's name (its bot user is `${botName}[bot]`).
            installUrl: `${config.github.web}/apps/${botName}/installations/new`,
            redis: a.redis,
            redisPrefix: prefix,
            botName,
            rateLimit: t.apiRateLimit,
            runs: store.runs,
            pullRequestUrl: pullRequestUrlOn(config.github.web),
            usage: (accountId, month, by) => usageReport(store.ledger, accountId, month, by),
            runway,
            now: t.now,
          }),
          // The operator API exists only with its token: without one, its paths are 404s.
          ...(config.OPERATOR_TOKEN
            ? [
                operatorApi({
                  token: config.OPERATOR_TOKEN,
                  operators,
                  accounts: store.accounts,
                  audit,
                }),
              ]
            : []),
          stripeWebhookRoute({
            webhookSecret: config.STRIPE_WEBHOOK_SECRET,
            stripe,
            events: stripe
              ? createStripeEvents({
                  stripe,
                  ledger,
                  sessions: store.checkoutSessions,
                  purchases: store.ledger,
                  packages,
                  audit: auditLedgerEntry,
                })
              : null,
          }),
        ],
      }),
    startWorkers: (connection, options = {}) =>
      startWorkers({
        connection,
        prefix,
        runReview,
        postReply,
        sendAlert,
        sendBudgetWarning,
        sweep,
        redrive,
        log,
        pace,
        installationOfReview: async (job) =>
          (await store.runs.get(toAccountId(job.accountId), job.runKey))?.installationId ?? null,
        ...options,
      }),
    async close() {
      await producer.close();
    },
  };
}

/** What wireMoney needs: the store, the producer's Redis connection and the log. */
export type MoneyAdapters = Pick<Adapters, "store" | "redis" | "log">;

/**
 * The parts that move credits, shared by the app (composeJasper) and the operators' CLI
 * (composeOperators), so both charge, refund, audit and sweep the same way: the producer,
 * the audit log, the ledger with its onEntry hook, the budget warnings' enqueuer, accepting
 * and finishing reviews, and the sweep. `checkRuns` (the app's, over GitHub) shows a run's
 * end on its commit; the CLI has no GitHub client and goes without.
 */
function wireMoney(
  config: Config,
  a: MoneyAdapters,
  t: Tuning,
  extras: { checkRuns?: CheckRuns } = {},
) {
  const { store, log } = a;
  const prefix = t.queuePrefix ?? "jasper";
  const voice = createVoice({ botName: config.BOT_NAME, publicUrl: config.PUBLIC_URL });
  const producer = createProducer(a.redis, {
    prefix,
    reviewDelayMs: t.reviewDelayMs ?? 5_000,
    retryDelayMs: t.retryDelayMs,
  });
  const audit = createAuditLog({ store: store.audit, now: t.now });
  const auditLedgerEntry = createLedgerAuditor(audit);
  const enqueueAlerts = createAlertEnqueuer(producer.enqueueAlert, log);
  const warnBudgets = createBudgetWarningEnqueuer(producer.enqueueBudgetWarning, log);
  const ledger = new Ledger({
    store: store.ledger,
    freePerMonth: config.FREE_REVIEWS_PER_MONTH,
    now: t.now,
    onEntry: async (entry, crossed) => {
      // Low-balance emails: queued when an entry crosses a level, never sent inline.
      await enqueueAlerts(entry, crossed);
      // Money the app or Stripe moved (automatic refunds, purchases): into the audit log.
      // Logged and lost if it fails: the entry stands, and the ledger is its own record.
      await auditLedgerEntry(entry).catch((err: unknown) =>
        log.warn(
          { accountId: entry.accountId, entryId: entry.id, err: (err as Error).message },
          "audit: ledger entry not recorded",
        ),
      );
    },
  });
  const acceptReview = createAcceptReview({
    runs: store.runs,
    pullRequests: store.pullRequests,
    accounts: store.accounts,
    ledger,
    enqueueReview: producer.enqueueReview,
    enqueueReply: producer.enqueueReply,
    pullRequestUrl: pullRequestUrlOn(config.github.web),
    warnBudgets,
    now: t.now,
  });
  const finishRun = createFinishRun({
    runs: store.runs,
    ledger,
    enqueueReply: producer.enqueueReply,
    voice,
    checkRuns: extras.checkRuns,
  });
  const sweep = createSweeper({
    runs: store.runs,
    acceptReview,
    finishRun,
    reviewJobState: producer.reviewJobState,
    enqueueReview: producer.enqueueReview,
    onError: (run, err) =>
      log.warn(
        { accountId: run.accountId, runKey: run.runKey, err: (err as Error).message },
        "sweep: run not handled; it is tried again on the next sweep",
      ),
  });

  return { producer, audit, auditLedgerEntry, ledger, warnBudgets, acceptReview, finishRun, sweep };
}

/**
 * The operators' use cases (src/operators) for jasper-admin: the same ledger, audit log and
 * sweep as the app, without GitHub, Stripe or the workers. Close the producer when done.
 */
export function composeOperators(config: Config, a: MoneyAdapters, t: Tuning = {}) {
  const { producer, audit, ledger, sweep } = wireMoney(config, a, t);
  const operators = createOperators({
    accounts: a.store.accounts,
    ledger,
    ledgerStore: a.store.ledger,
    runs: a.store.runs,
    audit,
    sweep,
    now: t.now,
  });
  return { operators, ledger, audit, close: () => producer.close() };
}
