import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** The domain folders: rules and ports, no adapters. */
export const DOMAIN_FOLDERS = ["ledger", "accounts", "reviews", "billing", "notifications"];
const MONGOOSE_ONLY_IN_STORE = {
  name: "mongoose",
  message: "Only src/store/mongo may import mongoose.",
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
          patterns: [
            {
              regex: "(^|/)store(/|$)",
              message:
                "Domain folders declare ports; only src/store implements them. Import the port from its domain instead.",
            },
          ],
        },
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
);
