import { Worker, type QueueBase } from "bullmq";

/**
 * Closes a BullMQ queue, worker or job scheduler that shares a connection with others. BullMQ (5.81) closes
 * one whose connection is still getting ready without waiting for it and drops every listener
 * of its connection wrapper; when the shared connection then ends (shutdown, or Redis never
 * came), the unfinished start fails and the wrapper emits an error nobody listens to any more:
 * an unhandled rejection that can end a process on its way out (bullmq redis-connection.js,
 * the constructor's `initializing.catch` and `close`; taskforcesh/bullmq#1218). A listener put
 * back after the close takes that late error: there is nothing left to do about it.
 *
 * A worker whose blocking connection (its own duplicate of the worker connection, for
 * BZPOPMIN) is not `ready` is closed with force. Right after a Redis restart that connection
 * may be `reconnecting`: BullMQ's close then calls ioredis `quit()` on it (redis-connection.js
 * `close`: quit unless force or still initializing), which waits for a connection that
 * BullMQ's own disconnect stopped from ever coming back, so the close never ends. Forced, it
 * is disconnected instead, and the close does not wait for running jobs either: with its
 * blocking connection down the worker could not finish them anyway, and their locks lapse so
 * they are retried (every handler is idempotent by key).
 */
export async function closeQueue(queue: QueueBase): Promise<void> {
  if (queue instanceof Worker) await queue.close(!blockingReady(queue));
  else await queue.close();
  // `connection` is protected in BullMQ's types; bracket access is TypeScript's way in.
  queue["connection"].on("error", () => undefined);
}

/** Whether the worker's blocking client is connected (bullmq worker.js `blockingConnection`). */
function blockingReady(worker: Worker): boolean {
  const blocking = (worker as unknown as { blockingConnection?: { _client?: { status?: string } } })
    .blockingConnection;
  return blocking?._client?.status === "ready";
}
