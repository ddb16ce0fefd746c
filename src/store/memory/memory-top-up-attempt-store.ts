import type { AccountId } from "../../accounts/types.js";
import type {
  AttemptOutcome,
  BeginResult,
  NewTopUpAttempt,
  TopUpAttempt,
  TopUpAttemptStore,
} from "../../billing/top-up-attempt-store.js";

/** Top-up attempts in process memory: unique by key, by payment intent, one in flight. */
export class MemoryTopUpAttemptStore implements TopUpAttemptStore {
  private readonly byKey = new Map<string, TopUpAttempt>();
  private readonly byPaymentIntent = new Map<string, TopUpAttempt>();

  async begin(attempt: NewTopUpAttempt): Promise<BeginResult> {
    const existing = this.byKey.get(attempt.attemptKey);
    if (existing) return { status: "exists", attempt: copy(existing) };
    for (const a of this.byKey.values()) {
      if (a.accountId === attempt.accountId && a.state === "in_flight") return { status: "busy" };
    }
    const stored: TopUpAttempt = {
      ...attempt,
      createdAt: new Date(attempt.createdAt),
      state: "in_flight",
      paymentIntent: null,
      outcome: null,
      settledAt: null,
    };
    this.byKey.set(stored.attemptKey, stored);
    return { status: "begun", attempt: copy(stored) };
  }

  async find(accountId: AccountId, attemptKey: string): Promise<TopUpAttempt | null> {
    const a = this.byKey.get(attemptKey);
    return a?.accountId === accountId ? copy(a) : null;
  }

  async linkPaymentIntent(
    accountId: AccountId,
    attemptKey: string,
    paymentIntent: string,
  ): Promise<boolean> {
    const a = this.byKey.get(attemptKey);
    if (a?.accountId !== accountId) return false;
    if (a.paymentIntent === null) {
      if (this.byPaymentIntent.has(paymentIntent)) return false;
      a.paymentIntent = paymentIntent;
      this.byPaymentIntent.set(paymentIntent, a);
    }
    return a.paymentIntent === paymentIntent;
  }

  async findByPaymentIntentAcrossAccounts(paymentIntent: string): Promise<TopUpAttempt | null> {
    const a = this.byPaymentIntent.get(paymentIntent);
    return a ? copy(a) : null;
  }

  async settle(
    accountId: AccountId,
    attemptKey: string,
    outcome: AttemptOutcome,
    at: Date,
  ): Promise<TopUpAttempt | null> {
    const a = this.byKey.get(attemptKey);
    if (a?.accountId !== accountId || !settles(a.state, outcome)) return null;
    a.state = outcome === "paid" ? "succeeded" : "failed";
    a.outcome = outcome;
    a.settledAt = new Date(at);
    return copy(a);
  }

  async recent(accountId: AccountId, since: Date): Promise<TopUpAttempt[]> {
    return [...this.byKey.values()]
      .filter(
        (a) =>
          a.accountId === accountId &&
          (a.state === "in_flight" || a.createdAt.getTime() >= since.getTime()),
      )
      .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime())
      .map(copy);
  }
}

/** In flight settles; a payment Stripe confirms also settles one recorded as not paid. */
const settles = (state: TopUpAttempt["state"], outcome: AttemptOutcome) =>
  state === "in_flight" || (outcome === "paid" && state === "failed");

const copy = (a: TopUpAttempt): TopUpAttempt => ({
  ...a,
  createdAt: new Date(a.createdAt),
  settledAt: a.settledAt ? new Date(a.settledAt) : null,
});
