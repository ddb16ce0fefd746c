/**
 * What Stripe's (already verified) events do to the ledger: a paid Checkout Session that
 * Jasper created grants the credits it was sold for, a refund of its payment takes them back,
 * and a refund that fails after that gives them back.
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
 * session grants the package and settles the payment's refunds so far; a refund of a
 * session Jasper created that is not granted yet settles it from the session Stripe holds
 * (docs/billing.md, "Buying credits"). Whichever event comes first, the ledger ends the same.
 */
import type Stripe from "stripe";
import type { AccountId } from "../accounts/types.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { Ledger } from "../ledger/ledger.js";
import type { LedgerEntry } from "../ledger/types.js";
import type { CheckoutRecord, CheckoutSessionStore } from "./checkout-session-store.js";
import { readCheckoutMetadata } from "./checkout-metadata.js";
import { findPackage, type CreditPackage } from "./packages.js";
import { INVOICE_EVENT_TYPES, purchaseGrantKey, type InvoiceEvents } from "./invoice-events.js";
import type { TopUpPaymentEvents } from "./top-up-payment-events.js";
import type { SubscriptionEvents } from "./subscription-events.js";
import { isSubscriptionSession } from "./subscription-schemas.js";
import {
  chargeSchema,
  checkoutSessionSchema,
  failedFields,
  idOf,
  isSetupSession,
  refundSchema,
  type ChargeObject,
  type CheckoutSessionObject,
  type StripeEventEnvelope,
} from "./stripe-event-schemas.js";

export type StripeEventResult =
  | "granted"
  | "already_granted"
  | "taken_back"
  /** Only refunds that failed after their take-back, given back. */
  | "given_back"
  /** A card saved for auto top-up (card-setup-events.ts), now or before. */
  | "card_saved"
  /** A card setup older than the card saved since: the newer card stays. */
  | "card_outdated"
  /** An automatic top-up's payment succeeded: its credits granted (top-up-payment-events.ts). */
  | "top_up_granted"
  /** An automatic top-up's payment failed: the attempt settled as not paid. */
  | "top_up_declined"
  /** A subscription's state from Stripe recorded, nothing granted (subscription-events.ts). */
  | "subscription_synced"
  /** A subscription's state recorded and a plan month (or an upgrade's difference) granted. */
  | "plan_month_granted"
  /** A subscription's renewal failed: recorded as past due, the contacts told once. */
  | "subscription_payment_failed"
  /** An invoice kept for the invoice list (invoice-events.ts), or a newer state already kept. */
  | "invoice_recorded"
  | "invoice_outdated"
  | "ignored";

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
  /** A refund event with no succeeded refund to take back, nor a failed one to give back. */
  | "nothing_to_take_back";

export type StripeEventOutcome =
  | {
      result: Exclude<StripeEventResult, "ignored">;
      /** Refunds taken back (or found taken back already) while handling it, for the log. */
      refundsTakenBack?: number;
      /** Failed or canceled refunds given back (or found given back already), the same. */
      refundsGivenBack?: number;
    }
  /** `detail` names ids and fields, never values from the payload, for the log line. */
  | { result: "ignored"; reason: IgnoredBecause; detail: string };

