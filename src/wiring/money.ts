import { createAuditLog } from "../audit/audit-log.js";
import { createLedgerAuditor } from "../audit/ledger-audit.js";
import { createSeatLimit } from "../billing/seat-limit.js";
import type { Config } from "../config/env.js";
import { pullRequestUrlOn } from "../github/pull-request-url.js";
import { Ledger } from "../ledger/ledger.js";
import { createAlertEnqueuer } from "../notifications/enqueue-alerts.js";
import { createBudgetWarningEnqueuer } from "../notifications/enqueue-budget-warnings.js";
import { createTopUpTrigger } from "../notifications/enqueue-top-ups.js";
import { createOperators } from "../operators/operators.js";
import { createProducer } from "../queue/producer.js";
import { createAcceptReview } from "../reviews/accept-review.js";
import type { CheckRuns } from "../reviews/check-runs.js";
import { createFinishRun } from "../reviews/finish-run.js";
import { createSweeper } from "../reviews/sweep-runs.js";
import { createVoice } from "../voice/voice.js";
import { queuePrefixOf, type MoneyAdapters, type Tuning } from "./types.js";
import { planMonthDeps, plansOf } from "./plan-months.js";

/**
 * The parts that move credits, shared by the app (composeJasper) and the operators' CLI
 * (composeOperators), so both charge, refund, audit and sweep the same way: the producer,
 * the audit log, the ledger with its onEntry hook, the budget warnings' enqueuer, accepting
 * and finishing reviews, and the sweep. `checkRuns` (the app's, over GitHub) shows a run's
 * end on its commit; the CLI has no GitHub client and goes without.
 */
export function wireMoney(
  config: Config,
  a: MoneyAdapters,
  t: Tuning,
  extras: { checkRuns?: CheckRuns } = {},
) {
  const { store, log } = a;
  const prefix = queuePrefixOf(t);
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
  const triggerTopUp = createTopUpTrigger({
    settings: store.autoTopUp,
    enqueueTopUp: producer.enqueueTopUp,
    log,
  });
  const ledger = new Ledger({
    store: store.ledger,
    freePerMonth: config.FREE_REVIEWS_PER_MONTH,
    now: t.now,
    onEntry: async (entry, crossed) => {
      // Low-balance emails: queued when an entry crosses a level, never sent inline.
      await enqueueAlerts(entry, crossed);
      // Automatic top-up: one job when a charge crosses the account's threshold.
      await triggerTopUp(entry);
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
    seatLimit: createSeatLimit({
      subscriptions: store.subscriptions,
      ledger: store.ledger,
      plans: plansOf(config),
      now: t.now,
    }),
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

export type Money = ReturnType<typeof wireMoney>;

/** The operators' use cases over the money parts: the same for the app, the API and the CLI. */
export function wireOperators(config: Config, a: MoneyAdapters, t: Tuning, money: Money) {
  return createOperators({
    accounts: a.store.accounts,
    ledger: money.ledger,
    ledgerStore: a.store.ledger,
    runs: a.store.runs,
    audit: money.audit,
    sweep: money.sweep,
    planMonths: planMonthDeps(config, a, t, money.ledger),
    now: t.now,
  });
}
