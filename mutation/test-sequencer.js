// Jest's test sequencer for a mutation run (mutation/jest.config.js). Stryker's Jest runner
// picks a mutant's tests by name (testNamePattern) and Jest would load every suite to find
// them; this keeps only the files that hold a test of that name, as written down in Stryker's
// first run (record-test-files.js), so a mutant costs the suites that reach it. Without a
// name pattern, or without that list, or when no file matches, every file runs as before.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import DefaultSequencer from "@jest/test-sequencer";
import { TEST_FILES } from "./test-files-path.js";

const Base = DefaultSequencer.default ?? DefaultSequencer;

export default class MutantTestFiles extends Base {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
  }

  sort(tests) {
    const sorted = super.sort(tests);
    if (!this.pattern || !existsSync(TEST_FILES)) return sorted;
    // As Jest matches test names: the same pattern, case-insensitive, anywhere in the name.
    const wanted = new RegExp(this.pattern, "i");
    const files = new Set();
    for (const line of readFileSync(TEST_FILES, "utf8").split("\n")) {
      if (!line) continue;
      const [name, file] = JSON.parse(line);
      if (wanted.test(name)) files.add(file);
    }
    const kept = files.size === 0 ? sorted : sorted.filter((test) => files.has(test.path));
    // MUTATION_SEQUENCER_LOG=<file>: one line per mutant run, to see what it saves.
    if (process.env.MUTATION_SEQUENCER_LOG) {
      appendFileSync(process.env.MUTATION_SEQUENCER_LOG, `${kept.length} of ${sorted.length}\n`);
    }
    return kept;
  }
}
