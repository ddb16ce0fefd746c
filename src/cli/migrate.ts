/**
 * `npm run migrate`, or `node dist/cli/migrate.js` in the Docker image (docker compose runs
 * it as the migrate service before web and worker start): creates the collections and builds
 * every index the schemas declare in MONGODB_URI, saying what it did, then exits. It only
 * adds, so running it again is safe, and it must run before a version that declares a new
 * index starts: the app checks the unique indexes at start and refuses to run without them.
 * Exits 0 when everything is there, 1 when something could not be built or reached, 2 when
 * given arguments it does not take.
 */
import { loadConfigOrExit } from "../config/env.js";
import { migrateStore } from "../store/open-store.js";
import { takeNoArguments } from "./usage.js";

takeNoArguments(
  `Usage: node dist/cli/migrate.js   (npm run migrate in a checkout)

Creates the collections and builds the missing indexes in MONGODB_URI; never drops one, so
running it again is safe. Settings: .env in the working directory, under the environment.
Exits 0 when everything is there, 1 when something could not be built or reached, 2 when
called wrong.`,
  2,
);
const config = loadConfigOrExit();
try {
  await migrateStore(config.MONGODB_URI, (line) => console.log(`migrate: ${line}`));
} catch (err) {
  console.error(`migrate failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
