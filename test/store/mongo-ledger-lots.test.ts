import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import { createMongoStore } from "../../src/store/mongo/connect-mongo.js";
import { migrateMongo } from "../../src/store/mongo/migrate-mongo.js";
import {
  ledgerEntryModel,
  type LedgerEntryModel,
} from "../../src/store/mongo/models/ledger-entry.js";
import { MongoLedgerStore } from "../../src/store/mongo/mongo-ledger-store.js";
import { rawEntry } from "../support/entries.js";
import { MongoWireStub } from "../support/mongo-wire-stub.js";

/**
 * Bonus lots through mongoose and the real driver, without a MongoDB: what an insert puts on
 * the wire (caught by the stub), what append hands back from the mongoose document, and how
 * an entry stored before lots (no lot fields at all) is read. Not how a server stores them.
 */
let stub: MongoWireStub;
beforeAll(async () => {
  stub = await MongoWireStub.start();
  await migrateMongo(stub.uri("jasper_lots"), () => {});
});
afterAll(() => stub.stop());

const expiresAt = new Date("2026-11-20T00:00:00Z");
const withLots = rawEntry(toAccountId(9), 1, {
  lotsAfter: [
    { lot: 1, expiresAt, remaining: 1 },
    { lot: 0, expiresAt: null, remaining: 0 },
  ],
  lotDeltas: [{ lot: 1, amount: 1 }],
});

describe("bonus lots in the mongo store", () => {
  it("inserts the lots as given, expiry as a date or null, and hands them back as plain data", async () => {
    const store = await createMongoStore(stub.uri("jasper_lots"), "app", () => {});
    const from = stub.received.length;
    const appended = await store.ledger.append(withLots);
    await store.close();

    expect(appended).toMatchObject({ ok: true });
    if (!appended.ok) throw new Error("append failed");
    expect(appended.entry.lotsAfter).toEqual(withLots.lotsAfter);
    expect(appended.entry.lotDeltas).toEqual(withLots.lotDeltas);
    expect(appended.entry.lotsAfter?.[0]?.expiresAt).toBeInstanceOf(Date);

    const insert = stub.received.slice(from).find((r) => r.name === "insert");
    const [doc] = insert?.command.documents as Record<string, unknown>[];
    expect(doc?.lotsAfter).toEqual([
      { lot: 1, expiresAt, remaining: 1 },
      { lot: 0, expiresAt: null, remaining: 0 },
    ]);
    expect(doc?.lotDeltas).toEqual([{ lot: 1, amount: 1 }]);
  });

  it("gives an entry stored before lots no lot arrays, not empty ones", () => {
    const conn = mongoose.createConnection(); // never connected: documents are built only
    const model = ledgerEntryModel(conn);
    // Hydrated as a find without lean() would: mongoose must not default the arrays to [].
    const old = { ...rawEntry(toAccountId(9), 1), _id: new mongoose.Types.ObjectId() };
    delete (old as Partial<typeof old>).lotsAfter;
    delete (old as Partial<typeof old>).lotDeltas;
    const doc = model.hydrate(old).toObject();
    expect(doc.lotsAfter).toBeUndefined();
    expect(doc.lotDeltas).toBeUndefined();
    // A new document without them (never written by the ledger) stays without them too.
    expect(new model({}).toObject().lotsAfter).toBeUndefined();
    return conn.close();
  });

  it("maps a stored entry without lot fields to null lots (lots.ts reads them as lot 0)", async () => {
    const old: Record<string, unknown> = {
      ...rawEntry(toAccountId(9), 1),
      _id: new mongoose.Types.ObjectId(),
    };
    delete old.lotsAfter;
    delete old.lotDeltas;
    // latest()'s query chain, answered with the document as lean() returns it.
    const chain = { sort: () => chain, readConcern: () => chain, lean: async () => old };
    const store = new MongoLedgerStore({ findOne: () => chain } as unknown as LedgerEntryModel);
    const entry = await store.latest(toAccountId(9));
    expect(entry).toMatchObject({ seq: 1, lotsAfter: null, lotDeltas: null });
  });
});
