import type { AccountId } from "../../accounts/types.js";
import type {
  NewStripeCustomer,
  RecordCustomerResult,
  SavedPaymentMethod,
  SavePaymentMethodResult,
  StripeCustomerRecord,
  StripeCustomerStore,
} from "../../billing/stripe-customer-store.js";

/** Stripe customers in process memory, unique by account and by customer id. */
export class MemoryStripeCustomerStore implements StripeCustomerStore {
  private readonly byAccount = new Map<AccountId, StripeCustomerRecord>();
  private readonly byCustomer = new Map<string, StripeCustomerRecord>();

  async record(customer: NewStripeCustomer): Promise<RecordCustomerResult> {
    const existing = this.byAccount.get(customer.accountId);
    if (existing) return { status: "exists", record: copy(existing) };
    if (this.byCustomer.has(customer.customerId)) return { status: "conflict" };
    const record: StripeCustomerRecord = {
      accountId: customer.accountId,
      customerId: customer.customerId,
      createdAt: new Date(customer.createdAt),
      paymentMethod: null,
    };
    this.byAccount.set(record.accountId, record);
    this.byCustomer.set(record.customerId, record);
    return { status: "recorded", record: copy(record) };
  }

  async find(accountId: AccountId): Promise<StripeCustomerRecord | null> {
    const record = this.byAccount.get(accountId);
    return record ? copy(record) : null;
  }

  async findByCustomerAcrossAccounts(customerId: string): Promise<StripeCustomerRecord | null> {
    const record = this.byCustomer.get(customerId);
    return record ? copy(record) : null;
  }

  async savePaymentMethod(
    accountId: AccountId,
    customerId: string,
    method: SavedPaymentMethod,
  ): Promise<SavePaymentMethodResult> {
    const record = this.byAccount.get(accountId);
    if (!record || record.customerId !== customerId) return { status: "not_found" };
    const current = record.paymentMethod;
    if (current && current.savedAt.getTime() > method.savedAt.getTime()) {
      return { status: "outdated", record: copy(record) };
    }
    record.paymentMethod = { ...method, savedAt: new Date(method.savedAt) };
    return { status: "saved", record: copy(record) };
  }

  async removePaymentMethod(accountId: AccountId, paymentMethodId: string): Promise<boolean> {
    const record = this.byAccount.get(accountId);
    if (record?.paymentMethod?.id !== paymentMethodId) return false;
    record.paymentMethod = null;
    return true;
  }
}

const copy = (r: StripeCustomerRecord): StripeCustomerRecord => ({
  ...r,
  createdAt: new Date(r.createdAt),
  paymentMethod: r.paymentMethod
    ? { ...r.paymentMethod, savedAt: new Date(r.paymentMethod.savedAt) }
    : null,
});
