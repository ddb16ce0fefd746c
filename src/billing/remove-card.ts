/**
 * Forgetting the saved card: Jasper stops using it first (the store), then asks Stripe to
 * detach it from the customer. The order matters for money: once the store has let go, no
 * top-up can charge the card, whatever Stripe answers; a detach that fails leaves a card on
 * the customer that Jasper never uses, and says so.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import type { SavedPaymentMethod, StripeCustomerStore } from "./stripe-customer-store.js";

export interface RemoveCardDeps {
  stripe: Stripe | null;
  store: Pick<StripeCustomerStore, "find" | "removePaymentMethod">;
}

export type RemoveCardResult =
  { status: "none" } | { status: "removed"; method: SavedPaymentMethod; detachedAtStripe: boolean };

export function createRemoveCard(deps: RemoveCardDeps) {
  return async (accountId: AccountId): Promise<RemoveCardResult> => {
    const method = (await deps.store.find(accountId))?.paymentMethod;
    if (!method) return { status: "none" };
    // Conditioned on this card: one saved meanwhile (a setup completing now) stays.
    if (!(await deps.store.removePaymentMethod(accountId, method.id))) return { status: "none" };
    let detachedAtStripe = false;
    if (deps.stripe) {
      try {
        await deps.stripe.paymentMethods.detach(method.id);
        detachedAtStripe = true;
      } catch {
        // Reported in the result (and the audit entry): the card is no longer Jasper's to use.
        detachedAtStripe = false;
      }
    }
    return { status: "removed", method, detachedAtStripe };
  };
}

export type RemoveCard = ReturnType<typeof createRemoveCard>;
