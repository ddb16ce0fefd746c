/**
 * POST /api/stripe/webhooks: where Stripe delivers events. It verifies, hands the event to
 * stripe-events.ts, and answers; the status code is what tells Stripe whether to redeliver
 * (any non-2xx is retried with backoff for up to three days).
 *
 * Register it with `server.register(stripeWebhookRoute(deps))`: it is a plain (encapsulated)
 * plugin, so its raw-body parser stays inside its own scope and every other route keeps
 * Fastify's JSON parser.
 *
 * Nothing here logs a body or a payload, not even in part: an unsigned request is anyone's
 * bytes, and a signed one holds customer data. Log lines carry ids, types and reasons.
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import Stripe from "stripe";
import { eventSchema } from "./stripe-event-schemas.js";
import type { IgnoredBecause, StripeEvents } from "./stripe-events.js";

export const STRIPE_WEBHOOK_PATH = "/api/stripe/webhooks";

/**
 * Stripe's events are a few kilobytes (an object and its changed fields, nothing expanded).
 * The route's own limit, whatever the server's: a bigger body is refused from its
 * Content-Length before it is read, or as soon as the bytes read pass the limit.
 */
export const STRIPE_WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface StripeWebhookDeps {
  /** STRIPE_WEBHOOK_SECRET (whsec_...); unset: the route answers 503. */
  webhookSecret: string | undefined;
  /** null when STRIPE_SECRET_KEY is unset. */
  stripe: Stripe | null;
  events: StripeEvents | null;
}

/** How loudly an ignored event is logged: tampering is for an operator, the rest is routine. */
const IGNORED_LEVEL: Record<IgnoredBecause, "info" | "warn" | "error"> = {
  unhandled_type: "info",
  not_paid: "info",
  not_ours: "info",
  unrecorded: "warn",
  nothing_to_take_back: "info",
  malformed: "warn",
  terms_mismatch: "error",
};

export function stripeWebhookRoute(deps: StripeWebhookDeps): FastifyPluginAsync {
  return async (scope) => {
    // The signature covers the exact bytes Stripe sent: a parsed and re-serialized body
    // would not verify, so this scope keeps the body as a Buffer.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );
    // What fails before the handler runs (a body over the limit, another content type) is
    // answered in this route's error shape; Fastify's errors carry no body.
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        request.log.warn({ status, code: error.code }, "Stripe webhook refused before reading");
        const code = status === 413 ? "payload_too_large" : "invalid_request";
        return sendError(reply, status, code, error.message);
      }
      request.log.error({ code: error.code }, "Stripe webhook failed");
      return sendError(reply, 500, "stripe_event_failed", "the event could not be processed");
    });

    scope.post(STRIPE_WEBHOOK_PATH, { bodyLimit: STRIPE_WEBHOOK_BODY_LIMIT }, (request, reply) =>
      receive(deps, request, reply),
    );
  };
}

/** One delivery: verify, check the envelope, hand it over, answer and log. */
async function receive(deps: StripeWebhookDeps, request: FastifyRequest, reply: FastifyReply) {
  const { webhookSecret, stripe, events } = deps;
  if (!webhookSecret || !stripe || !events) {
    return sendError(reply, 503, "stripe_not_configured", "Stripe is not configured here");
  }

  const signature = request.headers["stripe-signature"];
  if (typeof signature !== "string" || signature === "") {
    return sendError(reply, 400, "invalid_signature", "the Stripe-Signature header is missing");
  }
  const body = request.body;
  if (!Buffer.isBuffer(body)) {
    return sendError(reply, 400, "invalid_signature", "no JSON body to verify");
  }

  let verified: unknown;
  try {
    // Also refuses a signature older than stripe-node's 300 s tolerance (replays).
    verified = stripe.webhooks.constructEvent(body, signature, webhookSecret);
  } catch (err) {
    // Never `{ err }`: stripe-node's verification error holds the whole payload, and
    // JSON.parse's message quotes it.
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      const reason = err.message.split("\n")[0];
      request.log.warn({ reason }, "Stripe webhook refused: signature verification failed");
      return sendError(
        reply,
        400,
        "invalid_signature",
        "the Stripe-Signature header does not verify this payload",
      );
    }
    request.log.warn("Stripe webhook refused: the signed body is not a JSON event");
    return sendError(reply, 400, "invalid_json", "the body is not JSON");
  }

  // Signed, so Stripe sent it: whatever its shape, a redelivery would be the same bytes.
  const event = eventSchema.safeParse(verified);
  if (!event.success) {
    request.log.warn("Stripe event ignored: not an event (no id, type or data)");
    return reply.code(200).send({ received: true, result: "ignored" });
  }

  const context = { stripeEvent: event.data.id, type: event.data.type };
  try {
    const outcome = await events.handle(event.data);
    if (outcome.result === "ignored") {
      const { reason, detail } = outcome;
      request.log[IGNORED_LEVEL[reason]]({ ...context, reason, detail }, "Stripe event ignored");
    } else {
      const { result, refundsTakenBack, refundsGivenBack } = outcome;
      request.log.info(
        { ...context, result, refundsTakenBack, refundsGivenBack },
        "Stripe event handled",
      );
    }
    return reply.code(200).send({ received: true, result: outcome.result });
  } catch (err) {
    // Database or Stripe API trouble: a 500 makes Stripe redeliver later, and every
    // write is idempotent, so the retry finishes the job without doubling anything.
    // The error comes from our own calls (the ledger, Stripe's API), not the payload.
    request.log.error({ ...context, err }, "Stripe event failed; Stripe will redeliver it");
    return sendError(reply, 500, "stripe_event_failed", "the event could not be processed");
  }
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}
