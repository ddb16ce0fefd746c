import { runAdmin } from "../../src/cli/admin-commands.js";
import type { ApiHarness } from "./harness.js";

/**
 * The operator CLI (`jasper-admin`) over a harness's wiring, run as the operator "bob", with
 * what it prints kept line by line: `out` (stdout) and `err` (stderr), fresh for each call of
 * this function.
 */
export function adminCli(h: ApiHarness) {
  const out: string[] = [];
  const err: string[] = [];
  const admin = (...argv: string[]) =>
    runAdmin(
      argv,
      {
        operators: h.jasper.operators,
        audit: h.jasper.audit,
        accounts: h.store.accounts,
        defaultOperator: "bob",
      },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
  return { admin, out, err };
}
