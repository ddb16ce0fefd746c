// Jest's test runner for a mutation run (mutation/jest.config.js): for a mutant, it runs the
// files one at a time and stops at the first file a test fails in. One failing test is all
// Stryker needs to call a mutant killed, and Stryker's Jest runner cannot bail itself (it sets
// Jest's `bail` to false: Jest's bail is not available through runCLI), so without this every
// file that reaches a killed mutant still loads and runs. Stryker's first run (no active
// mutant) runs every file, as it must, to learn which tests reach which mutant.
import { appendFileSync } from "node:fs";
import JestRunner from "jest-runner";

const Base = JestRunner.default ?? JestRunner;

// Stryker names the mutant under test in this variable (@stryker-mutator/api, instrument.js).
const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

export default class StopAtFirstFailure extends Base {
  async runTests(tests, watcher, options) {
    if (process.env[ACTIVE_MUTANT] === undefined || !options.serial) {
      return super.runTests(tests, watcher, options);
    }
    let failed = false;
    const offSuccess = this.on("test-file-success", ([, result]) => {
      if (result.numFailingTests > 0) failed = true;
    });
    const offFailure = this.on("test-file-failure", () => {
      failed = true;
    });
    let ran = 0;
    try {
      for (const test of tests) {
        if (failed) break;
        ran++;
        await super.runTests([test], watcher, options);
      }
    } finally {
      offSuccess();
      offFailure();
    }
    // MUTATION_SEQUENCER_LOG=<file> (test-sequencer.js): how many of the kept files ran.
    if (process.env.MUTATION_SEQUENCER_LOG) {
      appendFileSync(process.env.MUTATION_SEQUENCER_LOG, `ran ${ran} of ${tests.length}\n`);
    }
  }
}
