// Jest runs the TypeScript sources as native ES modules (probot, nock and @octokit/webhooks
// ship ESM only), so it needs `node --experimental-vm-modules`; `npm run test:unit` passes it.
// @swc/jest only strips types: `npm run typecheck` is what checks them.
/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  // web/src: the dashboard's pure functions, tested beside them (typechecked with web/'s tsconfig).
  roots: ["<rootDir>/test", "<rootDir>/web/src"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2023" },
        module: { type: "es6" },
      },
    ],
  },
  globalSetup: "<rootDir>/test/support/global-setup.js",
  globalTeardown: "<rootDir>/test/support/global-teardown.js",
  testTimeout: 30000,
  // The suites run one file at a time (2 cores: one worker), and an ES-module test file's module
  // graph is not fully freed when the next file starts, so a single long-lived process grows
  // until V8's heap limit: a full CI run died out of memory after ~830 s (4 GB), and before that
  // correctness tests overran their timeouts while the heap thrashed in mark-compacts. Setting a
  // limit makes Jest run the files in a worker process (still one at a time) and start a fresh
  // one whenever the idle worker holds more than this after a file.
  workerIdleMemoryLimit: "1GB",
};
