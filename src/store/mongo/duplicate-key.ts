/** Whether a MongoDB write failed on a unique index (E11000): a conflict, not an outage. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
