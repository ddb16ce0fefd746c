/**
 * `node dist/cli/jasper-admin.js <command> [flags]` (in the Docker image, or after `npm run
 * build`): the operators' tools on the database in MONGODB_URI. The commands are in
 * admin-commands.ts; this opens the store (read-only for the commands that only read, so
 * they run with a read-only user), wires the same use cases as the app (compose.ts) and exits
 * with the command's code.
 */
import { userInfo } from "node:os";
import { loadConfigOrExit } from "../config/env.js";
import { EXIT, READ_ONLY_COMMANDS, readAdminArgs, runAdmin } from "./admin-commands.js";

const argv = process.argv.slice(2);
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
// --help and bad usage are answered before the configuration is read or anything opened.
const args = readAdminArgs(argv, io);
if ("exit" in args) process.exit(args.exit);
const { command } = args;

const config = loadConfigOrExit();
// Loaded once the arguments and settings are known good: the whole app's wiring takes seconds.
const [{ pino }, { composeOperators }, { createRedis }, { openStore }] = await Promise.all([
  import("pino"),
  import("../compose.js"),
  import("../queue/redis.js"),
  import("../store/open-store.js"),
]);
const operatorName = (() => {
  try {
    return userInfo().username || "operator";
  } catch {
    return "operator";
  }
})();

try {
  const mode = READ_ONLY_COMMANDS.has(command) ? "read-only" : "app";
  const store = await openStore(config.MONGODB_URI, (m) => console.error(m), mode);
  // The producer's connection: a sweep queues reviews and replies, a debit its alert emails.
  const redis = createRedis(config.REDIS_URL, "producer");
  // Warnings only, to stderr: what the use cases log (a lost alert) is for the operator too.
  const log = pino({ level: "warn" }, pino.destination(2));
  const wired = composeOperators(config, { store, redis, log });
  try {
    process.exitCode = await runAdmin(
      argv,
      {
        operators: wired.operators,
        audit: wired.audit,
        accounts: store.accounts,
        defaultOperator: operatorName,
      },
      io,
    );
  } finally {
    await wired.close();
    await redis.quit().catch(() => undefined);
    await store.close();
  }
} catch (err) {
  console.error(`jasper-admin could not run: ${(err as Error).message}`);
  process.exitCode = EXIT.failed;
}
