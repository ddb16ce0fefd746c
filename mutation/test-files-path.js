// Where a mutation run writes down which file holds each test (record-test-files.js): in the
// project copy Stryker runs in (its sandbox), made afresh for every run.
export const TEST_FILES = new URL("../.stryker-test-files.jsonl", import.meta.url);
