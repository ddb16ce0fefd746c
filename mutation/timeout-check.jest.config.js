// The Jest configuration of the timeout check (check-timeouts.js): the project's, against the
// in-memory store only like a mutation run (no global setup: the stores are not what is
// mutated), over the suite files the check names on its command line.
import base from "../jest.config.js";

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: "..",
  roots: ["<rootDir>/test"],
  globalSetup: undefined,
  globalTeardown: undefined,
};
