/**
 * POST /api/stripe/webhooks: where Stripe delivers events. It verifies, hands the event to
 * stripe-events.ts, and answers; the status code is what tells Stripe whether to redeliver
 * (any non-2xx is retried with backoff for up to three days).
 *
 * Register it with `server.register(stripeWebhookRoute(deps))`: it is a plain (encapsulated)
 * plugin, so its raw-body parser stays inside its own scope and every other route keeps
 * Fastify's JSON parser.
 */
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type Stripe from "stripe";
import { CheckoutMetadataError } from "./checkout-metadata.js";
import type { StripeEvents } from "./stripe-events.js";

export const STRIPE_WEBHOOK_PATH = "/api/stripe/webhooks";

export interface StripeWebhookDeps {
  /** STRIPE_WEBHOOK_SECRET (whsec_...); unset: the route answers 503. */
  webhookSecret: string | undefined;
  /** null when STRIPE_SECRET_KEY is unset. */
  stripe: Stripe | null;
  events: StripeEvents | null;
}

export function stripeWebhookRoute(deps: StripeWebhookDeps): FastifyPluginAsync {
  return async (scope) => {
    // The signature covers the exact bytes Stripe sent: a parsed and re-serialized body
    // would not verify, so this scope keeps the body as a Buffer.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );

    scope.post(STRIPE_WEBHOOK_PATH, async (request, reply) => {
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

      let event: Stripe.Event;
      try {
        // Also refuses a signature older than stripe-node's 300 s tolerance (replays).
        event = stripe.webhooks.constructEvent(body, signature, webhookSecret);
      } catch (err) {
        request.log.warn({ err }, "Stripe webhook refused: signature verification failed");
        return sendError(
          reply,
          400,
          "invalid_signature",
          "the Stripe-Signature header does not verify this payload",
        );
      }

      const context = { stripeEvent: event.id, type: event.type };
      try {
        const result = await events.handle(event);
        request.log.info({ ...context, result }, "Stripe event handled");
        return reply.code(200).send({ received: true, result });
      } catch (err) {
        if (err instanceof CheckoutMetadataError) {
          // Signed by Stripe, so not an attack, and no retry can fix it: acknowledge it so
          // Stripe stops redelivering, and leave the fix (a manual grant) to an operator.
          request.log.error(
            { ...context, err },
            "Stripe event ignored: unusable checkout metadata",
          );
          return reply.code(200).send({ received: true, result: "ignored" });
        }
        // Database or Stripe API trouble: a 500 makes Stripe redeliver later, and every
        // write is idempotent, so the retry finishes the job without doubling anything.
        request.log.error({ ...context, err }, "Stripe event failed; Stripe will redeliver it");
        return sendError(reply, 500, "stripe_event_failed", "the event could not be processed");
      }
    });
  };
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}
