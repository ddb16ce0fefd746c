/**
 * The one entry to Jasper's wiring: every use case, the Probot app, the HTTP server with its
 * plugins and the queue workers, built from the parsed configuration and the adapters
 * (database, Redis, GitHub, AI engine, mail). src/main.ts hands in the real adapters; the
 * test harness (test/support/harness.ts) hands in fakes where the outside world would be, so
 * the tests run this very wiring; the operators' CLI takes the money parts alone.
 *
 * The wiring is split by concern in src/wiring: the money (ledger, audit, producer, accepting
 * and finishing reviews, the sweep), GitHub (the host, check runs, the Probot app), the
 * workers and HTTP. This file only puts them together in order.
 */
import type { Config } from "./config/env.js";
import { wireDeliveries, wireGitHubApp, wireGitHubHost } from "./wiring/github.js";
import { wireHttp } from "./wiring/http.js";
import { wireMoney, wireOperators } from "./wiring/money.js";
import { wirePayments } from "./wiring/top-ups.js";
import type { Adapters, Jasper, MoneyAdapters, Tuning } from "./wiring/types.js";
import { wireWorkers } from "./wiring/workers.js";

export type { Adapters, Jasper, MoneyAdapters, Tuning } from "./wiring/types.js";

/** Builds every use case from its parts, the same way for the app and for tests. */
export function composeJasper(config: Config, a: Adapters, t: Tuning = {}): Jasper {
  const github = wireGitHubHost(config, a, t);
  // The money parts show a run's end on its check run, so GitHub's host comes first.
  const money = wireMoney(config, a, t, { checkRuns: github.checkRuns });
  const app = wireGitHubApp(config, a, t, github, money);
  const deliveries = wireDeliveries(a, app, money, github);
  // Stripe and the top-ups' handlers: one of each for the web and the worker roles.
  const payments = wirePayments(config, a, t, money);
  const workers = wireWorkers(config, a, t, github, money, payments, deliveries);
  const operators = wireOperators(config, a, t, money);
  const http = wireHttp(config, a, t, {
    receive: deliveries.receive,
    money,
    operators,
    payments,
  });

  return {
    app,
    ledger: money.ledger,
    audit: money.audit,
    producer: money.producer,
    warnBudgets: money.warnBudgets,
    sweep: money.sweep,
    processDelivery: deliveries.process,
    sweepDeliveries: deliveries.sweep,
    sendAlert: workers.sendAlert,
    sendBudgetWarning: workers.sendBudgetWarning,
    runReview: workers.runReview,
    postReply: workers.postReply,
    redrive: workers.redrive,
    operators,
    sessions: http.sessions,
    createServer: http.createServer,
    startWorkers: workers.start,
    close: () => money.producer.close(),
  };
}

/**
 * The operators' use cases (src/operators) for jasper-admin: the same ledger, audit log and
 * sweep as the app, without GitHub, Stripe or the workers. Close the producer when done.
 */
export function composeOperators(config: Config, a: MoneyAdapters, t: Tuning = {}) {
  const money = wireMoney(config, a, t);
  return {
    operators: wireOperators(config, a, t, money),
    ledger: money.ledger,
    audit: money.audit,
    close: () => money.producer.close(),
  };
}
