import type { Redis } from "ioredis";
import { toAccountId } from "../accounts/types.js";
import { createEnterpriseInvoices } from "../billing/enterprise-invoices.js";
import { rollPlanMonths } from "../billing/plan-months.js";
import type { SubscriptionState } from "../billing/subscription-store.js";
import type { Config } from "../config/env.js";
import { createAlertRedrive } from "../notifications/redrive-alerts.js";
import { createSendAlert } from "../notifications/send-alert.js";
import { createSendBudgetWarning } from "../notifications/send-budget-warning.js";
import { createPostReply } from "../replies/post-reply.js";
import { createLearnCommand } from "../replies/learn-command.js";
import { createNoticeRedrive } from "../reviews/paused-notice.js";
import { createRedeliverFailed } from "../github/redeliver-failed.js";
import { createRedeliveryClaims } from "../queue/redelivery-claims.js";
import { createRunReview } from "../reviews/run-review.js";
import { createTakeUp } from "../reviews/take-up.js";
import { createTopUpRedrive } from "../notifications/redrive-top-ups.js";
import { createSendTopUpNotice } from "../notifications/top-up-notices.js";
import { createSendPlanPaymentFailed } from "../notifications/plan-payment-failed.js";
import { startWorkers, type Redriven, type WorkerTuning } from "../worker/start-workers.js";
import type { Deliveries, GitHubHostParts } from "./github.js";
import type { Money } from "./money.js";
import { planMonthDeps, plansOf } from "./plan-months.js";
import type { Payments } from "./top-ups.js";
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
  payments: Payments,
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
  const redriveTopUps = createTopUpRedrive(
    { settings: store.autoTopUp, ledger: store.ledger, enqueueTopUp: producer.enqueueTopUp },
    { now: t.now },
  );
  const { repairTopUps } = payments;
  const redrive = async (): Promise<Redriven> => ({
    alerts: await redriveAlerts(),
    notices: await redriveNotices(),
    topUps: await redriveTopUps(),
    stuckTopUps: repairTopUps
      ? await repairTopUps((attempt, err) =>
          log.warn(
            { accountId: attempt.accountId, attemptKey: attempt.attemptKey, err: String(err) },
            "sweep: top-up attempt in flight not settled; it is tried again on the next sweep",
          ),
        )
      : 0,
  });
  const sendTopUpNotice = createSendTopUpNotice({
    accounts: store.accounts,
    attempts: store.topUpAttempts,
    mailer: a.mailer,
    publicUrl,
    checkout: payments.stripe ? payments.checkout : undefined,
    log,
  });
  const sendPlanPaymentFailed = createSendPlanPaymentFailed({
    accounts: store.accounts,
    subscriptions: store.subscriptions,
    mailer: a.mailer,
    plans: plansOf(config),
    publicUrl,
    log,
  });
  // The App's own client (App JWT), not an installation's: the deliveries are the App's.
  const redeliver =
    config.REDELIVER_PER_RUN > 0
      ? createRedeliverFailed({
          appOctokit: () => a.probot.auth(),
          // What the inbox holds is not asked for again: it is processed, or will be.
          recorded: store.deliveries,
          claims: createRedeliveryClaims(a.redis, queuePrefixOf(t)),
          perRun: config.REDELIVER_PER_RUN,
          log,
        })
      : undefined;
  const planMonths = planMonthDeps(config, a, t, money.ledger);
  // Each granted enterprise month billed by a Stripe invoice with the roll that grants it.
  const enterpriseInvoices = createEnterpriseInvoices({
    stripe: payments.stripe,
    customers: payments.customers,
    audit,
    billingCurrency: async (id) => (await store.accounts.get(id))?.billingCurrency ?? null,
    planMonths,
  });
  const invoiceOrWarn = enterpriseInvoices.afterGrant((s, err) =>
    log.warn(
      { err, account: s.accountId, subscription: s.subscriptionId },
      "enterprise invoice not made; the next plan month roll tries again",
    ),
  );
  const invoiceEnterpriseMonth = async (s: SubscriptionState) => {
    const r = await invoiceOrWarn(s);
    // An operator closed the month's invoice at Stripe: recorded, not replaced; someone looks.
    if (r?.status === "not_replaced") {
      log.warn(
        { account: s.accountId, subscription: s.subscriptionId, invoice: r.invoice, as: r.found },
        "enterprise month's invoice is closed at Stripe; recorded as invoiced, no other made",
      );
    }
  };

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
      runTopUp: payments.runTopUp,
      sendTopUpNotice,
      sendPlanPaymentFailed,
      sweep,
      redrive,
      redeliver,
      rollPlanMonths: () => rollPlanMonths(planMonths, 100, invoiceEnterpriseMonth),
      log,
      pace,
      installationOfReview: async (job) =>
        (await store.runs.get(toAccountId(job.accountId), job.runKey))?.installationId ?? null,
      ...options,
    });
  return { sendAlert, sendBudgetWarning, runReview, postReply, redrive, start };
}
