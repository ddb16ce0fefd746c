import type {
  CheckoutRecord,
  CheckoutSessionStore,
  LinkResult,
  NewCheckoutRecord,
  RecordResult,
} from "../../billing/checkout-session-store.js";

/** Checkout Sessions in process memory, unique by session id and by payment intent. */
export class MemoryCheckoutSessionStore implements CheckoutSessionStore {
  private readonly bySession = new Map<string, CheckoutRecord>();
  private readonly byPaymentIntent = new Map<string, CheckoutRecord>();

  async record(session: NewCheckoutRecord): Promise<RecordResult> {
    const existing = this.bySession.get(session.sessionId);
    if (existing) return { status: "exists", record: copy(existing) };
    const record: CheckoutRecord = { ...session, paymentIntent: null };
    this.bySession.set(record.sessionId, record);
    return { status: "recorded", record: copy(record) };
  }

  async find(sessionId: string): Promise<CheckoutRecord | null> {
    const record = this.bySession.get(sessionId);
    return record ? copy(record) : null;
  }

  async linkPaymentIntent(sessionId: string, paymentIntent: string): Promise<LinkResult> {
    const record = this.bySession.get(sessionId);
    if (!record) return { status: "not_found" };
    if (record.paymentIntent === null) {
      if (this.byPaymentIntent.has(paymentIntent)) return { status: "conflict" };
      record.paymentIntent = paymentIntent;
      this.byPaymentIntent.set(paymentIntent, record);
    }
    return record.paymentIntent === paymentIntent
      ? { status: "linked", record: copy(record) }
      : { status: "conflict" };
  }

  async findByPaymentIntent(paymentIntent: string): Promise<CheckoutRecord | null> {
    const record = this.byPaymentIntent.get(paymentIntent);
    return record ? copy(record) : null;
  }
}

const copy = (r: CheckoutRecord): CheckoutRecord => ({ ...r, createdAt: new Date(r.createdAt) });
