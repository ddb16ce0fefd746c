/**
 * MongoDB lacks unique indexes the app relies on: the app refuses to start. Its own file,
 * without mongoose, so that main.ts can recognise it through open-store.ts without loading
 * the driver when the store is the in-memory one.
 */
export class MissingIndexesError extends Error {
  /** `missing`: one line per index, as describeIndex writes them. */
  constructor(readonly missing: readonly string[]) {
    super(
      [
        "MongoDB is missing unique indexes Jasper relies on (they are what keeps two writers " +
          "from spending the same credit or claiming the same review):",
        ...missing.map((index) => `  - ${index}`),
        `Build them first: ${MIGRATE_COMMAND}.`,
      ].join("\n"),
    );
    this.name = "MissingIndexesError";
  }
}

/** How an operator builds the indexes, wherever Jasper runs. */
export const MIGRATE_COMMAND =
  "`npm run migrate` in a checkout, `node dist/cli/migrate.js` in the Docker image " +
  "(docker compose runs it as the migrate service)";
