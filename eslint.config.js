import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** The domain folders: rules and ports, no adapters. */
export const DOMAIN_FOLDERS = [
  "ledger",
  "accounts",
  "reviews",
  "billing",
  "notifications",
  "audit",
  "operators",
  "usage",
  "budgets",
];
const MONGOOSE_ONLY_IN_STORE = {
  name: "mongoose",
  message: "Only src/store/mongo may import mongoose.",
};
const STORE_BEHIND_PORTS = {
  regex: "(^|/)store(/|$)",
  message:
    "Domain folders declare ports; only src/store implements them. Import the port from its domain instead.",
};
// Use cases (the domains, and src/replies) reach the queue and GitHub through what they are
// given (enqueue functions, reviews/pull-request-host.ts) and throw PermanentError for what no
// retry can fix; src/queue, src/worker and src/github adapt. (Billing's stripe stays allowed.)
const NO_QUEUE_LIBRARY = {
  regex: "^bullmq(/|$)",
  message:
    "Use cases do not import the queue library: take an enqueue function, throw PermanentError; src/queue and src/worker adapt.",
};
const NO_GITHUB_CLIENT = {
  regex: "^(probot|@octokit/[^/]+)(/|$)",
  message:
    "Use cases do not import GitHub's client: take the port (reviews/pull-request-host.ts); src/github implements it.",
};

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // Only the store implementations talk to MongoDB: services get the narrow port they use
    // and never a mongoose document.
    files: ["src/**/*.ts"],
    ignores: ["src/store/mongo/**"],
    rules: { "no-restricted-imports": ["error", { paths: [MONGOOSE_ONLY_IN_STORE] }] },
  },
  {
    // The domains declare their ports (ledger-store.ts, account-store.ts, reviews/types.ts);
    // src/store implements them. A domain importing src/store would turn that around.
    // (This block replaces the rule for these folders, so it repeats the mongoose ban.)
    files: DOMAIN_FOLDERS.map((d) => `src/${d}/**/*.ts`),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [MONGOOSE_ONLY_IN_STORE],
          patterns: [STORE_BEHIND_PORTS, NO_QUEUE_LIBRARY, NO_GITHUB_CLIENT],
        },
      ],
    },
  },
  {
    // The replies go out through the same port as the reviews.
    files: ["src/replies/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [MONGOOSE_ONLY_IN_STORE], patterns: [NO_QUEUE_LIBRARY, NO_GITHUB_CLIENT] },
      ],
    },
  },
  {
    files: ["src/cli/**/*.ts", "bench/**/*.ts", "test/**/*.ts", "test/**/*.js"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The dashboard runs in the browser: no Node globals, and the same rules as the server.
    files: ["web/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
      // The dashboard talks to the server through the API only (api/client.ts, typed from
      // the OpenAPI document): no server code, no Node, no server libraries in the bundle.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./){3,}",
              message: "web/src imports nothing outside web/src: reach the server through the API.",
            },
            {
              regex: "^(node:|fastify|mongoose|probot|bullmq|ioredis|stripe|@octokit/)",
              message: "Server libraries do not belong in the browser bundle.",
            },
          ],
        },
      ],
    },
  },
);
