import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import globals from "globals";
import { readdirSync } from "node:fs";
import tseslint from "typescript-eslint";

/**
 * The layers of src/, lowest first (docs/architecture.md draws them). A folder imports only
 * folders of lower layers, never one of its own layer or above, type imports included: so no
 * import cycle can form between folders, and domains cannot reach the adapters above them.
 * A new folder must be placed here (a test fails until it is).
 */
export const SRC_LAYERS = [
  { name: "kernel", folders: ["shared"] },
  { name: "accounts", folders: ["accounts", "repository-config"] },
  { name: "ledger", folders: ["ledger"] },
  {
    name: "money rules",
    folders: ["audit", "budgets", "usage", "billing", "commands", "learnings"],
  },
  { name: "configuration", folders: ["config"] },
  { name: "review engine", folders: ["engine"] },
  { name: "voice", folders: ["voice"] },
  { name: "reviews", folders: ["reviews", "notifications", "deliveries"] },
  { name: "use cases", folders: ["replies", "operators", "administration"] },
  { name: "storage and queue adapters", folders: ["store", "queue"] },
  { name: "GitHub and HTTP adapters", folders: ["github", "api"] },
  { name: "entry points", folders: ["worker", "server", "dashboard", "setup"] },
  { name: "wiring", folders: ["wiring"] },
  { name: "processes", folders: ["cli"] },
];

/**
 * The dashboard's layers (web/src): features never import each other, so a page can be
 * changed or removed alone; what they share sits in shared/ and api/.
 */
const WEB_FEATURES = "web/src/features";

/** import-x/no-restricted-paths zones: each folder may not import its layer or any above. */
function layerZones() {
  return SRC_LAYERS.flatMap((layer, i) =>
    layer.folders.flatMap((folder) => {
      const from = [
        ...SRC_LAYERS.slice(i)
          .flatMap((l) => l.folders)
          .filter((f) => f !== folder)
          .map((f) => `./src/${f}`),
        // The wiring (compose.ts, main.ts) is above every layer; only the processes start it.
        ...(i < SRC_LAYERS.length - 1 ? ["./src/compose.ts", "./src/main.ts"] : []),
      ];
      const message = `src/${folder} (layer "${layer.name}") imports only lower layers (eslint.config.js, SRC_LAYERS; docs/architecture.md): pass what it needs in, or declare a port here.`;
      return from.length > 0 ? [{ target: `./src/${folder}`, from, message }] : [];
    }),
  );
}

/** The domain folders: rules and ports, no adapters. */
export const DOMAIN_FOLDERS = [
  "ledger",
  "accounts",
  "reviews",
  "billing",
  "notifications",
  "deliveries",
  "audit",
  "operators",
  "usage",
  "budgets",
  "administration",
  "commands",
  "learnings",
  "voice",
  "repository-config",
  "shared",
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
  { ignores: ["dist/", "coverage/", "node_modules/", "reports/", ".stryker-tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The layers as a lint rule: folders import downward only, and no file cycles (value
    // imports; a type-only cycle between files of one folder is harmless at run time).
    files: ["src/**/*.ts", "web/src/**/*.{ts,tsx}"],
    plugins: { "import-x": importX },
    settings: {
      // How import-x reads the files an import leads to (for no-cycle): TypeScript's parser.
      "import-x/extensions": [".ts", ".tsx", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          project: ["tsconfig.json", "web/tsconfig.json"],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      "import-x/no-cycle": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: { "import-x/no-restricted-paths": ["error", { zones: layerZones() }] },
  },
  {
    files: ["web/src/**/*.{ts,tsx}"],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            ...readdirSync(WEB_FEATURES).map((feature) => ({
              target: `./${WEB_FEATURES}/${feature}`,
              from: `./${WEB_FEATURES}`,
              except: [`./${feature}`],
              message:
                "A dashboard feature does not import another: move what both need to web/src/shared.",
            })),
            {
              target: ["./web/src/shared", "./web/src/api"],
              from: [`./${WEB_FEATURES}`, "./web/src/app.tsx", "./web/src/main.tsx"],
              message: "web/src/shared and web/src/api sit below the features and the app.",
            },
          ],
        },
      ],
    },
  },
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
