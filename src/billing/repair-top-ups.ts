/**
 * Top-up attempts left in flight: recorded, and no event settled them for long (a webhook
 * lost, the job given up while Stripe was unreachable, a crash between the attempt and its
 * payment). They block every other top-up of the account (one in flight at a time), so the
 * sweep settles them from what Stripe says, through the same handlers as the webhook:
 *
 * - with a PaymentIntent: retrieved from Stripe; succeeded grants (once, by the attempt key),
 *   a failed one settles declined (or needing authentication), a cancelled one `failed`;
 *   one still processing is left alone;
 * - without one, within Stripe's idempotency window: created again with the attempt's own
 *   key and parameters (Stripe answers the intent it made, if it made one);
 * - without one, past that window: the customer's intents since the attempt are searched for
 *   its key; none means Stripe never made it, and the attempt settles `failed`.
 */
import type Stripe from "stripe";
import type { AutoTopUpStore } from "./auto-top-up-store.js";
import type { TopUpPayer } from "./pay-top-up.js";
import { topUpRecords } from "./top-up-records.js";
import { ATTEMPT_METADATA_KEY, type TopUpPaymentEvents } from "./top-up-payment-events.js";
import type { TopUpAttempt, TopUpAttemptStore } from "./top-up-attempt-store.js";

/** Stripe keeps idempotency keys at least 24 hours; an hour's margin. */
const IDEMPOTENCY_WINDOW_MS = 23 * 60 * 60 * 1000;

/** recent() with this `since` lists only the attempts in flight (top-up-attempt-store.ts). */
const IN_FLIGHT_ONLY = new Date(8.64e15);

export interface RepairTopUpsDeps {
  stripe: Stripe;
  settings: Pick<AutoTopUpStore, "listAfter">;
  attempts: Pick<TopUpAttemptStore, "recent" | "settle" | "linkPaymentIntent">;
  payer: Pick<TopUpPayer, "resume" | "settleFailed">;
  events: Pick<TopUpPaymentEvents, "succeeded" | "failed">;
  /** In flight longer than this is stuck; default 15 minutes. */
  staleAfterMs?: number;
  pageSize?: number;
  now?: () => Date;
}

export function createTopUpRepair(deps: RepairTopUpsDeps) {
  const now = deps.now ?? (() => new Date());
  const staleAfterMs = deps.staleAfterMs ?? 15 * 60_000;
  const pageSize = deps.pageSize ?? 200;

  async function settleBy(attempt: TopUpAttempt, pi: Stripe.PaymentIntent): Promise<boolean> {
    switch (pi.status) {
      case "succeeded":
        await deps.events.succeeded(pi);
        return true;
      case "requires_payment_method":
      case "requires_action":
        await deps.events.failed(pi);
        return true;
      case "canceled":
        // Nobody's card said no: not a decline, so it does not count towards switching off.
        await deps.payer.settleFailed(attempt);
        return true;
      default:
        // processing, requires_confirmation, requires_capture: Stripe is still on it.
        return false;
    }
  }

  async function repair(attempt: TopUpAttempt): Promise<boolean> {
    const at = now().getTime();
    if (attempt.paymentIntent) {
      return settleBy(attempt, await deps.stripe.paymentIntents.retrieve(attempt.paymentIntent));
    }
    if (at - attempt.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS) {
      const result = await deps.payer.resume(attempt);
      if (result.status !== "requested") return true;
      return settleBy(attempt, await deps.stripe.paymentIntents.retrieve(result.paymentIntent));
    }
    const listed = await deps.stripe.paymentIntents.list({
      customer: attempt.customerId,
      created: { gte: Math.floor(attempt.createdAt.getTime() / 1000) - 60 },
      limit: 100,
    });
    const pi = listed.data.find((p) => p.metadata?.[ATTEMPT_METADATA_KEY] === attempt.attemptKey);
    if (pi) {
      await deps.attempts.linkPaymentIntent(attempt.accountId, attempt.attemptKey, pi.id);
      return settleBy(attempt, pi);
    }
    await deps.payer.settleFailed(attempt);
    return true;
  }

  /** Settles what it can; the count settled. One attempt's error does not stop the others. */
  return async function repairTopUps(onError?: (a: TopUpAttempt, err: unknown) => void) {
    const staleBefore = now().getTime() - staleAfterMs;
    let repaired = 0;
    for await (const record of topUpRecords(deps.settings, pageSize)) {
      const inFlight = await deps.attempts.recent(record.accountId, IN_FLIGHT_ONLY);
      for (const attempt of inFlight) {
        if (attempt.createdAt.getTime() > staleBefore) continue;
        try {
          if (await repair(attempt)) repaired++;
        } catch (err) {
          onError?.(attempt, err);
        }
      }
    }
    return repaired;
  };
}
export type RepairTopUps = ReturnType<typeof createTopUpRepair>;
