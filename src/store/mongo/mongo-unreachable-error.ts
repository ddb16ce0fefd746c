/**
 * MongoDB could not be connected to at start: what was tried (hosts, never credentials), the
 * setting that names it, and the driver's reason, on one line. Its own file, without
 * mongoose, so that main.ts can recognise it through open-store.ts, as MissingIndexesError.
 */
export class MongoUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MongoUnreachableError";
  }
}
