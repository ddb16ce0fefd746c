/**
 * What a change of budget rules puts in the audit log: the fields that changed, before and
 * after. Audit details are small notes (audit-log.ts, MAX_DETAILS_BYTES) while a rules list
 * may hold hundreds of entries, so a list too long to copy in full is told as what was
 * added, removed and changed, and failing even that, as how many were.
 */
import type { AuthorBudget, BudgetRules, RepositoryBudget } from "../accounts/budget-rules.js";

type Field = keyof BudgetRules;
type ListField = "repositories" | "authors";
const LISTS: readonly ListField[] = ["repositories", "authors"];
type Rule = RepositoryBudget | AuthorBudget;

export interface BudgetChange {
  before: Partial<Record<Field, unknown>>;
  after: Partial<Record<Field, unknown>>;
}

/** The fields that differ; null when nothing does (an unchanged PUT records nothing). */
export function budgetChange(
  before: BudgetRules,
  after: BudgetRules,
  maxBytes: number,
): BudgetChange | null {
  const changed = (Object.keys(after) as Field[]).filter(
    (f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]),
  );
  if (changed.length === 0) return null;
  const pick = (rules: BudgetRules) => Object.fromEntries(changed.map((f) => [f, rules[f]]));
  const full = { before: pick(before), after: pick(after) };
  if (fits(full, maxBytes)) return full;
  const diffs = withLists(full, (f) => listDiff(before[f], after[f]));
  if (fits(diffs, maxBytes)) return diffs;
  return withLists(full, (f) => {
    const d = listDiff(before[f], after[f]);
    return { added: d.added.length, removed: d.removed.length, changed: d.changed.length };
  });
}

const fits = (details: object, maxBytes: number): boolean =>
  Buffer.byteLength(JSON.stringify(details)) <= maxBytes;

/** The change with each changed list given as `tell(list)` in `after`, and left out of `before`. */
function withLists(change: BudgetChange, tell: (f: ListField) => unknown): BudgetChange {
  const before = { ...change.before };
  const after = { ...change.after };
  for (const f of LISTS) {
    if (!(f in after)) continue;
    delete before[f];
    after[f] = tell(f);
  }
  return { before, after };
}

/** Rules are told apart by name, case-insensitively, as the rules schema refuses duplicates. */
const name = (r: Rule): string => ("pattern" in r ? r.pattern : r.login).toLowerCase();

function listDiff(
  before: readonly Rule[],
  after: readonly Rule[],
): { added: Rule[]; removed: Rule[]; changed: { rule: Rule; from: number }[] } {
  const old = new Map(before.map((r) => [name(r), r]));
  const now = new Set(after.map(name));
  const changed: { rule: Rule; from: number }[] = [];
  const added: Rule[] = [];
  for (const r of after) {
    const was = old.get(name(r));
    if (!was) added.push(r);
    else if (was.credits !== r.credits) changed.push({ rule: r, from: was.credits });
  }
  return { added, removed: before.filter((r) => !now.has(name(r))), changed };
}
