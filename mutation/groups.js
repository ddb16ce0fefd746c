// The money core as `npm run mutation` runs it: one Stryker run per group, each mutating a set
// of files with only the suites that test them. Stryker's Jest runner picks a mutant's tests by
// name (testNamePattern), not by file; the test sequencer (test-sequencer.js) then loads only
// the files holding those tests, but Stryker's first run of a group (coverage per test) loads
// every suite listed, so each group lists the suites that exercise its files and no others. A
// suite left out can only lower a group's score (a mutant it would kill survives), never
// raise it.
// `files` are Stryker `mutate` patterns; `tests` are globs under the project (MUTATION_TESTS).
// The plan and top-up code joins as it lands; a money file in no group is not measured.

/** @type {{ name: string, files: string[], tests: string[] }[]} */
export const GROUPS = [
  {
    name: "ledger",
    files: ["src/ledger/**/*.ts"],
    // With the suites elsewhere that call ledger functions themselves, not through the app:
    // the usage report's runs per pull request, the transactions API's cursors, the budget
    // rules' and warnings' use of month-use.ts, the stores' contract, the inputs' schemas.
    tests: [
      "test/contract/ledger*.test.ts",
      "test/ledger/**/*.test.ts",
      "test/usage/usage-groups.test.ts",
      "test/usage/usage-and-runway.test.ts",
      "test/api/transactions.test.ts",
      "test/budgets/budget-use.test.ts",
      "test/notifications/budget-warning*.test.ts",
      "test/contract/store.contract.test.ts",
      "test/shared/zod-issues.test.ts",
    ],
  },
  {
    name: "budgets",
    files: ["src/budgets/**/*.ts"],
    tests: ["test/budgets/**/*.test.ts", "test/api/budgets.test.ts", "test/app/budgets.test.ts"],
  },
  {
    name: "accept-review",
    files: ["src/reviews/accept-review.ts"],
    // pause-reasons.test.ts tests the reasons' wording alone and reaches none of it. With the
    // suites that accept through the app: events, commands, re-reviews, refunds, budgets, the
    // plan's seats, crashes; and through the sweep, the stop notices and the paused-reviews API.
    tests: [
      "test/reviews/accept-review-*.test.ts",
      "test/reviews/review-money.test.ts",
      "test/reviews/resumed-run-budgets.test.ts",
      "test/reviews/inactive-account.test.ts",
      "test/reviews/resume-url.test.ts",
      "test/reviews/sweep-refunds-paged.test.ts",
      "test/replies/stop-notices.test.ts",
      "test/api/paused-reviews.test.ts",
      "test/operators/sweep-account.test.ts",
      "test/app/reviews.test.ts",
      "test/app/re-reviews.test.ts",
      "test/app/commands.test.ts",
      "test/app/refund-command.test.ts",
      "test/app/crash-recovery.test.ts",
      "test/app/budgets.test.ts",
      "test/app/seat-limit.test.ts",
      "test/app/account-status.test.ts",
    ],
  },
  {
    name: "stripe-events",
    files: ["src/billing/stripe-events.ts"],
    // The suites that send events through it (stripe-client and stripe-customers do not).
    tests: [
      "test/billing/stripe-event-*.test.ts",
      "test/billing/stripe-fulfilment.test.ts",
      "test/billing/stripe-ignored-reasons.test.ts",
      "test/billing/stripe-malformed-events.test.ts",
      "test/billing/stripe-refund*.test.ts",
      "test/billing/stripe-webhook*.test.ts",
    ],
  },
  {
    name: "plans",
    files: ["src/billing/plans.ts", "src/billing/plan-months.ts"],
    // With the suites that reach them through the subscription's events, its checkout and
    // currencies, the monthly sweep, the enterprise plan and invoices, and the billing status.
    tests: [
      "test/billing/plans.test.ts",
      "test/billing/plan-catalog.test.ts",
      "test/billing/plan-months*.test.ts",
      "test/billing/subscription*.test.ts",
      "test/billing/invoice-events.test.ts",
      "test/billing/enterprise-invoices.test.ts",
      "test/billing/stripe-event-routing.test.ts",
      "test/operators/enterprise-plan.test.ts",
      "test/worker/sweep-plan-months.test.ts",
      "test/api/billing-status.test.ts",
      "test/notifications/plan-payment-failed.test.ts",
      "test/app/seat-limit.test.ts",
    ],
  },
  {
    name: "top-ups",
    files: [
      "src/billing/top-up-rules.ts",
      "src/billing/top-up-payment-events.ts",
      "src/billing/pay-top-up.ts",
      "src/billing/top-up-declines.ts",
      "src/billing/stripe-customers.ts",
      "src/billing/card-setup-events.ts",
      "src/administration/auto-top-up-settings.ts",
    ],
    // With the suites that reach them from elsewhere: the repair of stuck attempts, the alert
    // jobs that start a top-up and its notices, the checkouts that find or make the Stripe
    // customer, the card-setup events' routing, the billing API.
    tests: [
      "test/billing/top-up-*.test.ts",
      "test/billing/pay-top-up.test.ts",
      "test/billing/stripe-customers.test.ts",
      "test/api/auto-top-up*.test.ts",
      "test/app/auto-top-up.test.ts",
      "test/billing/repair-top-ups.test.ts",
      "test/notifications/enqueue-top-ups.test.ts",
      "test/notifications/top-up-notices.test.ts",
      "test/billing/create-checkout.test.ts",
      "test/billing/currency.test.ts",
      "test/billing/stripe-event-routing.test.ts",
      "test/api/billing-api.test.ts",
    ],
  },
];
