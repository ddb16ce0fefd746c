import type { AccountId } from "../../accounts/types.js";
import type {
  PutResult,
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionStore,
} from "../../billing/subscription-store.js";

/** Subscriptions in process memory, unique by subscription id. */
export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly byId = new Map<string, SubscriptionState>();

  async put(state: SubscriptionState): Promise<PutResult> {
    const previous = this.byId.get(state.subscriptionId) ?? null;
    if (previous && previous.accountId !== state.accountId) return { status: "conflict" };
    if (previous && previous.updatedAt.getTime() > state.updatedAt.getTime()) {
      return { status: "stale", current: copy(previous) };
    }
    this.byId.set(state.subscriptionId, copy(state));
    return { status: "saved", state: copy(state), previous: previous ? copy(previous) : null };
  }

  async find(subscriptionId: string): Promise<SubscriptionState | null> {
    const s = this.byId.get(subscriptionId);
    return s ? copy(s) : null;
  }

  async findByAccount(accountId: AccountId): Promise<SubscriptionState | null> {
    let newest: SubscriptionState | null = null;
    for (const s of this.byId.values()) {
      if (s.accountId !== accountId) continue;
      if (!newest || s.updatedAt > newest.updatedAt) newest = s;
    }
    return newest ? copy(newest) : null;
  }

  async listByStatus(
    statuses: readonly SubscriptionStatus[],
    after: string | null,
    limit: number,
  ): Promise<SubscriptionState[]> {
    return [...this.byId.values()]
      .filter((s) => statuses.includes(s.status) && (after === null || s.subscriptionId > after))
      .sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }
}

const copy = (s: SubscriptionState): SubscriptionState => ({
  ...s,
  currentPeriodStart: new Date(s.currentPeriodStart),
  currentPeriodEnd: new Date(s.currentPeriodEnd),
  updatedAt: new Date(s.updatedAt),
  ...(s.custom ? { custom: { ...s.custom } } : {}),
  ...(s.scheduledChange
    ? {
        scheduledChange: {
          ...s.scheduledChange,
          effectiveAt: new Date(s.scheduledChange.effectiveAt),
        },
      }
    : {}),
});
