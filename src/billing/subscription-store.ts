/**
 * The subscriptions Jasper knows of, one per Stripe subscription, as Stripe's events leave them
 * (the next step wires the events; here the state and the rules on it). Matched to the account
 * by the stored customer and subscription ids, never by metadata.
 *
 * Implementations (src/store/memory, src/store/mongo) keep these promises, which
 * test/contract checks against every implementation available:
 *
 * - A subscription id is recorded once, for one account: `put` of the same id for another
 *   account changes nothing and answers "conflict" (a unique index in MongoDB).
 * - `put` replaces the rest of the state whole, in one single-document write, unless the stored
 *   state is newer (a later `updatedAt`, Stripe's order): a state delivered late changes nothing
 *   and answers "stale" with the stored one. Checked inside the write (a conditional write in
 *   MongoDB), so two puts at once cannot both replace on a view of the same old state. An equal
 *   `updatedAt` replaces: the later arrival of two states of the same instant wins.
 * - Nothing returned is a live database document.
 */
import type { AccountId } from "../accounts/types.js";
import type { PlanInterval } from "./plans.js";

/** Stripe's subscription statuses. */
export const SUBSCRIPTION_STATUSES = [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "paused",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface SubscriptionState {
  accountId: AccountId;
  /** Stripe's ids (cus_..., sub_...), or an operator's enterprise plan's; opaque here. */
  customerId: string;
  subscriptionId: string;
  plan: string;
  interval: PlanInterval;
  status: SubscriptionStatus;
  /** The paid period: a month, or a year for an annual plan (its items' current period). */
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  updatedAt: Date;
  /**
   * An operator's custom (enterprise) plan for this one account, not in the catalog
   * (enterprise-plan.ts): its terms travel with the state. Absent on Stripe's subscriptions.
   */
  custom?: CustomPlanTerms | undefined;
  /**
   * A downgrade or a switch to monthly scheduled for the period's end (a Stripe subscription
   * schedule, subscription-changes.ts), recorded when the admin makes it so billing status can
   * say it; dropped when the schedule goes (cancelled, upgraded) or the change takes effect.
   */
  scheduledChange?: ScheduledChange | undefined;
}

/** The plan a subscription moves to at `effectiveAt` (its period's end). */
export interface ScheduledChange {
  plan: string;
  interval: PlanInterval;
  effectiveAt: Date;
}

/** An enterprise plan's terms, as the operator set them. */
export interface CustomPlanTerms {
  name: string;
  creditsPerMonth: number;
  /** The price of a month, in cents, invoiced with payment terms. */
  priceCents: number;
  /** The invoice's payment terms: due this many days after it is sent. */
  daysUntilDue: number;
}

export type PutResult =
  | { status: "saved"; state: SubscriptionState; previous: SubscriptionState | null }
  /** The subscription id is another account's: nothing changed. */
  | { status: "conflict" }
  /** The stored state is newer than this one: nothing changed. */
  | { status: "stale"; current: SubscriptionState };

export interface SubscriptionStore {
  put(state: SubscriptionState): Promise<PutResult>;
  find(subscriptionId: string): Promise<SubscriptionState | null>;
  /** The account's most recently updated subscription, or null. */
  findByAccount(accountId: AccountId): Promise<SubscriptionState | null>;
  /**
   * Subscriptions in these statuses, by subscription id after `after`, at most `limit`: the
   * month roll's pages.
   */
  listByStatus(
    statuses: readonly SubscriptionStatus[],
    after: string | null,
    limit: number,
  ): Promise<SubscriptionState[]>;
}