export interface StripeEventsDeps {
  stripe: Stripe;
  ledger: Pick<Ledger, "grant" | "adjust" | "takeBack">;
  /** Where create-checkout.ts recorded the sessions it created. */
  sessions: CheckoutSessionStore;
  /**
   * Where a refund finds the purchase entry its payment made, and the take-backs (and their
   * reversals) already written for it.
   */
  purchases: Pick<LedgerStore, "rowByKey" | "stream">;
  packages: readonly CreditPackage[];
  /**
   * Records the entry in the audit log (src/audit/ledger-audit.ts), once per entry however
   * often it is called. Called on replays too: a crash after the grant and before the audit
   * is repaired by Stripe's redelivery, and an audit failure throws, so Stripe redelivers.
   */
  audit?: (entry: LedgerEntry) => Promise<void>;
  /**
   * Fixes the account's billing currency at its first payment (AccountStore's
   * fixBillingCurrency: set only when unset). Called on replays too, so a crash between the
   * grant and it is repaired by Stripe's redelivery.
   */
  fixCurrency?: (accountId: AccountId, currency: string) => Promise<unknown>;
  /**
   * A completed Checkout Session in `setup` mode: a card saved for auto top-up
   * (card-setup-events.ts). Without it such sessions are ignored as not Jasper's purchases.
   */
  setupCompleted?: (object: unknown) => Promise<StripeEventOutcome>;
  /**
   * The PaymentIntent events of automatic top-ups (top-up-payment-events.ts). Without it they
   * are ignored: no top-up is ever paid then.
   */
  topUps?: Pick<TopUpPaymentEvents, "succeeded" | "failed">;
  /**
   * The subscription events (subscription-events.ts). Without them they are ignored, and a
   * subscription-mode Checkout Session is none of Jasper's purchases.
   */
  subscriptions?: SubscriptionEvents;
  /**
   * Keeps Stripe's invoice events for the invoice list (invoice-events.ts), in addition to
   * whatever else an invoice event does. Without it they are not kept.
   */
  invoices?: Pick<InvoiceEvents, "keep">;
}

/** Same limit as the ledger's URL check: a longer one would make the grant fail for good. */
const MAX_URL_LENGTH = 2000;

/** The purchase entry's key: one grant per Checkout Session, whichever event comes first. */
const grantKey = purchaseGrantKey;

/** A refund's take-back, once per refund. */
const takeBackKey = (refundId: string) => `stripe-refund:${refundId}`;
/** What gives a take-back back when its refund failed or was canceled, once per refund. */
const reversalKey = (refundId: string) => `stripe-refund-reversed:${refundId}`;
const isRefundKey = (key: string) =>
  key.startsWith(takeBackKey("")) || key.startsWith(reversalKey(""));

/** A refund that will not return the money (or no longer does): both statuses are final. */
const undone = (status: string | null) => status === "failed" || status === "canceled";

/** What settling a payment's refunds did, this time or before. */
interface RefundsSettled {
  /** Refunds taken back. */
  refundsTakenBack: number;
  /** Refunds that failed or were canceled after they were taken back, given back. */
  refundsGivenBack: number;
}

