// The Jest configuration of a mutation run (stryker.config.js): the project's, over the
// suites that test the money core, against the in-memory store only (no global setup, so no
// MongoDB is looked for: the stores are not what is mutated). MUTATION_TESTS, a comma-separated
// list of globs under the project, narrows it, e.g. for a quick run over one file; mutation/run.js
// sets it to each group's suites.
import base from "../jest.config.js";
import { GROUPS } from "./groups.js";

// Every group's suites (mutation/groups.js), for a run of the whole config at once.
const MONEY_SUITES = [...new Set(GROUPS.flatMap((group) => group.tests))];

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
  // A mutant's run loads only the suites holding the tests that reach it (test-sequencer.js).
  setupFilesAfterEnv: [
    ...(base.setupFilesAfterEnv ?? []),
    "<rootDir>/mutation/record-test-files.js",
  ],
  testSequencer: "<rootDir>/mutation/test-sequencer.js",
  // ... and stops at the first file a test of the mutant fails in.
  runner: "<rootDir>/mutation/stop-at-first-failure-runner.js",
};
