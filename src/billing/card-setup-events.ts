/**
 * A completed card setup (card-setup.ts), from Stripe's signed `checkout.session.completed`
 * in `setup` mode: the card is saved for the account whose recorded customer the session and
 * its SetupIntent belong to. The customer is what Jasper recorded (stripe-customer-store.ts),
 * never the metadata: a session for a customer Jasper did not make saves nothing.
 *
 * Stripe redelivers and reorders: saving the same card again is a no-op, and a setup older
 * than the saved card never replaces it (the store compares Stripe's creation times).
 */
import { z } from "zod";
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import type { SavedPaymentMethod, StripeCustomerStore } from "./stripe-customer-store.js";
import { failedFields, idOf } from "./stripe-event-schemas.js";
import type { StripeEventOutcome } from "./stripe-events.js";
import { sessionCustomer } from "./session-customer.js";

const stripeId = z.string().min(1).max(255);
const expandable = z.union([stripeId, z.object({ id: stripeId })]).nullable();

/** The fields of a setup-mode Checkout Session read here. */
export const setupSessionSchema = z.object({
  id: stripeId,
  object: z.literal("checkout.session"),
  mode: z.literal("setup"),
  status: z.string().nullable(),
  customer: expandable,
  setup_intent: expandable,
  client_reference_id: z.string().nullable(),
});

/** What Stripe's API answers for the SetupIntent, its payment method expanded. */
const setupIntentSchema = z.object({
  id: stripeId,
  object: z.literal("setup_intent"),
  status: z.string(),
  usage: z.string(),
  created: z.number().int().positive(),
  customer: expandable,
  payment_method: z
    .object({
      id: stripeId,
      type: z.string(),
      customer: expandable,
      card: z
        .object({ brand: z.string().min(1).max(40), last4: z.string().regex(/^[0-9]{4}$/) })
        .nullish(),
    })
    .nullable(),
});

export interface CardSetupEventsDeps {
  stripe: Stripe;
  customers: Pick<StripeCustomerStore, "findByCustomerAcrossAccounts" | "savePaymentMethod">;
  /** Called once the card is saved (and on replays): the audit entry, keyed by the setup. */
  onSaved?: (
    accountId: AccountId,
    method: SavedPaymentMethod,
    setupIntent: string,
  ) => Promise<void>;
}

const ignored = (
  reason: "malformed" | "not_ours" | "not_paid" | "terms_mismatch",
  detail: string,
): StripeEventOutcome => ({ result: "ignored", reason, detail });

export function createCardSetupEvents(deps: CardSetupEventsDeps) {
  return async function setupCompleted(object: unknown): Promise<StripeEventOutcome> {
    const parsed = setupSessionSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a setup Checkout Session: ${failedFields(parsed.error)}`);
    }
    const session = parsed.data;
    if (session.status !== "complete") {
      return ignored("not_paid", `setup Checkout Session ${session.id} is not complete`);
    }
    const whose = await sessionCustomer(deps.customers, session, "setup");
    if ("ignored" in whose) return whose.ignored;
    const { record } = whose;
    const setupIntentId = idOf(session.setup_intent);
    if (!setupIntentId) {
      return ignored("malformed", `setup Checkout Session ${session.id} has no SetupIntent`);
    }
    // What Stripe's API says now, not the event: the card is read from the SetupIntent.
    const answer = setupIntentSchema.safeParse(
      await deps.stripe.setupIntents.retrieve(setupIntentId, { expand: ["payment_method"] }),
    );
    if (!answer.success) {
      return ignored("malformed", `SetupIntent ${setupIntentId}: ${failedFields(answer.error)}`);
    }
    const intent = answer.data;
    const pm = intent.payment_method;
    if (intent.status !== "succeeded" || intent.usage !== "off_session") {
      return ignored("not_paid", `SetupIntent ${setupIntentId} did not save a card for later`);
    }
    if (
      idOf(intent.customer) !== record.customerId ||
      !pm ||
      idOf(pm.customer) !== record.customerId
    ) {
      return ignored(
        "terms_mismatch",
        `SetupIntent ${setupIntentId} is not for the session's customer`,
      );
    }
    if (pm.type !== "card" || !pm.card) {
      return ignored("terms_mismatch", `SetupIntent ${setupIntentId} saved no card`);
    }
    const method: SavedPaymentMethod = {
      id: pm.id,
      brand: pm.card.brand,
      last4: pm.card.last4,
      savedAt: new Date(intent.created * 1000),
    };
    const saved = await deps.customers.savePaymentMethod(
      record.accountId,
      record.customerId,
      method,
    );
    if (saved.status === "not_found") {
      return ignored("not_ours", `customer ${record.customerId} is no longer the account's`);
    }
    if (saved.status === "outdated") return { result: "card_outdated" };
    await deps.onSaved?.(record.accountId, method, setupIntentId);
    return { result: "card_saved" };
  };
}
