/**
 * `npm run api:types`: regenerates the dashboard's typed API client types
 * (web/src/api/schema.d.ts) from the billing API's route schemas, as the running server
 * documents them at GET /api/v1/openapi.json. The file is committed, so `npm run typecheck`
 * catches a route change the dashboard does not follow, and a test catches a stale file.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDotEnv, orExit } from "../config/env.js";
import { takeNoArguments } from "./usage.js";

takeNoArguments(
  `Usage: npm run api:types

Regenerates web/src/api/schema.d.ts from the billing API's routes. Needs Redis at REDIS_URL
(.env in the working directory, under the environment; default redis://127.0.0.1:6379).`,
  2,
);
orExit(() => loadDotEnv());
// Loaded after --help is answered: the routes and openapi-typescript take seconds to load.
const { generateApiTypes } = await import("./openapi-document.js");
const target = fileURLToPath(new URL("../../web/src/api/schema.d.ts", import.meta.url));
writeFileSync(target, await generateApiTypes(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"));
console.log(`wrote ${target}`);
