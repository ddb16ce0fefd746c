import type { Logger } from "pino";

/**
 * What an event handler logs with: Probot's per-delivery logger (it carries the delivery id).
 * Log ids and outcomes only, never the payload: it holds people's code and comments.
 */
export type EventLog = Pick<Logger, "debug" | "info" | "warn">;
