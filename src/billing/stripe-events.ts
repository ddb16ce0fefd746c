/**
 * What Stripe's (already verified) events do to the ledger: a paid Checkout Session that
 * Jasper created grants the credits it was sold for, a refund of its payment takes them back.
 *
 * A signature proves Stripe sent an event, not that Jasper sold what it describes: anyone
 * with access to the Stripe account can create a session, and edit its metadata. So every
 * grant follows the session recorded at checkout (checkout-session-store.ts), never the
 * event's metadata, and only when the amount paid is the recorded price; every refund is
 * taken from the account whose purchase entry that payment made, and from no other.
 *
 * Stripe delivers at least once, in any order, sometimes concurrently; every write here has
 * an idempotency key derived from a Stripe id, and the ledger's unique key index is what
 * makes a redelivery a no-op. A refund can arrive before the completion of the checkout it
 * undoes, so each event settles the whole purchase from what Stripe's API says now: the paid
 * session grants the package and takes back the payment's refunds so far; a refund of a
 * session Jasper created that is not granted yet settles it from the session Stripe holds
 * (docs/billing.md, "Buying credits"). Whichever event comes first, the ledger ends the same.
 */
import type Stripe from "stripe";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { Ledger } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import type { CheckoutRecord, CheckoutSessionStore } from "./checkout-session-store.js";
import { readCheckoutMetadata } from "./checkout-metadata.js";
import { findPackage, type CreditPackage } from "./packages.js";
import {
  chargeSchema,
  checkoutSessionSchema,
  failedFields,
  idOf,
  refundSchema,
  type ChargeObject,
  type CheckoutSessionObject,
  type StripeEventEnvelope,
} from "./stripe-event-schemas.js";

export type StripeEventResult = "granted" | "already_granted" | "taken_back" | "ignored";

/** Why an event changed nothing; the route picks the log level by it. */
export type IgnoredBecause =
  /** An event type Jasper does not act on. */
  | "unhandled_type"
  /** data.object (or what Stripe's API answered about it) lacks a field Jasper reads. */
  | "malformed"
  /** A checkout that is not paid (yet). */
  | "not_paid"
  /** Not a session Jasper created, or a payment of no purchase: someone else's. */
  | "not_ours"
  /**
   * The same, but labelled with Jasper's metadata: forged, or made before sessions were
   * recorded (then an operator grants or takes back by hand).
   */
  | "unrecorded"
  /** A session Jasper created, paid on other terms than recorded: for an operator. */
  | "terms_mismatch"
  /** A refund event with no succeeded refund left to take back. */
  | "nothing_to_take_back";

export type StripeEventOutcome =
  | {
      result: Exclude<StripeEventResult, "ignored">;
      /** Refunds taken back (or found taken back already) while handling it, for the log. */
      refundsTakenBack?: number;
    }
  /** `detail` names ids and fields, never values from the payload, for the log line. */
  | { result: "ignored"; reason: IgnoredBecause; detail: string };

export interface StripeEventsDeps {
  stripe: Stripe;
  ledger: Pick<Ledger, "grant" | "adjust">;
  /** Where create-checkout.ts recorded the sessions it created. */
  sessions: CheckoutSessionStore;
  /** Where a refund finds the purchase entry its payment made. */
  purchases: Pick<LedgerStore, "findByKey">;
  packages: readonly CreditPackage[];
  /**
   * Records the entry in the audit log (src/audit/ledger-audit.ts), once per entry however
   * often it is called. Called on replays too: a crash after the grant and before the audit
   * is repaired by Stripe's redelivery, and an audit failure throws, so Stripe redelivers.
   */
  audit?: (entry: LedgerEntry) => Promise<void>;
}

/** Same limit as the ledger's URL check: a longer one would make the grant fail for good. */
const MAX_URL_LENGTH = 2000;

/** The purchase entry's key: one grant per Checkout Session, whichever event comes first. */
const grantKey = (sessionId: string) => `stripe-checkout:${sessionId}`;

