/**
 * What a change of plan does and when, in words, said before the click (issue 20: "the cancel
 * and downgrade screens say exactly what happens and when"). The rules are the API's
 * (src/billing/subscription-changes.ts): fewer credits a month, or annual to monthly, waits
 * for the period's end; anything else is at once, prorated by Stripe.
 */
import { credits, date, money } from "../../shared/format";
import type { BillingStatus, Interval, PlanOffer } from "./api";

export type ChangeKind = "subscribe" | "current" | "upgrade" | "downgrade";

const HOLDING = ["active", "trialing", "past_due"];

/** The subscription's plan while it holds (billing status's rule), else null: on Free. */
export const subscribed = (s: BillingStatus): boolean =>
  s.status !== null && HOLDING.includes(s.status) && s.interval !== null;

/** The offer's price in `currency` (billing status's: what a checkout would charge in). */
export const priceText = (p: PlanOffer, interval: Interval, currency: string): string =>
  interval === "month"
    ? `${money(p.monthly, currency)} a month`
    : `${money(p.annual, currency)} a year`;

export const intervalText = (interval: Interval | null): string =>
  interval === "year" ? "Annual" : interval === "month" ? "Monthly" : "None";

export function changeKind(s: BillingStatus, to: PlanOffer, interval: Interval): ChangeKind {
  if (!subscribed(s)) return "subscribe";
  if (s.plan.id === to.id && s.interval === interval) return "current";
  const fewer = to.creditsPerMonth < s.plan.creditsPerMonth;
  return fewer || (s.interval === "year" && interval === "month") ? "downgrade" : "upgrade";
}

/** The sentence shown before the admin confirms the change to `to` billed each `interval`. */
export function changeWords(s: BillingStatus, to: PlanOffer, interval: Interval): string {
  const kind = changeKind(s, to, interval);
  const price = priceText(to, interval, s.currency);
  const monthly = `${credits(to.creditsPerMonth)} a month`;
  const end = s.currentPeriod ? date(s.currentPeriod.end) : "the period's end";
  switch (kind) {
    case "current":
      return `${to.name}, billed ${interval === "month" ? "monthly" : "annually"}, is the plan you have.`;
    case "subscribe":
      return (
        `Stripe Checkout opens for ${to.name} at ${price}. The plan starts when Stripe says ` +
        `the first payment went through, and ${credits(to.creditsPerMonth)} for this month ` +
        `are added then. Nothing changes if you leave Checkout.`
      );
    case "upgrade": {
      const more = to.creditsPerMonth - s.plan.creditsPerMonth;
      const grant =
        more > 0
          ? `${more.toLocaleString("en-US")} more plan credits for this month are added now`
          : `plan credits stay at ${monthly}`;
      return (
        `At once: the account moves to ${to.name} at ${price}. Stripe charges the prorated ` +
        `difference for the rest of the period now; ${grant}. If that payment fails, ` +
        `nothing changes.`
      );
    }
    case "downgrade":
      return (
        `On ${end}, at the end of the period you paid for: the account moves to ${to.name} ` +
        `at ${price}, ${monthly}. Until then it keeps ${s.plan.name} and its credits. ` +
        `Nothing is charged now.`
      );
  }
}

/** Said before an admin cancels: the plan to the period's end, then Free. */
export function cancelWords(s: BillingStatus): string {
  const end = s.currentPeriod ? date(s.currentPeriod.end) : "the period's end";
  return (
    `The ${s.plan.name} plan stays until ${end}, and this month's plan credits can be used ` +
    `until their month ends. From ${end} the account is on Free: no plan credits, the free ` +
    `reviews each month, and the bonus and purchased credits it has stay. Nothing is refunded. ` +
    `You can reactivate until ${end}.`
  );
}

/** Said before an admin reactivates a cancelled plan. */
export function reactivateWords(s: BillingStatus): string {
  const end = s.currentPeriod ? date(s.currentPeriod.end) : "the period's end";
  const offer = s.plans.find((p) => p.id === s.plan.id);
  const price = offer && s.interval ? ` at ${priceText(offer, s.interval, s.currency)}` : "";
  return (
    `The ${s.plan.name} plan continues: Stripe renews it on ${end}${price}, with the card ` +
    `on file. No new checkout.`
  );
}

/**
 * A downgrade or switch to monthly waiting for the period's end, as billing status says it
 * (issue 20): shown on every load, not only right after the click. null: none.
 */
export function scheduledWords(s: BillingStatus): string | null {
  const next = s.scheduledChange;
  if (!next) return null;
  const name = s.plans.find((p) => p.id === next.plan)?.name ?? next.plan;
  const billed = next.interval === "year" ? "annually" : "monthly";
  return `On ${date(next.at)} the account moves to ${name}, billed ${billed}.`;
}
