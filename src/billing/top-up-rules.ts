/**
 * Whether an automatic top-up may be paid now: the check made right before the card is
 * charged, on what the database says at that moment (the trigger that queued it may be an
 * hour old, or a redelivery). Pure, so every guardrail is tested on its own:
 *
 * - still switched on, with a card, for a package that still exists;
 * - the balance still at or below the threshold (a purchase may have come in meanwhile);
 * - no top-up in flight (one whose payment is not settled);
 * - none attempted in the last hour, whatever came of it (a declining card is tried at most
 *   once an hour, however many charges cross the threshold);
 * - under the calendar month's (UTC) limits, in top-ups and in money, counting those paid
 *   and those in flight (a declined one charged nothing).
 */
import type { AutoTopUpSettings } from "./auto-top-up-store.js";
import { findPackage, type CreditPackage } from "./packages.js";

/** One hour between attempts, successful or not. */
export const MIN_MS_BETWEEN_ATTEMPTS = 60 * 60 * 1000;

export type AttemptState = "in_flight" | "succeeded" | "failed";

/** A top-up attempt as the rule needs it. */
export interface AttemptSummary {
  state: AttemptState;
  priceCents: number;
  /** When it was recorded (before its payment was created). */
  at: Date;
}

export interface TopUpCheck {
  settings: AutoTopUpSettings | null;
  hasCard: boolean;
  balance: number;
  packages: readonly CreditPackage[];
  /** The account's attempts of this month and any still in flight or within the hour. */
  attempts: readonly AttemptSummary[];
  now: Date;
}

export type TopUpDecision =
  | { pay: true; pkg: CreditPackage }
  | {
      pay: false;
      because:
        | "switched_off"
        | "no_card"
        | "unknown_package"
        | "above_threshold"
        | "in_flight"
        | "too_soon"
        | "monthly_count_reached"
        | "monthly_amount_reached";
      /** For "too_soon": the earliest time another attempt may be made. */
      retryAt?: Date;
    };

const monthOf = (d: Date) => `${d.getUTCFullYear()}-${d.getUTCMonth()}`;

export function decideTopUp(c: TopUpCheck): TopUpDecision {
  const s = c.settings;
  if (!s?.enabled) return { pay: false, because: "switched_off" };
  if (!c.hasCard) return { pay: false, because: "no_card" };
  const pkg = findPackage(c.packages, s.packageId);
  if (!pkg) return { pay: false, because: "unknown_package" };
  if (c.balance > s.thresholdCredits) return { pay: false, because: "above_threshold" };
  if (c.attempts.some((a) => a.state === "in_flight")) return { pay: false, because: "in_flight" };

  const latest = Math.max(...c.attempts.map((a) => a.at.getTime()), -Infinity);
  const retryAt = latest + MIN_MS_BETWEEN_ATTEMPTS;
  if (c.now.getTime() < retryAt) {
    return { pay: false, because: "too_soon", retryAt: new Date(retryAt) };
  }

  const month = monthOf(c.now);
  const counted = c.attempts.filter((a) => a.state !== "failed" && monthOf(a.at) === month);
  if (counted.length + 1 > s.monthlyMaxCount) {
    return { pay: false, because: "monthly_count_reached" };
  }
  const spent = counted.reduce((sum, a) => sum + a.priceCents, 0);
  if (spent + pkg.priceCents > s.monthlyMaxCents) {
    return { pay: false, because: "monthly_amount_reached" };
  }
  return { pay: true, pkg };
}
