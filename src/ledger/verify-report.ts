import type { VerifyReport } from "./verify-ledger.js";

/** The operator's view of a ledger check: what was checked, then each problem on a line. */
export function formatVerifyReport(report: VerifyReport): string {
  const checked = `checked ${report.accounts} account(s), ${report.entries} entr${report.entries === 1 ? "y" : "ies"}`;
  if (report.problemCount === 0) {
    return `${checked}: OK (balances equal the sum of entries; every balance_after follows from the entry before)`;
  }
  const lines = report.problems.map(
    (p) => `  account ${p.accountId}, seq ${p.seq} (entry ${p.entryId}): ${p.problem}`,
  );
  const more = report.problemCount - report.problems.length;
  if (more > 0) lines.push(`  ... and ${more} more`);
  return `${checked}: ${report.problemCount} problem(s)\n${lines.join("\n")}`;
}
