import type { Connection } from "mongoose";
import { MIGRATE_COMMAND, MissingIndexesError } from "./missing-indexes-error.js";

/** A model on a connection, whatever its document type. */
export type AnyModel = Connection["models"][string];

/** An index as a schema declares it (schema.index()). */
export interface DeclaredIndex {
  collection: string;
  key: Record<string, unknown>;
  unique: boolean;
  partialFilterExpression?: Record<string, unknown>;
}

/** The fields of a listIndexes entry that this check reads. */
export interface ListedIndex {
  name?: string;
  key: Record<string, unknown>;
  unique?: boolean;
  partialFilterExpression?: Record<string, unknown>;
}

/** The indexes the model's schema declares; `_id`'s is the server's own and is not one. */
export function declaredIndexes(model: AnyModel): DeclaredIndex[] {
  const collection = model.collection.collectionName;
  return model.schema.indexes().map(([key, options]) => ({
    collection,
    key: { ...key },
    unique: options.unique === true,
    ...(options.partialFilterExpression
      ? { partialFilterExpression: options.partialFilterExpression }
      : {}),
  }));
}

/**
 * The indexes the collection has (listIndexes, a read), or null when the collection does not
 * exist: the server answers NamespaceNotFound then (mongoose's own Model.diffIndexes catches
 * it the same way, by codeName).
 */
export async function listedIndexes(model: AnyModel): Promise<ListedIndex[] | null> {
  try {
    return (await model.listIndexes()) as ListedIndex[];
  } catch (err) {
    const { code, codeName } = (err ?? {}) as { code?: unknown; codeName?: unknown };
    if (code === 26 || codeName === "NamespaceNotFound") return null;
    throw err;
  }
}

/**
 * Whether `listed` has the declared index. Keys compare in order (an index on (a, b) is not
 * one on (b, a)). A unique index counts only if it is unique with the same partial filter: a
 * plain index on the same keys guards nothing, and another filter makes other documents
 * unique. This is the comparison mongoose's Model.diffIndexes makes (helpers/indexes/
 * isIndexEqual.js: keys in order, then unique and partialFilterExpression by deep equality),
 * which relies as we do on listIndexes returning the filter as it was given.
 */
export function isBuilt(declared: DeclaredIndex, listed: readonly ListedIndex[]): boolean {
  return listed.some(
    (index) =>
      sameKey(declared.key, index.key) &&
      (!declared.unique ||
        (index.unique === true &&
          sameValue(declared.partialFilterExpression, index.partialFilterExpression))),
  );
}

/** The declared indexes that the database does not have, model by model. */
export async function missingIndexes(models: readonly AnyModel[]): Promise<DeclaredIndex[]> {
  const missing: DeclaredIndex[] = [];
  for (const model of models) {
    const listed = (await listedIndexes(model)) ?? [];
    missing.push(...declaredIndexes(model).filter((index) => !isBuilt(index, listed)));
  }
  return missing;
}

/**
 * Checks, with one listIndexes per collection, that the database has what the schemas
 * declare. Without a unique index a second review claim or a second spend of one credit gets
 * in, so with `strict` (the app) a missing one stops the start; otherwise (ledger:verify,
 * whose job is finding what such a gap let in) it is a warning. A missing plain index only
 * makes queries slower: always a warning.
 */
export async function checkIndexes(
  models: readonly AnyModel[],
  strict: boolean,
  warn: (message: string) => void,
): Promise<void> {
  const missing = await missingIndexes(models);
  const unique = missing.filter((index) => index.unique).map(describeIndex);
  const plain = missing.filter((index) => !index.unique).map(describeIndex);
  if (unique.length > 0) {
    if (strict) throw new MissingIndexesError(unique);
    warn(
      `MongoDB is missing unique indexes, so duplicates may have got in: ${unique.join("; ")}. ` +
        `Build them with ${MIGRATE_COMMAND}.`,
    );
  }
  if (plain.length > 0) {
    warn(
      `MongoDB is missing indexes (queries on them scan the collection): ${plain.join("; ")}. ` +
        `Build them with ${MIGRATE_COMMAND}.`,
    );
  }
}

/** One index, for operators: `ledger_entries {"accountId":1,"seq":-1} unique`. */
export function describeIndex(index: DeclaredIndex): string {
  const partial = index.partialFilterExpression
    ? ` where ${JSON.stringify(index.partialFilterExpression)}`
    : "";
  return `${index.collection} ${JSON.stringify(index.key)}${index.unique ? " unique" : ""}${partial}`;
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return (
    left.length === right.length &&
    left.every(([field, order], i) => right[i]?.[0] === field && sameValue(order, right[i]?.[1]))
  );
}

/** Deep equality of plain BSON-ish values; object key order does not matter. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((k) => Object.hasOwn(right, k) && sameValue(left[k], right[k]))
  );
}
