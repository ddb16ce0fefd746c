/**
 * Adds that arrive together go to Redis together. A burst of webhook deliveries (GitHub sends
 * many at once when a team pushes, or when a redelivery run catches up) would otherwise be one
 * round trip per delivery; BullMQ's `addBulk` pipelines them in one. Measured in `npm run
 * bench` (the webhook lines): the queue add is the largest part of what the webhook costs
 * beyond a bare Probot app.
 *
 * An add joins the batch being gathered; the batch goes at the next `setImmediate` (after the
 * I/O the event loop is handling now: the requests that came in together) or as soon as it
 * holds `maxBatch`. Every add of a batch gets the batch's outcome: if any add of it fails,
 * each caller sees the error (the webhook answers 503; the delivery is recorded, so the sweep
 * or GitHub's redelivery queues it, and an add of a job id already there is a no-op), so
 * nothing is acknowledged that may not have been added.
 */
export function createAddBatcher<T>(
  flush: (items: T[]) => Promise<unknown>,
  { maxBatch = 100 }: { maxBatch?: number } = {},
): (item: T) => Promise<void> {
  let gathering: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  function send(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = gathering;
    gathering = [];
    let sent: Promise<unknown>;
    try {
      sent = flush(batch.map((b) => b.item));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => batch.forEach((b) => b.resolve()),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      gathering.push({ item, resolve, reject });
      if (gathering.length >= maxBatch) send();
      else scheduled ??= setImmediate(send);
    });
}