const ignored = (reason: IgnoredBecause, detail: string): StripeEventOutcome => ({
  result: "ignored",
  reason,
  detail,
});

/**
 * handle() returns what the event did, "ignored" included (the route answers 200 to all of
 * them: no redelivery would change the outcome), and passes on any error (Stripe API,
 * database) so that the route answers 500 and Stripe retries.
 */
export function createStripeEvents(deps: StripeEventsDeps) {
  const { stripe, ledger, sessions } = deps;
  const packageName = (id: string) => findPackage(deps.packages, id)?.name ?? id;

  /**
   * Grants a paid session Jasper created, then takes back what its payment's refunds undid
   * (a refund may have reached Jasper first, and found nothing granted to take from). The
   * session comes from a signed event or from Stripe's API; both are checked the same way.
   */
  async function settle(object: unknown): Promise<StripeEventOutcome> {
    const parsed = checkoutSessionSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a Checkout Session: ${failedFields(parsed.error)}`);
    }
    const session = parsed.data;
    // With an asynchronous method (bank debits) the session completes unpaid, and
    // async_payment_succeeded brings it again, paid, when the money arrives.
    if (session.payment_status !== "paid") {
      return ignored("not_paid", `Checkout Session ${session.id} is not paid`);
    }
    const record = await sessions.find(session.id);
    if (!record) {
      return ignored(
        labelledAsOurs(session.metadata) ? "unrecorded" : "not_ours",
        `Checkout Session ${session.id} was not created by Jasper`,
      );
    }
    const mismatch = termsMismatch(record, session);
    if (mismatch) return ignored("terms_mismatch", `Checkout Session ${session.id}: ${mismatch}`);

    // A paid session always has one; it is what a later refund is matched by.
    const paymentIntent = idOf(session.payment_intent);
    if (!paymentIntent) {
      return ignored("terms_mismatch", `Checkout Session ${session.id} is paid without a payment`);
    }
    const link = await sessions.linkPaymentIntent(session.id, paymentIntent);
    if (link.status !== "linked") {
      return ignored(
        "terms_mismatch",
        `Checkout Session ${session.id}: payment intent ${paymentIntent} is not the session's own`,
      );
    }

    // Fetched on every delivery, replays included: the ledger decides whether this one is
    // first, and the entry is immutable, so the URL has to be there when it is written.
    // A Stripe API failure throws, and Stripe's retry brings the event back.
    const receiptUrl = await receiptUrlOf(paymentIntent);
    const written = await ledger.grant(record.accountId, {
      type: "purchase",
      amount: record.credits,
      description: `${packageName(record.packageId)} package: ${record.credits} credits`,
      reference: {
        kind: "stripe",
        checkoutSession: session.id,
        paymentIntent,
        ...(receiptUrl && { receiptUrl }),
      },
      idempotencyKey: grantKey(session.id),
    });
    await deps.audit?.(written.entry);
    const result = written.status === "created" ? "granted" : "already_granted";

    // Asked of Stripe every time, replays included: a refund whose event came first found
    // nothing to take from, and a crash between the grant and a take-back is repaired by
    // the redelivery. The session's currency is the record's (checked above), and so is its
    // refunds'.
    const refundsTakenBack = await takeBackRefunds(record, written.entry.amount, paymentIntent);
    return { result, refundsTakenBack };
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
   * One negative adjustment per succeeded refund of the payment, keyed by the refund id, so
   * a second partial refund adds one entry and a redelivered event adds none. All refunds
   * are listed (not only the newest) because events can be lost or arrive out of order.
   * Returns how many refunds were taken back, this time or before.
   *
   * `credits` is what the purchase entry granted; the caller has checked that the payment
   * was made in the recorded currency (a refund is always in its payment's currency).
   */
  async function takeBackRefunds(
    record: CheckoutRecord,
    credits: number,
    paymentIntent: string,
  ): Promise<number> {
    if (record.priceCents <= 0 || credits <= 0) return 0;
    const refunds: Stripe.Refund[] = [];
    // Auto-pagination: for-await fetches every page.
    for await (const refund of stripe.refunds.list({ payment_intent: paymentIntent, limit: 100 })) {
      refunds.push(refund);
    }
    // Oldest first, so each refund's share (and the cap below) comes out the same on every
    // delivery; an entry already written keeps the amount it was written with.
    refunds.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    let assigned = 0;
    let touched = 0;
    for (const refund of refunds) {
      if (refund.status !== "succeeded" || refund.amount <= 0) continue;
      // Proportional to the money returned, at least one credit per refund, and never more
      // in total than the purchase gave: rounding must not take back more than was bought.
      const share = Math.max(1, Math.round((credits * refund.amount) / record.priceCents));
      const take = Math.min(share, credits - assigned);
      if (take <= 0) continue;
      assigned += take;
      const charge = idOf(refund.charge);
      // The ledger takes only what the purchased bucket still holds and records the rest
      // as `uncollected`: credits already spent on reviews are not clawed back below zero.
      const takenBack = await ledger.adjust(record.accountId, {
        amount: -take,
        bucket: "purchased",
        description: `Stripe refund ${refund.id} (${packageName(record.packageId)} package): ${take} credits taken back`,
        reference: { kind: "stripe", ...(charge && { charge }), paymentIntent },
        idempotencyKey: `stripe-refund:${refund.id}`,
      });
      await deps.audit?.(takenBack.entry);
      touched += 1;
    }
    return touched;
  }

  /**
   * A refund of the charge: taken back from the purchase its payment made. The account, the
   * credits and the price come from that purchase, found through the payment intent: never
   * from the charge's metadata, which anyone with access to the Stripe account can write, so
   * that a refund of someone else's charge cannot take credits from an organization that
   * never bought them.
   */
  async function takeBack(charge: ChargeObject): Promise<StripeEventOutcome> {
    const paymentIntent = idOf(charge.payment_intent);
    if (!paymentIntent) return notAPurchase(charge);
    const record = await sessions.findByPaymentIntent(paymentIntent);
    const purchase = record
      ? await deps.purchases.findByKey(record.accountId, grantKey(record.sessionId))
      : null;
    // Not granted (yet): the completion may still be on its way, or the payment is not
    // Jasper's at all. Stripe knows which checkout the payment belongs to.
    if (!record || !purchase) return settleFirst(charge, paymentIntent);

    const ref = purchase.reference;
    if (
      purchase.type !== "purchase" ||
      (ref?.kind === "stripe" && ref.paymentIntent && ref.paymentIntent !== paymentIntent)
    ) {
      return ignored("not_ours", `charge ${charge.id}: no purchase was granted for its payment`);
    }
    if (charge.currency !== record.currency || record.priceCents <= 0) {
      return ignored("terms_mismatch", `charge ${charge.id} is not in the recorded currency`);
    }
    const refundsTakenBack = await takeBackRefunds(record, purchase.amount, paymentIntent);
    return refundsTakenBack > 0
      ? { result: "taken_back", refundsTakenBack }
      : ignored("nothing_to_take_back", `charge ${charge.id} has no succeeded refund to take`);
  }

  /**
   * A refund whose purchase is not granted: if Stripe says the payment is a Checkout Session
   * Jasper created, that session is settled now (granted, and the refunds taken back), as its
   * completion will find it. Otherwise the payment is someone else's and nothing changes.
   */
  async function settleFirst(
    charge: ChargeObject,
    paymentIntent: string,
  ): Promise<StripeEventOutcome> {
    const found = await stripe.checkout.sessions.list({
      payment_intent: paymentIntent,
      limit: 1,
    });
    const session = found.data[0];
    if (!session) return notAPurchase(charge);
    if (idOf(session.payment_intent) !== paymentIntent) {
      return ignored(
        "malformed",
        `Checkout Session ${session.id} from Stripe is not the payment of charge ${charge.id}`,
      );
    }
    const settled = await settle(session);
    if (settled.result === "ignored" || !settled.refundsTakenBack) return settled;
    return { result: "taken_back", refundsTakenBack: settled.refundsTakenBack };
  }

  const notAPurchase = (charge: ChargeObject) =>
    ignored(
      labelledAsOurs(charge.metadata) ? "unrecorded" : "not_ours",
      `charge ${charge.id} is not the payment of a Jasper checkout`,
    );

  async function chargeRefunded(object: unknown): Promise<StripeEventOutcome> {
    const parsed = chargeSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a Charge: ${failedFields(parsed.error)}`);
    }
    return takeBack(parsed.data);
  }

  /**
   * A refund that was pending when charge.refunded came (some payment methods refund
   * asynchronously) is taken back when it succeeds. Re-reading the whole charge keeps one
   * code path; refunds already handled are replays.
   */
  async function refundUpdated(object: unknown): Promise<StripeEventOutcome> {
    const parsed = refundSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a Refund: ${failedFields(parsed.error)}`);
    }
    const refund = parsed.data;
    const chargeId = idOf(refund.charge);
    if (refund.status !== "succeeded" || !chargeId) {
      return ignored("nothing_to_take_back", `refund ${refund.id} has not succeeded`);
    }
    // Stripe's API answer is checked like an event: a surprise there must not be a TypeError.
    const charge = chargeSchema.safeParse(await stripe.charges.retrieve(chargeId));
    if (!charge.success) {
      return ignored("malformed", `charge ${chargeId} from Stripe: ${failedFields(charge.error)}`);
    }
    return takeBack(charge.data);
  }

  async function handle(event: StripeEventEnvelope): Promise<StripeEventOutcome> {
    const object = event.data?.object;
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.async_payment_succeeded":
        // Card payments are paid on completion; "no_payment_required" cannot happen with
        // our prices (no free packages), and settle() refuses anything but "paid".
        return settle(object);
      case "checkout.session.async_payment_failed":
        // Nothing was granted for the unpaid session, so there is nothing to undo.
        return ignored("not_paid", "the asynchronous payment failed");
      case "charge.refunded":
        return chargeRefunded(object);
      case "refund.updated":
      case "charge.refund.updated":
        return refundUpdated(object);
      default:
        return ignored("unhandled_type", "Jasper does not act on this event type");
    }
  }

  return { handle };
}

