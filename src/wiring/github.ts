import type { ApplicationFunction, Probot } from "probot";
import { createAccountLifecycle } from "../administration/account-lifecycle.js";
import type { Config } from "../config/env.js";
import { createProcessDelivery } from "../deliveries/process-delivery.js";
import { createReceiveDelivery } from "../deliveries/receive-delivery.js";
import { createDeliverySweep } from "../deliveries/sweep-deliveries.js";
import { createAccountAdmin } from "../github/account-admin.js";
import { jasperApp } from "../github/app.js";
import { createCommentEvents } from "../replies/comment-events.js";
import { createGitHubHost } from "../github/github-host.js";
import { pacedAuth } from "../github/paced-auth.js";
import { createReportFailedDelivery } from "../github/report-failed-delivery.js";
import { createPullRequestEvents } from "../github/pull-request-events.js";
import { createRefundCommand } from "../replies/refund-command.js";
import { createWriteAccess } from "../github/write-access.js";
import { createInstallationPace } from "../queue/installation-pace.js";
import { createReplyLimiter } from "../queue/reply-limiter.js";
import { createCheckRuns } from "../reviews/check-runs.js";
import { createRefundOnRequest } from "../reviews/refund-on-request.js";
import { createVoice } from "../voice/voice.js";
import type { Money } from "./money.js";
import { queuePrefixOf, type Adapters, type Tuning } from "./types.js";

/**
 * GitHub as the use cases see it: the installation's pace (shared by every process through
 * Redis: GitHub's limits are per installation, not per process), the host over Probot's
 * Octokit, the bot's voice and the check runs. Built before the money parts, which show a
 * run's end on its check run.
 */
export function wireGitHubHost(config: Config, a: Adapters, t: Tuning) {
  const botName = config.BOT_NAME;
  const pace = createInstallationPace(a.redis, { prefix: queuePrefixOf(t), ...t.pace });
  const host = createGitHubHost(pacedAuth(a.probot, pace), `${botName}[bot]`, {
    configCacheMs: t.configCacheMs ?? 30_000,
  });
  const voice = createVoice({ botName, publicUrl: config.PUBLIC_URL });
  const checkRuns = createCheckRuns({
    host,
    voice,
    runs: a.store.runs,
    onError: (err, pr) =>
      a.log.warn(
        { repository: pr.repository, number: pr.number, err: (err as Error).message },
        "check run not written",
      ),
  });
  return { pace, host, voice, checkRuns };
}
export type GitHubHostParts = ReturnType<typeof wireGitHubHost>;

/** The Probot app: installation events, pull requests, comments and their commands. */
export function wireGitHubApp(
  config: Config,
  a: Adapters,
  t: Tuning,
  { host, voice, checkRuns }: GitHubHostParts,
  money: Money,
) {
  const { store } = a;
  const botName = config.BOT_NAME;
  const replyLimiter = createReplyLimiter(a.redis, {
    prefix: queuePrefixOf(t),
    chatPerHour: t.chatPerHour ?? 20,
    commandsPerHour: t.commandsPerHour ?? 20,
    perAccountPerHour: t.repliesPerAccountPerHour ?? 200,
  });
  const accountAdmin = createAccountAdmin(a.probot);
  return jasperApp({
    lifecycle: createAccountLifecycle({ accounts: store.accounts, ledger: money.ledger }),
    onPullRequest: createPullRequestEvents({
      accounts: store.accounts,
      acceptReview: money.acceptReview,
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
        refundOnRequest: createRefundOnRequest({
          runs: store.runs,
          ledger: money.ledger,
          audit: money.audit,
        }),
        voice,
      }),
      ledger: money.ledger,
      pullRequests: store.pullRequests,
      enqueueReply: money.producer.enqueueReply,
      allowChat: replyLimiter.allowChat,
      allowCommand: replyLimiter.allowCommand,
      learnings: store.learnings,
      voice,
    }),
  });
}

type WebhookEvent = Parameters<Probot["receive"]>[0];

/** Redis states in which the producer's connection is known to be down (ioredis). */
const REDIS_DOWN = new Set(["reconnecting", "close", "end"]);

/**
 * GitHub's deliveries (src/deliveries): the webhook records and queues them (`receive`); the
 * deliveries worker hands each to the Probot app (`process`), whose routing (src/github/app.ts)
 * is what the webhook used to run inline; the sweep queues again what the queue lost.
 */
export function wireDeliveries(
  a: Adapters,
  app: ApplicationFunction,
  money: Money,
  { checkRuns }: Pick<GitHubHostParts, "checkRuns">,
) {
  const { store } = a;
  const { producer } = money;
  // The app is loaded once per process, on the first delivery it handles: a web-only process
  // never loads it (it only records), and loading twice would handle each event twice.
  let loaded: Promise<void> | undefined;
  const handle = async (d: { id: string; name: string; payload: unknown }) => {
    loaded ??= a.probot.load(app);
    await loaded;
    await a.probot.receive({ id: d.id, name: d.name, payload: d.payload } as WebhookEvent);
  };
  const reportFailed = createReportFailedDelivery({
    accounts: store.accounts,
    audit: money.audit,
    runs: store.runs,
    checkRuns,
    log: a.log,
  });
  return {
    receive: createReceiveDelivery({
      inbox: store.deliveries,
      enqueueDelivery: producer.enqueueDelivery,
      // Down once it was up and lost (reconnecting): refused at once. While the first connect
      // is under way the add is tried, within the producer's time limit.
      queueReady: () => !REDIS_DOWN.has(a.redis.status),
    }),
    process: createProcessDelivery({
      inbox: store.deliveries,
      handle,
      // Said loudly: nothing will retry it until GitHub redelivers it (App settings, Advanced,
      // or the redelivery job); and shown to the account: its audit log, the pull request.
      onFailed: async (d, error) => {
        a.log.error(
          { delivery: d.id, event: d.name, attempts: d.attempts, error },
          "GitHub delivery failed on every attempt: redeliver it from the App's settings",
        );
        await reportFailed(d, error);
      },
    }),
    sweep: createDeliverySweep({
      inbox: store.deliveries,
      deliveryJobState: producer.deliveryJobState,
      enqueueDelivery: producer.enqueueDelivery,
      // Failed without the worker saying so (killed on its last attempt): shown the same way.
      onFailed: async (d, error) => {
        a.log.error(
          { delivery: d.id, event: d.name, attempts: d.attempts, error },
          "GitHub delivery failed (its worker stopped): redeliver it from the App's settings",
        );
        await reportFailed(d, error);
      },
    }),
  };
}
export type Deliveries = ReturnType<typeof wireDeliveries>;
