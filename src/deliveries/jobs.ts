/**
 * The job a recorded delivery is handed off as: only its id. The inbox holds the payload, so
 * what is in Redis stays small and a job lost with Redis is rebuilt from the inbox alone.
 */
import { z } from "zod";

export const deliveryJobSchema = z.object({ deliveryId: z.string().min(1).max(100) });
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/**
 * Events people wait on (a comment: chat, a command) go ahead of review work in the deliveries
 * queue; pull request and installation events wait behind them (src/queue/queues.ts turns this
 * into the queue's priority).
 */
export function deliveryLane(name: string): "interactive" | "bulk" {
  return name === "issue_comment" || name === "pull_request_review_comment"
    ? "interactive"
    : "bulk";
}
