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
};
