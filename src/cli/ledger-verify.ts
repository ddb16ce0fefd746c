/**
 * `npm run ledger:verify`, or `node dist/cli/ledger-verify.js` in the Docker image: proves the
 * ledger in MONGODB_URI (see src/ledger/verify-ledger.ts). Read-only: the store opens without
 * creating collections or indexes and verification only reads, so it runs with a read-only
 * user, and on a database that lacks a unique index it reports the duplicates that let in
 * instead of failing to build the index. Exits 0 when every account checks out, 1 when any
 * problem is found, 2 when the check could not run (or was given arguments it does not take).
 */
import { loadConfigOrExit } from "../config/env.js";
import { verifyLedger } from "../ledger/verify-ledger.js";
import { formatVerifyReport } from "../ledger/verify-report.js";
import { openStore } from "../store/open-store.js";
import { takeNoArguments } from "./usage.js";

takeNoArguments(
  `Usage: node dist/cli/ledger-verify.js   (npm run ledger:verify in a checkout)

Proves the ledger in MONGODB_URI, read-only. Settings: .env in the working directory, under
the environment. Exits 0 when every account checks out, 1 when problems are found, 2 when the
check could not run (or was called wrong).`,
  2,
);
const config = loadConfigOrExit();
try {
  const store = await openStore(config.MONGODB_URI, (m) => console.error(m), "read-only");
  try {
    const report = await verifyLedger(store.ledger);
    console.log(formatVerifyReport(report));
    process.exitCode = report.problemCount === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
} catch (err) {
  console.error(`ledger:verify could not run: ${(err as Error).message}`);
  process.exitCode = 2;
}
