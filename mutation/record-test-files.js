// Loaded after the test framework in each suite of a mutation run (mutation/jest.config.js).
// In Stryker's first run of all the tests, it writes down which file holds each test, by the
// name Stryker picks tests by; mutation/test-sequencer.js reads it back so that a mutant's run
// loads only the files of the tests that reach it. Outside Stryker, and in a mutant's run, it
// does nothing.
import { afterEach, expect } from "@jest/globals";
import { appendFileSync } from "node:fs";
import { TEST_FILES } from "./test-files-path.js";

const underStryker = globalThis.__stryker__ !== undefined;
const mutantRun = process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined;
if (underStryker && !mutantRun) {
  afterEach(() => {
    const { currentTestName, testPath } = expect.getState();
    if (currentTestName && testPath) {
      appendFileSync(TEST_FILES, `${JSON.stringify([currentTestName, testPath])}\n`);
    }
  });
}
