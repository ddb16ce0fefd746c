/**
 * Errors with a stable `code`, translated to HTTP in one place; callers never match on
 * message text. Expected outcomes (not enough credits, already refunded) are results, not
 * errors: these are for input that must be rejected and for faults.
 */
export class JasperError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface InputIssue {
  path: string;
  message: string;
}

/** The caller sent something that can never succeed; nothing was written. */
export class InvalidInputError extends JasperError {
  constructor(
    message: string,
    readonly issues: readonly InputIssue[] = [],
  ) {
    super("invalid_input", message);
  }
}

/** The same idempotency key was used for a different kind of operation. */
export class IdempotencyConflictError extends JasperError {
  constructor(key: string, existingType: string) {
    super(
      "idempotency_key_reused",
      `idempotency key "${key}" already belongs to a ${existingType} entry`,
    );
  }
}

/** Too many concurrent writers on one account; retrying later is safe (nothing was written). */
export class LedgerContentionError extends JasperError {
  constructor(attempts: number) {
    super("ledger_contention", `ledger write gave up after ${attempts} concurrent conflicts`);
  }
}

/**
 * The database did not answer within its time limit: a read past its maxTimeMS, or a write
 * the majority did not acknowledge within its wtimeout (a majority lost, an election). Retryable:
 * a read wrote nothing, and a write that timed out may have been applied on the primary alone,
 * which every money path's idempotency key (a unique index) makes safe to send again.
 */
export class StoreTimeoutError extends JasperError {
  constructor(
    readonly operation: "read" | "write",
    options?: ErrorOptions,
  ) {
    super(
      "store_timeout",
      operation === "read"
        ? "The database did not answer in time; retry later"
        : "The database did not confirm the write in time; retrying the same request is safe",
      options,
    );
  }
}

/**
 * A job failed in a way no retry can fix (GitHub refuses the app, the pull request is gone,
 * the AI provider refuses the request). Use cases throw it; the queue worker turns it into
 * BullMQ's UnrecoverableError, so use cases never import the queue library.
 */
export class PermanentError extends JasperError {
  constructor(message: string, code = "permanent") {
    super(code, message);
  }
}

/**
 * The HTTP status an error carries, if any (Octokit's RequestError has `status`): for telling
 * a refused request from a network failure without depending on the client library's class.
 */
export const httpStatusOf = (err: unknown): number | undefined =>
  typeof err === "object" &&
  err !== null &&
  typeof (err as { status?: unknown }).status === "number"
    ? (err as { status: number }).status
    : undefined;
