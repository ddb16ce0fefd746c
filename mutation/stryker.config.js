// StrykerJS over the money core (docs/development.md, "Mutation testing"). `npm run mutation`
// (mutation/run.js) runs it once per group of mutation/groups.js, passing the group's files as
// --mutate and naming the group in MUTATION_GROUP, so each run has its own report and
// incremental file. Run directly it mutates every group's files with every group's suites.
// Not part of `npm test`: a whole run is slow (docs/development.md gives the measured times).
import { GROUPS } from "./groups.js";

const report = `reports/mutation/${process.env.MUTATION_GROUP ?? "mutation"}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The money core: every group's files.
  mutate: GROUPS.flatMap((group) => group.files),
  testRunner: "jest",
  plugins: ["@stryker-mutator/jest-runner"],
  // Jest runs the TypeScript sources as native ES modules (jest.config.js).
  testRunnerNodeArgs: ["--experimental-vm-modules"],
  jest: {
    configFile: "mutation/jest.config.js",
    // Per-test coverage picks the tests that reach each mutant, by name: Jest still loads
    // every suite of the run, which is why mutation/groups.js keeps each group's suites few.
    // Finding related tests by import would not narrow them: the money suites all import
    // the ledger.
    enableFindRelatedTests: false,
  },
  coverageAnalysis: "perTest",
  concurrency: 2,
  // A mutant that makes a test loop or wait forever is a kill, reported as a timeout.
  timeoutMS: 10000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `${report}.html` },
  jsonReporter: { fileName: `${report}.json` },
  // Used with --incremental only (mutation/run.js says when): the last results of this group.
  incrementalFile: `reports/mutation/incremental/${process.env.MUTATION_GROUP ?? "mutation"}.json`,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["dist", "coverage", "artifacts", "reports"],
};
