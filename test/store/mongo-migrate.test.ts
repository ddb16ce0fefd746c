import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { declaredIndexes, type AnyModel } from "../../src/store/mongo/index-check.js";
import { MigrationError, migrateModels } from "../../src/store/mongo/migrate-mongo.js";
import { migrateStore } from "../../src/store/open-store.js";
import {
  listedAsDeclared,
  listIndexesAnswers,
  namespaceNotFound,
  storeModels,
} from "../support/mongo-models.js";

/**
 * The migration without a MongoDB: the store's real models, their createCollection and
 * createIndexes recorded instead of sent, and listIndexes answered as the server would
 * before and after them.
 */
const { conn, models } = storeModels();
afterAll(() => conn.close());
const all = [...models.values()];
const ledger = models.get("ledger_entries")!;

const spies = (model: AnyModel) => ({
  createCollection: jest.spyOn(model, "createCollection").mockResolvedValue(model.collection),
  createIndexes: jest.spyOn(model, "createIndexes").mockResolvedValue(undefined),
  // What only drops or rewrites indexes: the migration must never call any of them.
  destructive: [
    jest.spyOn(model, "syncIndexes").mockResolvedValue([]),
    jest.spyOn(model, "cleanIndexes").mockResolvedValue([]),
    jest.spyOn(model.collection, "dropIndex").mockResolvedValue({}),
    jest.spyOn(model.collection, "dropIndexes").mockResolvedValue(true),
  ],
});
let recorded: Map<AnyModel, ReturnType<typeof spies>>;
beforeEach(() => {
  recorded = new Map(all.map((model) => [model, spies(model)]));
});
afterEach(() => void jest.restoreAllMocks());

async function migrate(): Promise<{ lines: string[]; error: unknown }> {
  const lines: string[] = [];
  const error = await migrateModels(all, (line) => lines.push(line)).then(
    () => null,
    (err: unknown) => err,
  );
  return { lines, error };
}

describe("the migration", () => {
  it("on an empty database creates every collection and builds its indexes", async () => {
    for (const model of all)
      listIndexesAnswers(model, namespaceNotFound(), listedAsDeclared(model));
    const { lines, error } = await migrate();
    expect(error).toBeNull();
    for (const [model, spy] of recorded) {
      expect(spy.createCollection).toHaveBeenCalledTimes(1);
      expect(spy.createIndexes).toHaveBeenCalledTimes(1);
      for (const destructive of spy.destructive) expect(destructive).not.toHaveBeenCalled();
      expect(lines).toContain(`${model.collection.collectionName}: created the collection`);
    }
    expect(lines).toContain("ledger_entries: built accountId_1_seq_-1");
    expect(lines).toContain("ledger_entries: built accountId_1_refundOf_1");
    expect(lines.filter((l) => l.includes(": built "))).toHaveLength(
      all.reduce((n, m) => n + declaredIndexes(m).length, 0),
    );
    expect(lines.at(-1)).toBe("done: 14 collections, every declared index built");
  });

  it("run again, creates nothing and says so", async () => {
    for (const model of all) listIndexesAnswers(model, listedAsDeclared(model));
    const { lines, error } = await migrate();
    expect(error).toBeNull();
    for (const spy of recorded.values()) {
      expect(spy.createCollection).not.toHaveBeenCalled();
      // Asked anyway: createIndexes leaves an existing identical index as it is.
      expect(spy.createIndexes).toHaveBeenCalledTimes(1);
    }
    expect(lines).toContain("ledger_entries: every declared index was already there");
  });

  it("reports a unique index that duplicates block, migrates the rest, and fails", async () => {
    for (const model of all) listIndexesAnswers(model, listedAsDeclared(model));
    const duplicates = Object.assign(
      new Error(
        "E11000 duplicate key error collection: jasper.ledger_entries index: accountId_1_seq_-1",
      ),
      { code: 11000 },
    );
    recorded.get(ledger)!.createIndexes.mockRejectedValue(duplicates);
    const { lines, error } = await migrate();
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toBe("could not migrate ledger_entries");
    const failure = lines.find((l) => l.startsWith("ledger_entries: FAILED: E11000"));
    expect(failure).toContain("ledger:verify");
    expect(failure).toContain("node dist/cli/ledger-verify.js");
    // The other collections were still migrated.
    for (const spy of recorded.values()) expect(spy.createIndexes).toHaveBeenCalledTimes(1);
    expect(lines).toContain("review_runs: every declared index was already there");
    expect(lines.some((l) => l.startsWith("done"))).toBe(false);
    for (const spy of recorded.values()) {
      for (const destructive of spy.destructive) expect(destructive).not.toHaveBeenCalled();
    }
  });

  it("has nothing to do for the in-memory store", async () => {
    const lines: string[] = [];
    await migrateStore("memory", (line) => lines.push(line));
    expect(lines).toEqual([
      "MONGODB_URI=memory: the in-memory store has no collections or indexes; nothing to migrate",
    ]);
  });
});
