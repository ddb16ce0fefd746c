// The Jest configuration of a mutation run (stryker.config.js): the project's, over the
// suites that test the money core, against the in-memory store only (no global setup, so no
// MongoDB is looked for: the stores are not what is mutated). MUTATION_TESTS, a comma-separated
// list of globs under the project, narrows it, e.g. for a quick run over one file.
import base from "../jest.config.js";

const MONEY_SUITES = [
  "test/contract/ledger*.test.ts",
  "test/ledger/**/*.test.ts",
  "test/budgets/**/*.test.ts",
  "test/reviews/review-money.test.ts",
  "test/reviews/resumed-run-budgets.test.ts",
  "test/reviews/pause-reasons.test.ts",
  "test/app/budgets.test.ts",
  "test/api/budgets.test.ts",
  "test/notifications/budget-warnings.test.ts",
  "test/operators/operator-api.test.ts",
  "test/billing/stripe-*.test.ts",
  "test/billing/plans.test.ts",
  "test/billing/plan-months.test.ts",
  "test/billing/top-up-rules.test.ts",
  "test/api/auto-top-up.test.ts",
];

const suites = process.env.MUTATION_TESTS
  ? process.env.MUTATION_TESTS.split(",").map((s) => s.trim())
  : MONEY_SUITES;

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: "..",
  roots: ["<rootDir>/test"],
  testMatch: suites.map((glob) => `<rootDir>/${glob}`),
  globalSetup: undefined,
  globalTeardown: undefined,
};
