/**
 * The API's errors and the one place they become HTTP answers. Every error body has the same
 * shape, `{ error: { code, message, issues? } }`, with a stable `code` for programs and a
 * message for people. Anything unexpected is a 500 with a generic message: its details go to
 * the log, never to the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  InvalidInputError,
  JasperError,
  StoreTimeoutError,
  type InputIssue,
} from "../shared/errors.js";
import { isConnectionError } from "../queue/connection-error.js";

/** An expected failure with the HTTP status it is answered with. */
export class ApiError extends JasperError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

/** One answer for "no such organization" and "not yours": other orgs' existence never leaks. */
export const notFound = (): ApiError => new ApiError(404, "not_found", "Not found");

export const unauthorized = (message: string): ApiError =>
  new ApiError(401, "unauthorized", message, { "www-authenticate": 'Bearer realm="jasper"' });

/** Changing settings or managing keys: only an org admin, signed in with GitHub, may. */
export const githubTokenRequired = (): ApiError =>
  new ApiError(
    403,
    "github_token_required",
    "This needs the GitHub token of an organization admin, not an API key",
  );

/** A read key where a write key (or an admin's GitHub token) is needed. RFC 6750's hint too. */
export const insufficientScope = (): ApiError =>
  new ApiError(
    403,
    "insufficient_scope",
    "This API key may only read: this needs a write key or an organization admin's GitHub token",
    { "www-authenticate": 'Bearer realm="jasper", error="insufficient_scope", scope="write"' },
  );

/** Too many failed authentications from one address: refused before any lookup is made. */
export const tooManyFailedAuthentications = (retryAfterSeconds: number): ApiError =>
  new ApiError(
    429,
    "rate_limited",
    `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
    { "retry-after": String(retryAfterSeconds) },
  );

/** GitHub could not be asked whether a token may see an organization (down, rate limited). */
export class GitHubUnavailableError extends ApiError {
  constructor() {
    super(503, "github_unavailable", "GitHub could not be reached to check the token; retry later");
  }
}

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An error response for a route's schema (and so the OpenAPI document), with what it means. */
export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: errorBodySchema } },
});

/** The error responses every authenticated route can give. */
export const commonErrors = {
  400: errorResponse("The request is invalid: `issues` says what to change"),
  401: errorResponse("Missing, malformed, unknown or revoked credential"),
  404: errorResponse("No such organization, or the credential does not grant access to it"),
  429: errorResponse(
    "Too many requests with this credential, or failed authentications from this address; see Retry-After",
  ),
  503: errorResponse(
    "GitHub could not be asked about the token (`github_unavailable`), the database did not answer in time (`store_timeout`), or Redis, which keeps the rate limits, could not be reached (`service_unavailable`); retry later",
  ),
} as const;

const body = (code: string, message: string, issues?: readonly InputIssue[]): ErrorBody => ({
  error: issues ? { code, message, issues: [...issues] } : { code, message },
});

/** How long a client is asked to wait after a store_timeout. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** Fastify's own client errors (body parsing, content type) and the codes we give them. */
const FASTIFY_CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
};

export function apiErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = error.validationContext ?? "request";
    const issues = error.validation.map((v) => ({
      path: [part, ...v.instancePath.split("/").filter(Boolean)].join("."),
      message: v.message ?? "invalid",
    }));
    const message = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return reply.code(400).send(body("invalid_request", message, issues));
  }
  if (error instanceof InvalidInputError) {
    return reply.code(400).send(body(error.code, error.message, error.issues));
  }
  // Retryable: a read wrote nothing, and a write sent again is matched by its key.
  if (error instanceof StoreTimeoutError) {
    request.log.warn({ err: error }, "the database did not answer in time");
    return reply
      .code(503)
      .headers({ "retry-after": String(STORE_RETRY_AFTER_SECONDS) })
      .send(body(error.code, error.message));
  }
  // Redis (the rate limit's counters) out of reach: nothing was done, and it is ours, not the
  // client's, so a 503 to retry rather than a 500. Its state is logged once per change
  // (queue/redis-health.ts), so not per request here.
  if (isConnectionError(error)) {
    return reply
      .code(503)
      .headers({ "retry-after": String(STORE_RETRY_AFTER_SECONDS) })
      .send(
        body("service_unavailable", "A service Jasper needs could not be reached; retry later"),
      );
  }
  if (error instanceof ApiError) {
    return reply
      .code(error.statusCode)
      .headers(error.headers)
      .send(body(error.code, error.message));
  }
  // Only Fastify's own errors are trusted to carry a client status: an error from a library
  // (Stripe's have a statusCode too) is our failure, not the client's.
  const fastifyCode =
    typeof error.code === "string" ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  const status = error.statusCode ?? 500;
  if (fastifyCode && status >= 400 && status < 500) {
    return reply.code(status).send(body(fastifyCode, error.message));
  }
  request.log.error({ err: error }, "billing API request failed");
  return reply.code(500).send(body("internal_error", "Something went wrong on our side"));
}

/**
 * For the server's `frameworkErrors` option (server-wide, so the integrator passes it to
 * Fastify()): a URL Fastify cannot route (bad percent-encoding, a path segment over
 * maxParamLength, 100 by default) is refused before any plugin's error handler runs. This
 * answers those 4xx in the API's shape rather than Fastify's.
 */
export function apiFrameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const code = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "uri_too_long" : "bad_request";
  void reply
    .code(status)
    .send(body(code, status === 414 ? "A path segment is too long" : "Malformed URL"));
}

/** Unknown routes under the API's prefix: the same JSON 404 as an unknown organization. */
export function apiNotFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(body("not_found", "Not found"));
}
