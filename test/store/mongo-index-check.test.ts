import { afterAll, afterEach, describe, expect, it, jest } from "@jest/globals";
import {
  checkIndexes,
  declaredIndexes,
  describeIndex,
  type AnyModel,
  type ListedIndex,
} from "../../src/store/mongo/index-check.js";
import { MissingIndexesError } from "../../src/store/mongo/missing-indexes-error.js";
import {
  listedAsDeclared,
  listIndexesAnswers,
  namespaceNotFound,
  storeModels,
} from "../support/mongo-models.js";

/**
 * The check every app process makes when it opens the mongo store, without a MongoDB: the
 * store's real models, with listIndexes answered as the server would.
 */
const { conn, models } = storeModels();
afterAll(() => conn.close());
afterEach(() => void jest.restoreAllMocks());
const all = [...models.values()];
const ledger = models.get("ledger_entries")!;

/** Every collection has what its schema declares, except `changes` for these. */
function answer(changes: Map<AnyModel, ListedIndex[] | Error> = new Map()): void {
  for (const model of all) listIndexesAnswers(model, changes.get(model) ?? listedAsDeclared(model));
}

const without = (model: AnyModel, name: string): ListedIndex[] =>
  listedAsDeclared(model).filter((index) => index.name !== name);

async function check(strict: boolean) {
  const warn = jest.fn<(message: string) => void>();
  const result = await checkIndexes(all, strict, warn).then(
    () => null,
    (err: unknown) => err,
  );
  return { error: result, warnings: warn.mock.calls.map(([m]) => m) };
}

const SEQ = 'ledger_entries {"accountId":1,"seq":-1} unique';

describe("the index check at start", () => {
  it("knows the unique indexes the stores rely on, from the schemas", () => {
    const unique = all.flatMap(declaredIndexes).filter((index) => index.unique);
    expect(unique.map(describeIndex).sort()).toEqual([
      'api_keys {"accountId":1,"slot":1} unique where {"slot":{"$type":"number"}}',
      'api_keys {"hash":1} unique',
      'audit_entries {"accountId":1,"idempotencyKey":1} unique',
      'auto_top_ups {"accountId":1} unique',
      'checkout_sessions {"paymentIntent":1} unique where {"paymentIntent":{"$type":"string"}}',
      'checkout_sessions {"sessionId":1} unique',
      'inbox_deliveries {"deliveryId":1} unique',
      'invoices {"invoiceId":1} unique',
      'learnings {"accountId":1,"sourceKey":1} unique',
      'ledger_entries {"accountId":1,"idempotencyKey":1} unique',
      'ledger_entries {"accountId":1,"refundOf":1} unique where {"refundOf":{"$type":"string"}}',
      SEQ,
      'pull_requests {"accountId":1,"repositoryId":1,"number":1} unique',
      'review_runs {"accountId":1,"runKey":1} unique',
      'stripe_customers {"accountId":1} unique',
      'stripe_customers {"customerId":1} unique',
      'subscriptions {"subscriptionId":1} unique',
      'top_up_attempts {"accountId":1,"state":1} unique where {"state":"in_flight"}',
      'top_up_attempts {"attemptKey":1} unique',
      'top_up_attempts {"paymentIntent":1} unique where {"paymentIntent":{"$type":"string"}}',
    ]);
  });

  it("passes, silently, when every declared index is there", async () => {
    answer();
    expect(await check(true)).toEqual({ error: null, warnings: [] });
  });

  it("refuses a missing unique index, naming it and the command that builds it", async () => {
    answer(new Map([[ledger, without(ledger, "accountId_1_seq_-1")]]));
    const { error, warnings } = await check(true);
    expect(error).toBeInstanceOf(MissingIndexesError);
    expect((error as MissingIndexesError).missing).toEqual([SEQ]);
    const message = (error as Error).message;
    expect(message).toContain(`  - ${SEQ}\n`);
    expect(message).toContain("npm run migrate");
    expect(message).toContain("node dist/cli/migrate.js");
    expect(warnings).toEqual([]);
  });

  it("read-only (ledger:verify) only warns about it", async () => {
    answer(new Map([[ledger, without(ledger, "accountId_1_seq_-1")]]));
    const { error, warnings } = await check(false);
    expect(error).toBeNull();
    expect(warnings).toEqual([expect.stringContaining(SEQ)]);
    expect(warnings[0]).toContain("npm run migrate");
  });

  it("does not count an index on the same keys that is not unique, or not as partial", async () => {
    const listed = listedAsDeclared(ledger).map((index) => {
      if (index.name === "accountId_1_seq_-1") return { key: index.key, name: index.name };
      if (index.name === "accountId_1_refundOf_1") {
        return { key: index.key, name: index.name, unique: true };
      }
      return index;
    });
    answer(new Map([[ledger, listed]]));
    const { error } = await check(true);
    expect((error as MissingIndexesError).missing).toEqual([
      SEQ,
      'ledger_entries {"accountId":1,"refundOf":1} unique where {"refundOf":{"$type":"string"}}',
    ]);
  });

  it("does not count the same fields in another order or direction", async () => {
    const listed = listedAsDeclared(ledger).map((index) =>
      index.name === "accountId_1_seq_-1" ? { ...index, key: { seq: -1, accountId: 1 } } : index,
    );
    answer(new Map([[ledger, listed]]));
    expect(((await check(true)).error as MissingIndexesError).missing).toEqual([SEQ]);

    const ascending = listedAsDeclared(ledger).map((index) =>
      index.name === "accountId_1_seq_-1" ? { ...index, key: { accountId: 1, seq: 1 } } : index,
    );
    answer(new Map([[ledger, ascending]]));
    expect(((await check(true)).error as MissingIndexesError).missing).toEqual([SEQ]);
  });

  it("takes a collection that does not exist (a database never migrated) as having none", async () => {
    answer(new Map([[ledger, namespaceNotFound()]]));
    const { error, warnings } = await check(true);
    expect((error as MissingIndexesError).missing).toHaveLength(3);
    expect(warnings).toEqual([]);
  });

  it("only warns about a missing plain index: queries get slower, nothing gets in", async () => {
    answer(new Map([[ledger, without(ledger, "accountId_1_type_1_seq_-1")]]));
    const { error, warnings } = await check(true);
    expect(error).toBeNull();
    expect(warnings).toEqual([
      expect.stringContaining('ledger_entries {"accountId":1,"type":1,"seq":-1}.'),
    ]);
  });

  it("lets any other listIndexes failure through", async () => {
    const denied = Object.assign(new Error("not authorized"), {
      code: 13,
      codeName: "Unauthorized",
    });
    answer(new Map([[ledger, denied]]));
    expect((await check(true)).error).toBe(denied);
  });
});
