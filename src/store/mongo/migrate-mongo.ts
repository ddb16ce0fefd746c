import type { Connection } from "mongoose";
import { storeOn } from "./connect-mongo.js";
import { listedIndexes, type AnyModel, type ListedIndex } from "./index-check.js";
import { openMongo, type ConnectOverrides } from "./mongo-connection.js";

/** Some collection or index could not be built; the lines said which and why. */
export class MigrationError extends Error {
  constructor(failed: readonly string[]) {
    super(`could not migrate ${failed.join(", ")}`);
    this.name = "MigrationError";
  }
}

/**
 * The migration (src/cli/migrate.ts): creates the collections and builds the indexes that
 * the schemas declare, for every model the store uses, and says what it did, one line at a
 * time. Only adds: createCollection and createIndexes, never syncIndexes, which drops the
 * indexes a schema no longer declares, and so would let an older version's migration remove
 * an index a newer one relies on. Run before the app starts: the app only checks
 * (index-check.ts), since a build on a large collection takes long and, on a replica set,
 * waits for every voting member.
 */
export async function migrateMongo(
  uri: string,
  say: (line: string) => void,
  overrides: ConnectOverrides = {},
): Promise<void> {
  const conn = await openMongo(uri, overrides);
  try {
    await migrateModels(modelsOf(conn), say);
  } finally {
    await conn.close();
  }
}

/** Every model the store puts on `conn`: whatever connect-mongo.ts builds is migrated. */
function modelsOf(conn: Connection): AnyModel[] {
  storeOn(conn);
  return Object.values(conn.models);
}

/** The migration over these models; each is tried even when one before it failed. */
export async function migrateModels(
  models: readonly AnyModel[],
  say: (line: string) => void,
): Promise<void> {
  const failed: string[] = [];
  for (const model of models) {
    const name = model.collection.collectionName;
    try {
      await migrateModel(model, (line) => say(`${name}: ${line}`));
    } catch (err) {
      say(`${name}: FAILED: ${(err as Error).message}${hint(err)}`);
      failed.push(name);
    }
  }
  if (failed.length > 0) throw new MigrationError(failed);
  say(`done: ${models.length} collections, every declared index built`);
}

async function migrateModel(model: AnyModel, say: (line: string) => void): Promise<void> {
  const before = await listedIndexes(model);
  if (before === null) {
    // Model.createCollection ignores "already exists" (code 48: mongoose model.js), so a
    // second migration running at the same time does not fail here.
    await model.createCollection();
    say("created the collection");
  }
  // Adds the declared indexes that are missing, one createIndex each, in declaration order;
  // an existing identical index is left as it is. It goes on past a failed index and then
  // rejects with the first error (mongoose model.js, _ensureIndexes), so what was built is
  // said before the failure.
  const failure = await model.createIndexes().then(
    () => null,
    (err: unknown) => err ?? new Error("createIndexes failed"),
  );
  const built = newIndexes(before ?? [], (await listedIndexes(model)) ?? []);
  for (const index of built) say(`built ${index.name ?? JSON.stringify(index.key)}`);
  if (failure) throw failure;
  if (built.length === 0) say("every declared index was already there");
}

/** Indexes in `after` and not in `before`, but the server's own `_id` index. */
function newIndexes(before: readonly ListedIndex[], after: readonly ListedIndex[]): ListedIndex[] {
  const names = new Set(before.map((index) => index.name));
  const isId = (index: ListedIndex) => Object.keys(index.key).join() === "_id";
  return after.filter((index) => !names.has(index.name) && !isId(index));
}

/** What to do about the failures an operator can fix. */
function hint(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  // E11000 while building a unique index: the data already breaks the rule it would keep.
  if (code === 11000) {
    return (
      " (documents already break this unique index; for the ledger, `npm run ledger:verify` " +
      "or `node dist/cli/ledger-verify.js` in the image lists the broken entries)"
    );
  }
  // IndexOptionsConflict / IndexKeySpecsConflict: an index by that name or on those keys
  // exists with other options. The migration never drops an index: that is for an operator.
  if (code === 85 || code === 86) {
    return " (an index on these keys exists with other options; the migration drops nothing)";
  }
  return "";
}
