/**
 * Bounds a call in time: rejects with `timedOut()` after `ms`, or settles as `work` does. The
 * work itself is not cancelled (a promise cannot be), so what it does may still happen later:
 * callers use this only where a late success is harmless (idempotent by key).
 */
export async function withTimeLimit<T>(
  work: Promise<T>,
  ms: number,
  timedOut: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    // A late rejection of `work` must not become an unhandled rejection.
    work.catch(() => undefined);
  }
}
