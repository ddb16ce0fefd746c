/**
 * What follows an automatic top-up that was not paid: after three declines in a row the card
 * is not tried again, and auto top-up switches off (`switchOff("declined")`), audited, until
 * an admin switches it on again. One decline, or a payment that needs the customer, leaves it
 * on (the hourly rule spaces the next try). The streak counts only attempts made since an
 * admin last saved the settings: switched on again (often with a new card), the next decline
 * is the first of a new streak, not the fourth of the old one.
 *
 * Called after each settlement as not paid, on replays too: switchOff answers null when it
 * is off already, so the switch-off and its audit happen once.
 */
import type { AutoTopUpRecord, AutoTopUpStore } from "./auto-top-up-store.js";
import type { AttemptOutcome, TopUpAttempt, TopUpAttemptStore } from "./top-up-attempt-store.js";

/** Declines in a row that switch auto top-up off. */
export const DECLINES_TO_SWITCH_OFF = 3;

/** How far back the streak is read: with one attempt an hour at most, ample for three. */
const STREAK_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;

export interface TopUpDeclinesDeps {
  attempts: Pick<TopUpAttemptStore, "recent">;
  settings: Pick<AutoTopUpStore, "find" | "switchOff">;
  /** Told once when auto top-up was switched off (the audit entry, the email). */
  onSwitchedOff?: (attempt: TopUpAttempt, record: AutoTopUpRecord) => Promise<void>;
  now?: () => Date;
}

/**
 * Whether the account's latest settled attempts are `DECLINES_TO_SWITCH_OFF` declines in a
 * row. Attempts that failed for Stripe's sake (`failed`) say nothing about the card and are
 * skipped; a payment, or one needing the customer's authentication, ends the streak.
 */
export function declinedInARow(attempts: readonly TopUpAttempt[]): boolean {
  const settled = [...attempts]
    .filter((a) => a.outcome !== null && a.outcome !== "failed")
    .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime())
    .slice(0, DECLINES_TO_SWITCH_OFF);
  return (
    settled.length === DECLINES_TO_SWITCH_OFF && settled.every((a) => a.outcome === "declined")
  );
}

export function createTopUpDeclines(deps: TopUpDeclinesDeps) {
  const now = deps.now ?? (() => new Date());
  return async (attempt: TopUpAttempt, outcome: AttemptOutcome): Promise<void> => {
    if (outcome !== "declined") return;
    const at = now();
    const record = await deps.settings.find(attempt.accountId);
    const since = Math.max(at.getTime() - STREAK_WINDOW_MS, record?.updatedAt.getTime() ?? 0);
    const recent = await deps.attempts.recent(attempt.accountId, new Date(since));
    if (!declinedInARow(recent)) return;
    const off = await deps.settings.switchOff(attempt.accountId, "declined", at);
    if (off) await deps.onSwitchedOff?.(attempt, off);
  };
}
