import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { InvoiceRecord } from "../../src/billing/invoice-store.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The invoice store's commands as the real driver sends them (no MongoDB here): a put is one
 * update conditioned on the account and an older version, upserting; a duplicate key there is
 * told apart (stale or another account's) by one read; a page is a find by account after a
 * (createdAt, invoiceId) position, operators intact through sanitizeFilter.
 */
const DB = "jasper_invoices";
let stub: MongoWireStub;
let store: Store;
beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const record: InvoiceRecord = {
  accountId: toAccountId(7),
  invoiceId: "in_1",
  customerId: "cus_1",
  number: "JSP-0001",
  status: "paid",
  createdAt: new Date("2026-12-01T00:00:00Z"),
  issuedAt: new Date("2026-12-01T00:00:05Z"),
  paidAt: new Date("2026-12-01T00:00:09Z"),
  subtotal: 1000,
  tax: 200,
  total: 1200,
  currency: "usd",
  lines: [],
  hostedInvoiceUrl: null,
  invoicePdf: null,
  grantKey: "stripe-checkout:cs_1",
  version: 42,
};

describe("the mongo invoice store on the wire", () => {
  it("builds the unique invoice id index and the account's newest-first index", () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    const keys = built
      .filter((r) => r.command.createIndexes === "invoices")
      .flatMap((r) => r.command.indexes as { key: object; unique?: boolean }[]);
    expect(keys).toContainEqual(expect.objectContaining({ key: { invoiceId: 1 }, unique: true }));
    expect(keys).toContainEqual(
      expect.objectContaining({ key: { accountId: 1, createdAt: -1, invoiceId: -1 } }),
    );
  });

  it("puts an invoice in one update conditioned on the account and an older version", async () => {
    const sent = await sentTo(stub, DB, () => store.invoices.put(record));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      name: "update",
      command: {
        update: "invoices",
        updates: [
          {
            q: { invoiceId: "in_1", accountId: 7, version: { $lt: 42 } },
            u: {
              $set: { status: "paid", total: 1200, version: 42 },
              $setOnInsert: { invoiceId: "in_1", accountId: 7 },
            },
            upsert: true,
          },
        ],
      },
    });
  });

  it("answers a duplicate key by reading who holds the invoice: another account's", async () => {
    stub.answerNext("update", {
      ok: 1,
      n: 0,
      writeErrors: [
        {
          index: 0,
          code: 11000,
          errmsg: "E11000 duplicate key error collection: invoices index: invoiceId_1",
          keyPattern: { invoiceId: 1 },
          keyValue: { invoiceId: "in_1" },
        },
      ],
    });
    let result: unknown;
    const sent = await sentTo(stub, DB, async () => {
      result = await store.invoices.put(record);
    });
    // The stub holds no invoice: nobody's, so not this account's own state.
    expect(result).toEqual({ status: "conflict" });
    expect(sent.map((r) => r.name)).toEqual(["update", "find"]);
    expect(sent[1]!.command).toMatchObject({ find: "invoices", filter: { invoiceId: "in_1" } });
  });

  it("pages one account's invoices newest first after a position", async () => {
    const sent = await sentTo(stub, DB, () =>
      store.invoices.list(toAccountId(7), { before: record, limit: 21 }),
    );
    expect(sent[0]).toMatchObject({
      name: "find",
      command: {
        find: "invoices",
        filter: {
          accountId: 7,
          $or: [
            { createdAt: { $lt: record.createdAt } },
            { createdAt: record.createdAt, invoiceId: { $lt: "in_1" } },
          ],
        },
        sort: { createdAt: -1, invoiceId: -1 },
        limit: 21,
      },
    });
  });
});
