/**
 * Who is acting in the operators' use cases: a person who runs Jasper (not a customer), by
 * name, through the CLI or the operator API. Every change they make is audited as theirs.
 */
import { z } from "zod";
import { InvalidInputError } from "../shared/errors.js";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";

export interface Operator {
  name: string;
  interface: "cli" | "operator_api";
}

/** An account by GitHub login, or by numeric id (what the logs and the ledger show). */
export const accountRefSchema = z
  .string()
  .trim()
  .min(1, "is required (a login or an account id)")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a GitHub login or an account id");

/** Why the operator does it: required, since it is what the audit log and history say. */
export const reasonSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, "is required")
  .max(500)
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

/** As the ledger's own keys: printable ASCII, no spaces. */
export const operatorKeySchema = z
  .string()
  .min(1)
  .max(150)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** Parses or throws one InvalidInputError naming every problem (a 400, a CLI exit 2). */
export function parseOperatorInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, "(input)");
  throw new InvalidInputError(joinIssues(issues), issues);
}
