/**
 * POST /api/github/webhooks: where GitHub delivers events. Anyone can send to this URL, so
 * nothing costs more than it must before the sender is known: the body is read up to GitHub's
 * own cap (413 past it, and nothing more is read), the signature is checked over those exact
 * bytes, and only then is the JSON parsed, its fields checked against the event's schema
 * (src/github/webhook-payloads.ts; 400 when they do not fit), the event checked against what
 * Jasper knows (`refusal`: an installation that is not the repository owner's is answered 400
 * `installation_mismatch`, src/github/installation-owner.ts), then recorded in the inbox and
 * queued, and answered 202 (issue 18): nothing calls GitHub or writes the ledger here. With
 * the database or Redis down the answer is a quick 503, so GitHub records a failed delivery
 * (redelivered later). No payload is ever logged: failures are logged by event name, delivery
 * id and message.
 *
 * Register it with `server.register(githubWebhookRoute(deps))`: an encapsulated plugin, so its
 * raw-body parser and error handler stay inside its own scope.
 */
import { WEBHOOK_PATH } from "../github/webhook-path.js";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Probot } from "probot";
import type { EventRefusal } from "../github/installation-owner.js";
import { payloadProblem, schemaFor } from "../github/webhook-payloads.js";
import type { ReceiveDelivery } from "../deliveries/receive-delivery.js";
import { JasperError, StoreTimeoutError } from "../shared/errors.js";
import { withTimeLimit } from "../shared/with-time-limit.js";

/** GitHub caps webhook payloads at 25 MB: a longer body is not GitHub's. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/**
 * How long the refusal check's read may take before the delivery is answered 503: with the
 * database down, GitHub hears so in seconds (its own limit is 10 s) rather than waiting out
 * the driver's server selection. Recording has its own bound (receive-delivery.ts).
 */
const STORE_WITHIN_MS = 2_000;

type Webhooks = Probot["webhooks"];

export interface GitHubWebhookDeps {
  /** Probot's webhooks: the signature check. */
  webhooks: Pick<Webhooks, "verify">;
  /** Records and queues a delivery (src/deliveries/receive-delivery.ts); throws when it cannot. */
  receive: ReceiveDelivery;
  /**
   * Why a handled event that fits its schema is still refused (an installation that is not
   * the repository owner's), or null. Runs before the app, so a refused event does nothing.
   */
  refusal?: (payload: unknown) => Promise<EventRefusal | null>;
}

export function githubWebhookRoute(deps: GitHubWebhookDeps): FastifyPluginAsync {
  return async (scope) => {
    // The signature covers the exact bytes GitHub sent, so the body stays a Buffer here.
    // Anything but JSON (GitHub's other format, form-encoded) is refused unread (415).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "application/json",
      { parseAs: "buffer", bodyLimit: MAX_WEBHOOK_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.setErrorHandler(answerClientErrors);

    scope.post(WEBHOOK_PATH, { bodyLimit: MAX_WEBHOOK_BYTES }, async (request, reply) => {
      const delivery = deliveryHeaders(request);
      if (!delivery) {
        return sendError(
          reply,
          400,
          "invalid_headers",
          "X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256 (sha256=...) are required",
        );
      }
      const { id, name, signature } = delivery;
      // Made when something is logged, not for every delivery (most log nothing).
      let child: FastifyRequest["log"] | undefined;
      const log = () => (child ??= request.log.child({ event: name, delivery: id }));
      const text = Buffer.isBuffer(request.body) ? request.body.toString("utf8") : "";
      if (!(await signatureMatches(deps.webhooks, text, signature))) {
        log().warn("GitHub webhook refused: the signature does not match");
        return sendError(
          reply,
          400,
          "invalid_signature",
          "X-Hub-Signature-256 does not match the payload and the webhook secret",
        );
      }

      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        log().warn("GitHub webhook refused: the payload is not JSON");
        return sendError(reply, 400, "invalid_json", "the payload is not JSON");
      }
      const problem = payloadProblem(name, payload);
      if (problem) {
        // Signed, so GitHub's: a 400 shows in the App's delivery log, for someone to look at.
        log().warn({ problem }, "GitHub webhook refused: the payload does not fit");
        return sendError(reply, 400, "invalid_payload", problem);
      }
      // An event Jasper does not handle (ping, a closed pull request): nothing to record.
      if (!schemaFor(name, payload as object)) return reply.code(200).send({ received: true });
      let refused: EventRefusal | null = null;
      try {
        if (deps.refusal) {
          refused = await withTimeLimit(
            deps.refusal(payload),
            STORE_WITHIN_MS,
            () => new StoreTimeoutError("read"),
          );
        }
      } catch (err) {
        // The check reads the database, as recording does: failing it is failing the event.
        return failed(reply, log(), err);
      }
      if (refused) {
        // Signed, so GitHub's, but not to be acted on: a 400 in the delivery log, like a payload
        // that does not fit, and a warning here saying what did not match.
        log().warn(refused.details, `GitHub webhook refused: ${refused.message}`);
        return sendError(reply, 400, refused.code, refused.message);
      }

      // Recorded in the inbox and queued: the deliveries worker does the rest (configuration,
      // charge, check run, replies). A redelivery of a recorded delivery changes nothing.
      try {
        await deps.receive({ id, name, payload: payload as Record<string, unknown> });
      } catch (err) {
        return failed(reply, log(), err);
      }
      return reply.code(202).send({ received: true });
    });
  };
}

