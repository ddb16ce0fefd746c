/**
 * The fields of a settings or budget change as people read them: "Account cap: none → 50
 * credits", not "account: null → 50". The values are the API's (routes/settings.ts, the
 * budget rules); a field not listed here is shown by its own name, so a new one still reads.
 */
import { credits } from "../../shared/format";

/** A value of no field in particular: null is "none", a list its items, an object its JSON. */
export function plain(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "on" : "off";
  if (Array.isArray(v)) return v.length === 0 ? "none" : v.map(plain).join(", ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const creditsOrNone = (v: unknown) => (typeof v === "number" ? credits(v) : plain(v));
const runsOrNone = (v: unknown) =>
  typeof v === "number" ? `${v.toLocaleString("en-US")} ${v === 1 ? "run" : "runs"}` : plain(v);

const ruleName = (v: Record<string, unknown>) =>
  typeof v.pattern === "string" ? v.pattern : plain(v.login);

/** A repository or author cap: "api-* (3 credits)". */
const rule = (v: unknown): string =>
  isRecord(v) ? `${ruleName(v)} (${creditsOrNone(v.credits)})` : plain(v);

/**
 * A list of caps: the whole list, or (when it was too long to record whole, budget-change.ts)
 * what was added, removed and changed, or only how many.
 */
function rules(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "none" : v.map(rule).join(", ");
  if (!isRecord(v)) return plain(v);
  const { added, removed, changed } = v;
  if (Array.isArray(added) && Array.isArray(removed) && Array.isArray(changed)) {
    return [
      ...added.map((r) => `added ${rule(r)}`),
      ...removed.map((r) => `removed ${rule(r)}`),
      ...changed.map((c: unknown) =>
        isRecord(c) && isRecord(c.rule)
          ? `${ruleName(c.rule)} ${String(c.from)} → ${creditsOrNone(c.rule.credits)}`
          : plain(c),
      ),
    ].join(", ");
  }
  return (["added", "removed", "changed"] as const)
    .filter((k) => typeof v[k] === "number" && v[k] !== 0)
    .map((k) => `${String(v[k])} ${k}`)
    .join(", ");
}

const REVIEW_CHARGING: Record<string, string> = {
  pull_request: "one credit per pull request",
  review_run: "one credit per review run",
};

interface Field {
  label: string;
  value(v: unknown): string;
}

const FIELDS: Record<string, Field> = {
  // Settings (GET /billing/settings).
  billingContacts: { label: "Billing contacts", value: plain },
  lowBalanceEmails: { label: "Low-balance emails", value: plain },
  reviewCharging: {
    label: "Review charging",
    value: (v) => (typeof v === "string" ? (REVIEW_CHARGING[v] ?? v) : plain(v)),
  },
  chatFromNonWriters: { label: "Chat from people without write access", value: plain },
  // Budgets (GET /budgets).
  account: { label: "Account cap", value: creditsOrNone },
  authorDefault: { label: "Cap for each author", value: creditsOrNone },
  pullRequestRuns: { label: "Runs per pull request", value: runsOrNone },
  warnAtPercent: { label: "Warn at", value: (v) => (typeof v === "number" ? `${v} %` : plain(v)) },
  repositories: { label: "Repository caps", value: rules },
  authors: { label: "Author caps", value: rules },
};

/** "Account cap: none → 50 credits" for each field that differs between before and after. */
export function fieldChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  return Object.keys(after)
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => {
      const f = FIELDS[k] ?? { label: k, value: plain };
      // A list recorded as its diff has no "before" (budget-change.ts leaves it out).
      if (!(k in before)) return `${f.label}: ${f.value(after[k])}`;
      return `${f.label}: ${f.value(before[k])} → ${f.value(after[k])}`;
    });
}
