/**
 * The saved card as an admin manages it: shown as brand and last four digits, and removed,
 * which switches auto top-up off in the same request (there is nothing left to pay with).
 * Both are audited; a card is saved only in Stripe Checkout (billing/card-setup.ts).
 */
import type { AccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AutoTopUpStore } from "../billing/auto-top-up-store.js";
import type { RemoveCard } from "../billing/remove-card.js";
import type { SavedPaymentMethod, StripeCustomerStore } from "../billing/stripe-customer-store.js";
import type { Admin } from "./admin.js";

export interface PaymentMethodDeps {
  customers: Pick<StripeCustomerStore, "find">;
  removeCard: RemoveCard;
  autoTopUp: Pick<AutoTopUpStore, "switchOff">;
  audit: Pick<AuditLog, "record">;
  now?: () => Date;
}

export type RemovePaymentMethodResult =
  | { status: "none" }
  | { status: "removed"; detachedAtStripe: boolean; autoTopUpSwitchedOff: boolean };

export function createPaymentMethods(deps: PaymentMethodDeps) {
  const now = deps.now ?? (() => new Date());

  async function show(accountId: AccountId): Promise<SavedPaymentMethod | null> {
    return (await deps.customers.find(accountId))?.paymentMethod ?? null;
  }

  async function remove(accountId: AccountId, admin: Admin): Promise<RemovePaymentMethodResult> {
    const removed = await deps.removeCard(accountId);
    if (removed.status === "none") return { status: "none" };
    const off = await deps.autoTopUp.switchOff(accountId, "card_removed", now());
    const { method, detachedAtStripe } = removed;
    await deps.audit.record({
      accountId,
      actor: admin.actor,
      action: "payment_method_removed",
      interface: admin.interface,
      details: {
        brand: method.brand,
        last4: method.last4,
        detachedAtStripe,
        autoTopUpSwitchedOff: off !== null,
      },
    });
    return { status: "removed", detachedAtStripe, autoTopUpSwitchedOff: off !== null };
  }

  return { show, remove };
}

export type PaymentMethods = ReturnType<typeof createPaymentMethods>;
