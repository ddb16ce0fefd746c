import type { QueueBase } from "bullmq";

/**
 * Closes a BullMQ queue, worker or job scheduler that shares a connection with others. BullMQ (5.81) closes
 * one whose connection is still getting ready without waiting for it and drops every listener
 * of its connection wrapper; when the shared connection then ends (shutdown, or Redis never
 * came), the unfinished start fails and the wrapper emits an error nobody listens to any more:
 * an unhandled rejection that can end a process on its way out (bullmq redis-connection.js,
 * the constructor's `initializing.catch` and `close`; taskforcesh/bullmq#1218). A listener put
 * back after the close takes that late error: there is nothing left to do about it.
 */
export async function closeQueue(queue: QueueBase): Promise<void> {
  await queue.close();
  // `connection` is protected in BullMQ's types; bracket access is TypeScript's way in.
  queue["connection"].on("error", () => undefined);
}