export type StripeEvents = ReturnType<typeof createStripeEvents>;

/** Whether the metadata says Jasper's (valid or not): only for how loudly to log. */
const labelledAsOurs = (metadata: Record<string, string> | null | undefined) =>
  readCheckoutMetadata(metadata).status !== "absent";

/**
 * Why a paid session Jasper created does not match what it recorded, or null when it does.
 * The amount and currency are what Stripe charged; the metadata and client_reference_id are
 * what Jasper wrote on the session, so a difference there means someone edited it. Either
 * way nothing is granted: an operator looks, and grants by hand if the buyer did pay.
 */
function termsMismatch(record: CheckoutRecord, session: CheckoutSessionObject): string | null {
  if (session.amount_total !== record.priceCents) return "amount_total is not the recorded price";
  if (session.currency !== record.currency) return "currency is not the recorded currency";
  if (session.client_reference_id !== String(record.accountId)) {
    return "client_reference_id is not the recorded account";
  }
  const meta = readCheckoutMetadata(session.metadata);
  if (meta.status === "absent") return "metadata is missing";
  if (meta.status === "invalid") return `metadata is invalid (${meta.problems})`;
  const m = meta.metadata;
  if (m.accountId !== record.accountId || m.packageId !== record.packageId) {
    return "metadata names another account or package than recorded";
  }
  if (m.credits !== record.credits) return "metadata names other credits than recorded";
  return null;
}
