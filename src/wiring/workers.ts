import type { Redis } from "ioredis";
import { toAccountId } from "../accounts/types.js";
import type { Config } from "../config/env.js";
import { createAlertRedrive } from "../notifications/redrive-alerts.js";
import { createSendAlert } from "../notifications/send-alert.js";
import { createSendBudgetWarning } from "../notifications/send-budget-warning.js";
import { createPostReply } from "../replies/post-reply.js";
import { createLearnCommand } from "../replies/learn-command.js";
import { createNoticeRedrive } from "../reviews/paused-notice.js";
import { createRunReview } from "../reviews/run-review.js";
import { createTakeUp } from "../reviews/take-up.js";
import { startWorkers, type WorkerTuning } from "../worker/start-workers.js";
import type { Deliveries, GitHubHostParts } from "./github.js";
import type { Money } from "./money.js";
import { queuePrefixOf, type Adapters, type Tuning } from "./types.js";

/**
 * The worker role's use cases: running a review, posting replies, sending the emails, and the
 * outboxes' drain that runs with each sweep; and `start`, which puts them on the queues.
 */
export function wireWorkers(
  config: Config,
  a: Adapters,
  t: Tuning,
  { pace, host, voice, checkRuns }: GitHubHostParts,
  money: Money,
  deliveries: Pick<Deliveries, "process" | "sweep">,
) {
  const { store, log } = a;
  const { producer, acceptReview, finishRun, audit, sweep } = money;
  const publicUrl = config.PUBLIC_URL;
  const sendAlert = createSendAlert({
    accounts: store.accounts,
    mailer: a.mailer,
    publicUrl,
    botName: config.BOT_NAME,
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
    learnings: store.learnings,
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
    learn: createLearnCommand({ learnings: store.learnings, audit, host, voice }),
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

  const start = (connection: Redis, options: WorkerTuning = {}) =>
    startWorkers({
      connection,
      prefix: queuePrefixOf(t),
      processDelivery: deliveries.process,
      sweepDeliveries: deliveries.sweep,
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
    });
  return { sendAlert, sendBudgetWarning, runReview, postReply, redrive, start };
}