interface Delivery {
  id: string;
  name: string;
  signature: string;
}

/**
 * The delivery's headers, in the shapes GitHub sends them; they are logged before the
 * signature is checked, so nothing longer or stranger gets that far.
 */
function deliveryHeaders(request: FastifyRequest): Delivery | null {
  const name = request.headers["x-github-event"];
  const id = request.headers["x-github-delivery"];
  const signature = request.headers["x-hub-signature-256"];
  if (typeof name !== "string" || !/^[a-z_]{1,64}$/.test(name)) return null;
  if (typeof id !== "string" || !/^[A-Za-z0-9-]{1,100}$/.test(id)) return null;
  if (typeof signature !== "string" || !/^sha256=[0-9a-f]{64}$/.test(signature)) return null;
  return { id, name, signature };
}

async function signatureMatches(
  webhooks: Pick<Webhooks, "verify">,
  payload: string,
  signature: string,
): Promise<boolean> {
  // verify throws on an empty payload: that is a mismatch too.
  return webhooks.verify(payload, signature).catch(() => false);
}

/** How long GitHub (or whoever redelivers) is asked to wait after a store_timeout. */
const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Recording (or the refusal check) failed: 503 `store_timeout` with Retry-After when the
 * database did not answer in time, 503 `queue_unavailable` when Redis is down or did not take
 * the job in time (both retryable: a delivery is recorded once, and one recorded before its
 * add failed is queued by the redelivery or the sweep), 500 `handler_failed` otherwise.
 */
function failed(reply: FastifyReply, log: FastifyRequest["log"], err: unknown) {
  const errors = err instanceof AggregateError ? err.errors : [err];
  if (errors.some((e) => e instanceof JasperError && e.code === "queue_unavailable")) {
    log.warn({ errors: failureMessages(err) }, "GitHub webhook not recorded: Redis is down");
    reply.header("retry-after", String(STORE_RETRY_AFTER_SECONDS));
    return sendError(reply, 503, "queue_unavailable", "The queue is not available; retry later");
  }
  if (errors.some((e) => e instanceof StoreTimeoutError)) {
    log.warn(
      { errors: failureMessages(err) },
      "GitHub webhook not handled: the database did not answer in time",
    );
    reply.header("retry-after", String(STORE_RETRY_AFTER_SECONDS));
    return sendError(
      reply,
      503,
      "store_timeout",
      "The database did not answer in time; retry later",
    );
  }
  log.error({ errors: failureMessages(err) }, "GitHub webhook handler failed");
  return sendError(reply, 500, "handler_failed", "the event could not be processed");
}

/** The handlers' error messages (Probot gathers them in an AggregateError), short. */
function failureMessages(err: unknown): string[] {
  const errors = err instanceof AggregateError ? err.errors : [err];
  return errors.map((e) => (e instanceof Error ? e.message : String(e)).slice(0, 500));
}

/** What Fastify refuses before the handler runs: the body's size, type or length. */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
};

function answerClientErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const code = CLIENT_ERRORS[error.code];
  const status = error.statusCode ?? 500;
  if (code && status >= 400 && status < 500) {
    request.log.warn({ code }, "GitHub webhook refused before reading it");
    // Closing the connection is what stops the reading: the rest of the body is never taken.
    if (status === 413) reply.header("connection", "close");
    return sendError(reply, status, code, error.message);
  }
  request.log.error({ err: error.message }, "GitHub webhook request failed");
  return sendError(reply, 500, "internal_error", "Something went wrong on our side");
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}
