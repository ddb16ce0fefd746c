/**
 * Errors that only say Redis cannot be reached right now. ioredis emits one per reconnect
 * attempt on every connection, and BullMQ forwards each to every worker and queue sharing it
 * (and those of the blocking connections it duplicates); the connection's state is reported
 * once per change instead (redis-health.ts), so these are not logged one by one.
 */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

export function isConnectionError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === "string" && NETWORK_CODES.has(code)) ||
    // ioredis's CONNECTION_CLOSED_ERROR_MSG, and what a bounded command fails with meanwhile.
    err.message === "Connection is closed." ||
    err.name === "MaxRetriesPerRequestError"
  );
}
