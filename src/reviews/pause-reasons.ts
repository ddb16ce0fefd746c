/**
 * The `reason` of a `paused` run, written by accept-review and run-review and read back by the
 * dashboard's "Reviews stopped" list: one place for the words, so the two cannot drift.
 */
import { STOP_KINDS, type StopKind } from "../accounts/budget-rules.js";

/** The balance did not cover the run. */
export const INSUFFICIENT_CREDITS = "insufficient_credits";

const OVER_BUDGET = "over_budget_";

/** A budget of this kind (or the plan's seat limit) had no room for the run. */
export const overBudgetReason = (kind: StopKind): string => `${OVER_BUDGET}${kind}`;

/** What a budget stop (or a seat limit's) reports: which, its cap and what was used. */
export interface ReviewStop {
  budget: StopKind;
  cap: number;
  used: number;
}

/** What stopped a paused run: the balance, a budget of one kind, or the seat limit. */
export type PauseCause = "balance" | StopKind;
export const PAUSE_CAUSES = ["balance", ...STOP_KINDS] as const;

/**
 * Why a paused run stopped. Anything but a budget's reason reads as the balance: runs paused
 * before budgets existed were all paused for credits, some with no reason stored.
 */
export function pauseCauseOf(reason: string | null): PauseCause {
  if (!reason?.startsWith(OVER_BUDGET)) return "balance";
  const kind = reason.slice(OVER_BUDGET.length);
  return STOP_KINDS.find((k) => k === kind) ?? "balance";
}

/**
 * Not a pause: the `reason` of a paused run taken up again (take-up.ts) once the refund of a
 * superseded run made room for it. It stays on the run through `queued` and `posted`, so the
 * pull request's stop notice is corrected once the review is out.
 */
export const TAKEN_UP = "taken_up";
