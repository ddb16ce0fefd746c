import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { StoreTimeoutError } from "../../src/shared/errors.js";
import { READ_TIME_LIMIT_MS, WRITE_TIME_LIMIT_MS } from "../../src/store/mongo/mongo-connection.js";
import type { Store } from "../../src/store/store.js";
import { rawEntry } from "../support/entries.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * Nothing the store sends can wait forever: every majority write carries a wtimeout and every
 * read a maxTimeMS, as they leave the process (caught by the wire stub, which checks nothing
 * itself); and the server's answer when one runs out is a StoreTimeoutError, by code.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_limits";
const account = toAccountId(11);

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

describe("time limits on the wire", () => {
  it("a majority write waits at most WRITE_TIME_LIMIT_MS for the majority", async () => {
    const [insert] = await sent(() => store.ledger.append(rawEntry(account, 1)));
    expect(insert).toMatchObject({
      name: "insert",
      command: { writeConcern: { w: "majority", wtimeout: WRITE_TIME_LIMIT_MS } },
    });
  });

  it("every read carries maxTimeMS, finds and aggregations alike", async () => {
    const reads = await sent(async () => {
      await store.ledger.latest(account);
      await store.ledger.list(account, { limit: 25 });
      await store.ledger.sumAmounts(account, ["usage"], new Date(0));
      await store.accounts.get(account);
      await store.apiKeys.list(account);
    });
    expect([...new Set(reads.map((r) => r.name))].sort()).toEqual(["aggregate", "find"]);
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const read of reads) expect(read.command.maxTimeMS).toBe(READ_TIME_LIMIT_MS);
  });

  it("a write the majority did not acknowledge in time is a retryable StoreTimeoutError", async () => {
    stub.answerNext("insert", {
      ok: 1,
      n: 1,
      writeConcernError: {
        code: 64,
        codeName: "WriteConcernTimeout",
        errmsg: "waiting for replication timed out",
        errInfo: { wtimeout: true },
      },
    });
    const error = await store.ledger.append(rawEntry(account, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ code: "store_timeout", operation: "write" });
  });

  it("a read past its maxTimeMS is a StoreTimeoutError, streams too", async () => {
    const expired = { ok: 0, code: 50, codeName: "MaxTimeMSExpired", errmsg: "time limit" };
    stub.answerNext("find", expired);
    const error = await store.ledger.latest(account).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ code: "store_timeout", operation: "read" });

    stub.answerNext("find", expired);
    const streamed = await (async () => {
      for await (const entry of store.ledger.stream(account, "asc")) void entry;
    })().catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(StoreTimeoutError);
  });

  it("any other failure is left as it is", async () => {
    stub.answerNext("find", { ok: 0, code: 13, codeName: "Unauthorized", errmsg: "not allowed" });
    const error = await store.ledger.latest(account).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ code: 13 });
  });
});
