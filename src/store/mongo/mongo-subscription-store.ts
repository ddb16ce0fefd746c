import { trusted } from "mongoose";
import { toAccountId, type AccountId } from "../../accounts/types.js";
import type {
  PutResult,
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionStore,
} from "../../billing/subscription-store.js";
import type { SubscriptionDoc, SubscriptionModel } from "./models/subscription.js";

/**
 * Subscriptions in MongoDB. `put` is one findOneAndUpdate conditioned on the account and on the
 * stored state being no newer, with upsert: the unique index on subscriptionId makes the upsert
 * fail with a duplicate key when the id exists but the condition does not hold, and the stored
 * document then says which: another account's ("conflict") or a newer state ("stale"; its
 * account never changes, so the read after cannot mislead). Operator objects are wrapped in
 * trusted() (the connection runs with sanitizeFilter).
 */
export class MongoSubscriptionStore implements SubscriptionStore {
  constructor(private readonly subscriptions: SubscriptionModel) {}

  async put(state: SubscriptionState): Promise<PutResult> {
    const { subscriptionId, accountId, ...rest } = state;
    try {
      const previous = await this.subscriptions
        .findOneAndUpdate(
          {
            subscriptionId,
            accountId: accountId as number,
            updatedAt: trusted({ $lte: state.updatedAt }),
          },
          {
            $set: rest,
            $setOnInsert: { subscriptionId, accountId: accountId as number },
            // Replaced whole: a state without a scheduled change, or without an operator's
            // terms (an enterprise plan ended), drops the stored one; $set leaves absent
            // fields as they were.
            ...unsetAbsent(rest),
          },
          { upsert: true, returnDocument: "before", runValidators: true },
        )
        .lean<SubscriptionDoc>();
      return {
        status: "saved",
        state: { ...state },
        previous: previous ? toState(previous) : null,
      };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const current = await this.find(subscriptionId);
      if (!current || current.accountId !== accountId) return { status: "conflict" };
      return { status: "stale", current };
    }
  }

  async find(subscriptionId: string): Promise<SubscriptionState | null> {
    const doc = await this.subscriptions.findOne({ subscriptionId }).lean<SubscriptionDoc>();
    return doc ? toState(doc) : null;
  }

  async findByAccount(accountId: AccountId): Promise<SubscriptionState | null> {
    const doc = await this.subscriptions
      .findOne({ accountId: accountId as number })
      .sort({ updatedAt: -1 })
      .lean<SubscriptionDoc>();
    return doc ? toState(doc) : null;
  }

  async listByStatus(
    statuses: readonly SubscriptionStatus[],
    after: string | null,
    limit: number,
  ): Promise<SubscriptionState[]> {
    const filter: Record<string, unknown> = { status: trusted({ $in: [...statuses] }) };
    if (after !== null) filter.subscriptionId = trusted({ $gt: after });
    const docs = await this.subscriptions
      .find(filter)
      .sort({ subscriptionId: 1 })
      .limit(limit)
      .lean<SubscriptionDoc[]>();
    return docs.map(toState);
  }
}

/** The optional fields `state` does not have, to be removed from the stored document. */
function unsetAbsent(state: Pick<SubscriptionState, "scheduledChange" | "custom">): {
  $unset?: Record<string, 1>;
} {
  const absent: Record<string, 1> = {};
  if (!state.scheduledChange) absent.scheduledChange = 1;
  if (!state.custom) absent.custom = 1;
  return Object.keys(absent).length > 0 ? { $unset: absent } : {};
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}

/** A stored document as a domain record: field by field, nothing mongoose-specific left. */
function toState(doc: SubscriptionDoc): SubscriptionState {
  return {
    accountId: toAccountId(doc.accountId),
    customerId: doc.customerId,
    subscriptionId: doc.subscriptionId,
    plan: doc.plan,
    interval: doc.interval,
    status: doc.status,
    currentPeriodStart: doc.currentPeriodStart,
    currentPeriodEnd: doc.currentPeriodEnd,
    cancelAtPeriodEnd: doc.cancelAtPeriodEnd,
    updatedAt: doc.updatedAt,
    ...(doc.custom
      ? {
          custom: {
            name: doc.custom.name,
            creditsPerMonth: doc.custom.creditsPerMonth,
            priceCents: doc.custom.priceCents,
            daysUntilDue: doc.custom.daysUntilDue,
          },
        }
      : {}),
    ...(doc.scheduledChange
      ? {
          scheduledChange: {
            plan: doc.scheduledChange.plan,
            interval: doc.scheduledChange.interval,
            effectiveAt: doc.scheduledChange.effectiveAt,
          },
        }
      : {}),
  };
}