/** What a refund event did, or null when it did nothing. */
const refundOutcome = (refunds: RefundsSettled): StripeEventOutcome | null => {
  if (refunds.refundsTakenBack > 0) return { result: "taken_back", ...refunds };
  if (refunds.refundsGivenBack > 0) return { result: "given_back", ...refunds };
  return null;
};

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
        // What Stripe charged, equal to the recorded terms (termsMismatch checked both).
        paidCents: record.priceCents,
        currency: record.currency,
      },
      idempotencyKey: grantKey(session.id),
    });
    await deps.audit?.(written.entry);
    await deps.fixCurrency?.(record.accountId, record.currency);
    const result = written.status === "created" ? "granted" : "already_granted";

    // Asked of Stripe every time, replays included: a refund whose event came first found
    // nothing to take from, and a crash between the grant and a take-back is repaired by
    // the redelivery. The session's currency is the record's (checked above), and so is its
    // refunds'.
    const refunds = await takeBackRefunds(record, written.entry.amount, paymentIntent);
    return { result, ...refunds };
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
   * Settles the payment's refunds against its purchase, from every refund Stripe lists (not
   * only the event's: events can be lost or arrive out of order):
   *
   * - a refund that failed or was canceled after it was taken back gets those credits back,
   *   exactly what its take-back took, once (key `stripe-refund-reversed:<refund>`);
   * - then each succeeded refund, oldest first, takes back its share once (key
   *   `stripe-refund:<refund>`), within what the purchase's take-backs, net of those given
   *   back, have left of the package: read from the ledger inside the write (Ledger.takeBack),
   *   so an entry written earlier, or by a concurrent event, counts with the amount it holds.
   *
   * Reversals come first, so a refund issued again after a failed one finds the package's
   * credits free to take again. `credits` is what the purchase entry granted; the caller has
   * checked that the payment was made in the recorded currency (a refund is always in its
   * payment's currency).
   */
  async function takeBackRefunds(
    record: CheckoutRecord,
    credits: number,
    paymentIntent: string,
  ): Promise<RefundsSettled> {
    const settled = { refundsTakenBack: 0, refundsGivenBack: 0 };
    if (record.priceCents <= 0 || credits <= 0) return settled;
    const refunds: Stripe.Refund[] = [];
    // Auto-pagination: for-await fetches every page.
    for await (const refund of stripe.refunds.list({ payment_intent: paymentIntent, limit: 100 })) {
      refunds.push(refund);
    }
    // Oldest first, so each refund's share (and the cap below) comes out the same on every
    // delivery; an entry already written keeps the amount it was written with.
    refunds.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const pkg = packageName(record.packageId);

    for (const refund of refunds) {
      if (!undone(refund.status)) continue;
      if (await giveBack(record.accountId, refund, paymentIntent, pkg)) {
        settled.refundsGivenBack += 1;
      }
    }

    // What may still be taken back: the package, less what this payment's take-backs took
    // and their reversals did not give back. Actual amounts, not shares: a take-back that
    // found the bucket short took less, and the cap is on credits that left the account.
    const room = async () => credits - (await netTakenBack(record.accountId, paymentIntent));

    for (const refund of refunds) {
      if (refund.status !== "succeeded" || refund.amount <= 0) continue;
      // Proportional to the money returned, and at least one credit per refund; room()
      // trims it so that rounding never takes back more than was bought.
      const share = Math.max(1, Math.round((credits * refund.amount) / record.priceCents));
      const charge = idOf(refund.charge);
      // The ledger takes only what the purchased bucket still holds and records the rest
      // as `uncollected`: credits already spent on reviews are not clawed back below zero.
      const takenBack = await ledger.takeBack(record.accountId, {
        credits: share,
        room,
        bucket: "purchased",
        describe: (take) =>
          `Stripe refund ${refund.id} (${pkg} package): ${take} credits taken back`,
        reference: { kind: "stripe", ...(charge && { charge }), paymentIntent },
        idempotencyKey: takeBackKey(refund.id),
      });
      if (takenBack.status === "no_room") continue;
      await deps.audit?.(takenBack.entry);
      settled.refundsTakenBack += 1;
    }
    return settled;
  }

  /**
   * Gives back what a refund's take-back took, once the refund failed or was canceled: the
   * customer got the money back neither way, so the credits are theirs again. Exactly what
   * the entry took from the purchased bucket (not what it asked: `uncollected` never left
   * the account), to that bucket. True when the refund is given back, now or before.
   */
  async function giveBack(
    accountId: AccountId,
    refund: Stripe.Refund,
    paymentIntent: string,
    pkg: string,
  ): Promise<boolean> {
    const takeBack = await deps.purchases.rowByKey(accountId, takeBackKey(refund.id));
    const ours =
      takeBack?.type === "adjustment" &&
      takeBack.reference?.kind === "stripe" &&
      takeBack.reference.paymentIntent === paymentIntent;
    const taken = ours ? -takeBack.deltas.purchased : 0;
    // Never taken back (it failed before it succeeded, or before Jasper saw it succeed), or
    // nothing was there to take: nothing to give back.
    if (taken <= 0) return false;
    const charge = idOf(refund.charge);
    const givenBack = await ledger.adjust(accountId, {
      amount: taken,
      bucket: "purchased",
      description: `Stripe refund ${refund.id} ${refund.status} (${pkg} package): ${taken} credits given back`,
      reference: { kind: "stripe", ...(charge && { charge }), paymentIntent },
      idempotencyKey: reversalKey(refund.id),
    });
    await deps.audit?.(givenBack.entry);
    return true;
  }

  /**
   * Credits this payment's refunds have taken back and not given back, from the account's
   * adjustments (few: Stripe's and operators'): a take-back adds what it took from the
   * purchased bucket, a reversal subtracts what it gave back.
   */
  async function netTakenBack(accountId: AccountId, paymentIntent: string): Promise<number> {
    let net = 0;
    for await (const e of deps.purchases.stream(accountId, "asc", { types: ["adjustment"] })) {
      if (!isRefundKey(e.idempotencyKey)) continue;
      if (e.reference?.kind !== "stripe" || e.reference.paymentIntent !== paymentIntent) continue;
      net -= e.deltas.purchased;
    }
    return net;
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
      ? await deps.purchases.rowByKey(record.accountId, grantKey(record.sessionId))
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
    const refunds = await takeBackRefunds(record, purchase.amount, paymentIntent);
    return (
      refundOutcome(refunds) ??
      ignored("nothing_to_take_back", `charge ${charge.id} has no refund to take or give back`)
    );
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
    if (settled.result === "ignored") return settled;
    const { refundsTakenBack = 0, refundsGivenBack = 0 } = settled;
    return refundOutcome({ refundsTakenBack, refundsGivenBack }) ?? settled;
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
   * asynchronously) is taken back when it succeeds; one that fails or is canceled after it
   * was taken back (the money went back to Jasper, not to the customer) is given back.
   * Re-reading the whole charge keeps one code path; refunds already handled are replays.
   */
  async function refundUpdated(object: unknown): Promise<StripeEventOutcome> {
    const parsed = refundSchema.safeParse(object);
    if (!parsed.success) {
      return ignored("malformed", `not a Refund: ${failedFields(parsed.error)}`);
    }
    const refund = parsed.data;
    const chargeId = idOf(refund.charge);
    if ((refund.status !== "succeeded" && !undone(refund.status)) || !chargeId) {
      return ignored(
        "nothing_to_take_back",
        `refund ${refund.id} has neither succeeded nor failed`,
      );
    }
    // Stripe's API answer is checked like an event: a surprise there must not be a TypeError.
    const charge = chargeSchema.safeParse(await stripe.charges.retrieve(chargeId));
    if (!charge.success) {
      return ignored("malformed", `charge ${chargeId} from Stripe: ${failedFields(charge.error)}`);
    }
    return takeBack(charge.data);
  }

  /**
   * An invoice event is kept for the invoice list first, whatever else it does; the outcome
   * is the other handler's when it acted.
   */
  async function handle(event: StripeEventEnvelope): Promise<StripeEventOutcome> {
    const kept =
      deps.invoices && INVOICE_EVENT_TYPES.has(event.type)
        ? await deps.invoices.keep(event.data?.object)
        : null;
    const outcome = await dispatch(event);
    // A package's invoice is none of the subscriptions' business: their "ignored" gives way to
    // the invoice kept.
    return kept && outcome.result === "ignored" ? kept : outcome;
  }

  async function dispatch(event: StripeEventEnvelope): Promise<StripeEventOutcome> {
    const object = event.data?.object;
    switch (event.type) {
      case "checkout.session.completed":
        // A card saved for auto top-up completes a setup session, which pays nothing.
        if (deps.setupCompleted && isSetupSession(object)) return deps.setupCompleted(object);
        if (deps.subscriptions && isSubscriptionSession(object)) {
          return deps.subscriptions.checkoutCompleted(object);
        }
        // Card payments are paid on completion; "no_payment_required" cannot happen with
        // our prices (no free packages), and settle() refuses anything but "paid".
        return settle(object);
      case "checkout.session.async_payment_succeeded":
        return settle(object);
      case "checkout.session.async_payment_failed":
        // Nothing was granted for the unpaid session, so there is nothing to undo.
        return ignored("not_paid", "the asynchronous payment failed");
      case "charge.refunded":
        return chargeRefunded(object);
      // Checkout's own payments come as checkout.session events; these are top-ups'.
      case "payment_intent.succeeded":
        if (deps.topUps) return deps.topUps.succeeded(object);
        return ignored("unhandled_type", "auto top-up is not wired");
      case "payment_intent.payment_failed":
        if (deps.topUps) return deps.topUps.failed(object);
        return ignored("unhandled_type", "auto top-up is not wired");
      case "refund.updated":
      case "charge.refund.updated":
        return refundUpdated(object);
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted":
        if (deps.subscriptions) return deps.subscriptions.subscriptionChanged(object);
        return ignored("unhandled_type", "subscriptions are not wired");
      case "invoice.paid":
        if (deps.subscriptions) return deps.subscriptions.invoicePaid(object);
        return ignored("unhandled_type", "subscriptions are not wired");
      case "invoice.payment_failed":
        if (deps.subscriptions) return deps.subscriptions.paymentFailed(object);
        return ignored("unhandled_type", "subscriptions are not wired");
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
