/**
 * Whose a completed Checkout Session Jasper made on an account's Stripe customer is (a card
 * setup, a subscription): the account of the stored customer, and only when the session's
 * `client_reference_id` names that same account. Metadata never decides, and a session on a
 * customer Jasper did not create is none of Jasper's.
 */
import type { StripeCustomerRecord, StripeCustomerStore } from "./stripe-customer-store.js";
import { idOf } from "./stripe-event-schemas.js";
import type { StripeEventOutcome } from "./stripe-events.js";

export interface CustomerSession {
  id: string;
  customer: string | { id: string } | null;
  client_reference_id?: string | null | undefined;
}

/** The stored customer, or the ignored outcome saying why not (`what` names the session). */
export async function sessionCustomer(
  customers: Pick<StripeCustomerStore, "findByCustomerAcrossAccounts">,
  session: CustomerSession,
  what: string,
): Promise<{ record: StripeCustomerRecord } | { ignored: StripeEventOutcome }> {
  const customerId = idOf(session.customer);
  const record = customerId ? await customers.findByCustomerAcrossAccounts(customerId) : null;
  if (!record) {
    return {
      ignored: {
        result: "ignored",
        reason: "not_ours",
        detail: `${what} Checkout Session ${session.id} is for no customer of Jasper's`,
      },
    };
  }
  if (session.client_reference_id !== String(record.accountId)) {
    return {
      ignored: {
        result: "ignored",
        reason: "terms_mismatch",
        detail: `${what} Checkout Session ${session.id}: client_reference_id is not the customer's account`,
      },
    };
  }
  return { record };
}
