/**
 * Saving a card for auto top-up: a Stripe Checkout Session in `setup` mode for the account's
 * own customer (stripe-customers.ts). Checkout shows the buyer the terms of saving the card
 * for later payments made without them, and their confirmation is the consent; nothing is
 * charged. The card arrives at Jasper only from the signed `checkout.session.completed` of
 * such a session (card-setup-events.ts).
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import { CHECKOUT_CURRENCY } from "./create-checkout.js";
import type { StripeCustomers } from "./stripe-customers.js";

export interface CardSetupDeps {
  stripe: Stripe | null;
  customers: Pick<StripeCustomers, "ensure">;
  /** PUBLIC_URL: Stripe sends the admin back to the account's /billing page. */
  publicUrl: string;
}

export interface CardSetupInput {
  accountId: AccountId;
  accountLogin: string;
  /** Stripe's idempotency key for the session: a retried request gets the same session. */
  requestKey: string;
}

export type CardSetupResult =
  { status: "created"; url: string; sessionId: string } | { status: "unavailable" };

/** Marks a setup session as Jasper's in the Stripe dashboard; never what a card is saved by. */
export const CARD_SETUP_PURPOSE = "jasper_auto_top_up_card";

export function createCardSetup(deps: CardSetupDeps) {
  const base = deps.publicUrl.replace(/\/+$/, "");

  return async (input: CardSetupInput): Promise<CardSetupResult> => {
    if (!deps.stripe) return { status: "unavailable" };
    const ensured = await deps.customers.ensure(input.accountId);
    if (ensured.status !== "ready") return { status: "unavailable" };
    const metadata = { jasperAccountId: String(input.accountId), purpose: CARD_SETUP_PURPOSE };
    const page = `${base}/billing/${encodeURIComponent(input.accountLogin)}`;
    const session = await deps.stripe.checkout.sessions.create(
      {
        mode: "setup",
        customer: ensured.customer.customerId,
        // Cards only: the dashboard shows a saved method as brand and last four digits, and an
        // off-session top-up must settle at once (no bank debit that fails days later).
        allowed_payment_method_types: ["card"],
        currency: CHECKOUT_CURRENCY,
        client_reference_id: String(input.accountId),
        metadata,
        setup_intent_data: {
          metadata,
          description: `Card for Jasper auto top-up of ${input.accountLogin}`,
        },
        success_url: `${page}?card=saved&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${page}?card=cancelled`,
      },
      { idempotencyKey: input.requestKey },
    );
    if (!session.url) {
      throw new Error(`Stripe returned Checkout Session ${session.id} without a url`);
    }
    return { status: "created", url: session.url, sessionId: session.id };
  };
}

export type CardSetup = ReturnType<typeof createCardSetup>;
