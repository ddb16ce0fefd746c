import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The content-request slot a queue job booked before it started (InstallationPace.admit),
 * carried to the request itself without threading it through the use cases: Node's
 * AsyncLocalStorage follows the job's async calls
 * (https://nodejs.org/api/async_context.html#class-asynclocalstorage).
 */
export interface BookedSlot {
  installationId: number;
  /** When the slot is (epoch ms). */
  at: number;
  used: boolean;
}

const slots = new AsyncLocalStorage<BookedSlot>();

/** Runs `work` with the job's booked slot, for its first content request to use. */
export function withBookedSlot<T>(slot: BookedSlot, work: () => Promise<T>): Promise<T> {
  return slots.run(slot, work);
}

/**
 * Takes the current job's slot for a request of `installationId`, when the job has one that
 * is unused and not more than `lateByMs` past; a second request, or one made later than that
 * (a slow engine), books its own.
 */
export function takeBookedSlot(installationId: number, lateByMs: number): BookedSlot | null {
  const slot = slots.getStore();
  if (!slot || slot.used || slot.installationId !== installationId) return null;
  if (Date.now() - slot.at > lateByMs) return null;
  slot.used = true;
  return slot;
}
