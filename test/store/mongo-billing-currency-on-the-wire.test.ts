import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The billing currency as the mongo store sends it (caught by the wire stub, which checks
 * nothing itself): one conditional findAndModify that sets it only where none is set.
 */
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_currency";
const account = toAccountId(43);

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

describe("the billing currency on the wire", () => {
  it("is set by one update guarded on its absence, never by a read then a write", async () => {
    // As MongoDB answers when the guard matches nothing (the stub knows no findAndModify).
    stub.answerNext("findAndModify", { ok: 1, value: null, lastErrorObject: { n: 0 } });
    const commands = await sentTo(stub, DB, () =>
      store.accounts.fixBillingCurrency(account, "eur"),
    );
    expect(commands[0]!.name).toBe("findAndModify");
    expect(commands[0]!.command).toMatchObject({
      findAndModify: "accounts",
      query: { _id: 43, billingCurrency: { $exists: false } },
      update: { $set: { billingCurrency: "eur" } },
      new: true,
    });
    // The stub matched nothing: the store reads what is fixed (here: no account).
    expect(commands.slice(1).map((r) => r.name)).toEqual(["find"]);
  });
});
