/**
 * What Stripe's (already verified) events do to the ledger: a paid Checkout Session grants
 * its package's credits, a refund takes them back. Stripe delivers at least once, in any
 * order, sometimes concurrently; every write here has an idempotency key derived from a
 * Stripe id, and the ledger's unique key index is what makes a redelivery a no-op.
 */
import type Stripe from "stripe";
import type { Ledger } from "../ledger/ledger.js";
import { toAccountId } from "../accounts/types.js";
import { CheckoutMetadataError, readCheckoutMetadata } from "./checkout-metadata.js";
import { findPackage, type CreditPackage } from "./packages.js";

export type StripeEventResult = "granted" | "already_granted" | "taken_back" | "ignored";

export interface StripeEventsDeps {
  stripe: Stripe;
  ledger: Pick<Ledger, "grant" | "adjust">;
  packages: readonly CreditPackage[];
}

/** Same limit as the ledger's URL check: a longer one would make the grant fail for good. */
const MAX_URL_LENGTH = 2000;

/**
 * handle() throws CheckoutMetadataError for a payment marked as Jasper's with unusable
 * metadata (the route answers 200 and logs it: retrying cannot help), and passes on any
 * other error (Stripe API, database) so that the route answers 500 and Stripe retries.
 */
export function createStripeEvents(deps: StripeEventsDeps) {
  const { stripe, ledger } = deps;
  const packageName = (id: string) => findPackage(deps.packages, id)?.name ?? id;

  /** One purchase entry per Checkout Session, whichever of its events comes first. */
  async function grant(session: Stripe.Checkout.Session): Promise<StripeEventResult> {
    const meta = readCheckoutMetadata(session.id, session.metadata);
    if (!meta) return "ignored";
    if (
      session.client_reference_id !== null &&
      session.client_reference_id !== String(meta.accountId)
    ) {
      throw new CheckoutMetadataError(
        session.id,
        `client_reference_id ${session.client_reference_id} is not metadata.accountId ${meta.accountId}`,
      );
    }
    const paymentIntent = idOf(session.payment_intent);
    // Fetched on every delivery, replays included: the ledger decides whether this one is
    // first, and the entry is immutable, so the URL has to be there when it is written.
    // A Stripe API failure throws, and Stripe's retry brings the event back.
    const receiptUrl = paymentIntent ? await receiptUrlOf(paymentIntent) : undefined;
    const written = await ledger.grant(toAccountId(meta.accountId), {
      type: "purchase",
      amount: meta.credits,
      description: `${packageName(meta.packageId)} package: ${meta.credits} credits`,
      reference: {
        kind: "stripe",
        checkoutSession: session.id,
        ...(paymentIntent && { paymentIntent }),
        ...(receiptUrl && { receiptUrl }),
      },
      idempotencyKey: `stripe-checkout:${session.id}`,
    });
    return written.status === "created" ? "granted" : "already_granted";
  }

  async function receiptUrlOf(paymentIntentId: string): Promise<string | undefined> {
    const pi = await stripe.paymentIntents.retrieve(paymentIntentId, {
      expand: ["latest_charge"],
    });
    const charge = pi.latest_charge;
    const url = charge !== null && typeof charge === "object" ? charge.receipt_url : null;
    return url && /^https?:\/\//.test(url) && url.length <= MAX_URL_LENGTH ? url : undefined;
  }

  /**
   * One negative adjustment per succeeded refund of the charge, keyed by the refund id, so
   * a second partial refund adds one entry and a redelivered event adds none. All refunds
   * are listed (not only the newest) because events can be lost or arrive out of order.
   */
  async function takeBack(charge: Stripe.Charge): Promise<StripeEventResult> {
    const paymentIntent = idOf(charge.payment_intent);
    const meta = await metadataOfCharge(charge, paymentIntent);
    if (!meta || charge.amount <= 0) return "ignored";

    const refunds: Stripe.Refund[] = [];
    // Auto-pagination: for-await fetches every page.
    for await (const refund of stripe.refunds.list({ charge: charge.id, limit: 100 })) {
      refunds.push(refund);
    }
    // Oldest first, so each refund's share (and the cap below) comes out the same on every
    // delivery; an entry already written keeps the amount it was written with.
    refunds.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    let assigned = 0;
    let touched = false;
    for (const refund of refunds) {
      if (refund.status !== "succeeded" || refund.amount <= 0) continue;
      // Proportional to the money returned, at least one credit per refund, and never more
      // in total than the package gave: rounding must not take back more than was bought.
      const share = Math.max(1, Math.round((meta.credits * refund.amount) / charge.amount));
      const credits = Math.min(share, meta.credits - assigned);
      if (credits <= 0) continue;
      assigned += credits;
      // The ledger takes only what the purchased bucket still holds and records the rest
      // as `uncollected`: credits already spent on reviews are not clawed back below zero.
      await ledger.adjust(toAccountId(meta.accountId), {
        amount: -credits,
        bucket: "purchased",
        description: `Stripe refund ${refund.id} (${packageName(meta.packageId)} package): ${credits} credits taken back`,
        reference: { kind: "stripe", charge: charge.id, ...(paymentIntent && { paymentIntent }) },
        idempotencyKey: `stripe-refund:${refund.id}`,
      });
      touched = true;
    }
    return touched ? "taken_back" : "ignored";
  }

  /**
   * The Charge normally carries its PaymentIntent's metadata. When it does not (edited in
   * the dashboard, say), the PaymentIntent, where create-checkout.ts put it, is asked: a
   * refund must not be missed because of where the metadata sits.
   */
  async function metadataOfCharge(charge: Stripe.Charge, paymentIntent: string | undefined) {
    const fromCharge = readCheckoutMetadata(charge.id, charge.metadata);
    if (fromCharge || !paymentIntent) return fromCharge;
    const pi = await stripe.paymentIntents.retrieve(paymentIntent);
    return readCheckoutMetadata(pi.id, pi.metadata);
  }

  /**
   * A refund that was pending when charge.refunded came (some payment methods refund
   * asynchronously) is taken back when it succeeds. Re-reading the whole charge keeps one
   * code path; refunds already handled are replays.
   */
  async function refundUpdated(refund: Stripe.Refund): Promise<StripeEventResult> {
    const chargeId = idOf(refund.charge);
    if (refund.status !== "succeeded" || !chargeId) return "ignored";
    return takeBack(await stripe.charges.retrieve(chargeId));
  }

  async function handle(event: Stripe.Event): Promise<StripeEventResult> {
    switch (event.type) {
      case "checkout.session.completed":
        // Card payments are paid on completion. With an asynchronous method (bank debits)
        // the session completes unpaid and async_payment_succeeded follows when the money
        // arrives; "no_payment_required" cannot happen with our prices (no free packages).
        return event.data.object.payment_status === "paid" ? grant(event.data.object) : "ignored";
      case "checkout.session.async_payment_succeeded":
        return grant(event.data.object);
      case "checkout.session.async_payment_failed":
        // Nothing was granted for the unpaid session, so there is nothing to undo.
        return "ignored";
      case "charge.refunded":
        return takeBack(event.data.object);
      case "refund.updated":
      case "charge.refund.updated":
        return refundUpdated(event.data.object);
      default:
        return "ignored";
    }
  }

  return { handle };
}

export type StripeEvents = ReturnType<typeof createStripeEvents>;

/** Stripe sends a related object as its id unless the request expanded it. */
function idOf(value: string | { id: string } | null): string | undefined {
  if (value === null) return undefined;
  return typeof value === "string" ? value : value.id;
}
