// `npm run mutation`: StrykerJS over the money core (docs/development.md, "Mutation testing").
// Not part of `npm test`: a whole run is slow (docs/development.md gives the measured times).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The money core. Plan and top-up code joins this list as it lands.
  mutate: [
    "src/ledger/**/*.ts",
    "src/budgets/**/*.ts",
    "src/reviews/accept-review.ts",
    "src/billing/stripe-events.ts",
    "src/billing/plans.ts",
    "src/billing/plan-months.ts",
    "src/billing/top-up-rules.ts",
    "src/billing/top-up-payment-events.ts",
    "src/billing/pay-top-up.ts",
    "src/billing/top-up-declines.ts",
    "src/billing/stripe-customers.ts",
    "src/billing/card-setup-events.ts",
    "src/administration/auto-top-up-settings.ts",
  ],
  testRunner: "jest",
  plugins: ["@stryker-mutator/jest-runner"],
  // Jest runs the TypeScript sources as native ES modules (jest.config.js).
  testRunnerNodeArgs: ["--experimental-vm-modules"],
  jest: {
    configFile: "mutation/jest.config.js",
    // Per-test coverage already picks the tests that reach each mutant.
    enableFindRelatedTests: false,
  },
  coverageAnalysis: "perTest",
  concurrency: 2,
  // A mutant that makes a test loop or wait forever is a kill, reported as a timeout.
  timeoutMS: 10000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["dist", "coverage", "artifacts", "reports"],
};
