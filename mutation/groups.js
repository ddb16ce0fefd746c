// The money core as `npm run mutation` runs it: one Stryker run per group, each mutating a set
// of files with only the suites that test them. A mutant costs a run of every selected test that
// reaches it, and a suite's dry run is paid once per group whether or not it reaches a mutant,
// so each group lists the suites that exercise its files and no others. A suite left out can
// only lower a group's score (a mutant it would kill survives), never raise it.
// `files` are Stryker `mutate` patterns; `tests` are globs under the project (MUTATION_TESTS).
// The plan and top-up code joins as it lands; a money file in no group is not measured.

/** @type {{ name: string, files: string[], tests: string[] }[]} */
export const GROUPS = [
  {
    name: "ledger",
    files: ["src/ledger/**/*.ts"],
    tests: ["test/contract/ledger*.test.ts", "test/ledger/**/*.test.ts"],
  },
  {
    name: "budgets",
    files: ["src/budgets/**/*.ts"],
    tests: ["test/budgets/**/*.test.ts", "test/api/budgets.test.ts", "test/app/budgets.test.ts"],
  },
  {
    name: "accept-review",
    files: ["src/reviews/accept-review.ts"],
    tests: [
      "test/reviews/review-money.test.ts",
      "test/reviews/resumed-run-budgets.test.ts",
      "test/reviews/pause-reasons.test.ts",
      "test/reviews/inactive-account.test.ts",
    ],
  },
  {
    name: "stripe-events",
    files: ["src/billing/stripe-events.ts"],
    tests: ["test/billing/stripe-*.test.ts"],
  },
  {
    name: "plans",
    files: ["src/billing/plans.ts", "src/billing/plan-months.ts"],
    tests: ["test/billing/plans.test.ts", "test/billing/plan-months*.test.ts"],
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
    tests: [
      "test/billing/top-up-*.test.ts",
      "test/billing/pay-top-up.test.ts",
      "test/billing/stripe-customers.test.ts",
      "test/api/auto-top-up.test.ts",
      "test/app/auto-top-up.test.ts",
    ],
  },
];
