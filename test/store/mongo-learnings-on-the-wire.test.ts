import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { toAccountId } from "../../src/accounts/types.js";
import type { NewLearning } from "../../src/learnings/types.js";
import type { Store } from "../../src/store/store.js";
import type { MongoWireStub } from "../support/mongo-wire-stub.js";
import { closeWireStore, openWireStore, sentTo } from "../support/mongo-wire-store.js";

/**
 * The learning store's commands as the real driver sends them, caught by the wire stub (no
 * MongoDB here): the unique index the migration builds, the add (a lookup by teaching
 * comment, the account's count, the insert), a searched page that survives sanitizeFilter
 * with its operators intact, and a delete scoped to the account.
 */
const { ObjectId, Long } = mongoose.mongo;
let stub: MongoWireStub;
let store: Store;
const DB = "jasper_learnings";
const account = toAccountId(101);
const sent = (run: () => Promise<unknown>) => sentTo(stub, DB, run);

const learning: NewLearning = {
  accountId: account,
  scope: "organization",
  repositoryId: 501,
  repository: "Acme-Corp/widgets",
  text: "ignore debug leftover in scripts/**",
  rule: "debug leftover",
  paths: "scripts/**",
  author: { id: 7, login: "octo-dev" },
  source: { number: 12, commentId: 77 },
  createdAt: new Date("2026-11-10T12:00:00Z"),
  sourceKey: "comment:77",
};

beforeAll(async () => {
  ({ stub, store } = await openWireStore(DB));
});
afterAll(() => closeWireStore(stub, store));

describe("the mongo learning store on the wire", () => {
  it("the migration builds the unique (accountId, sourceKey) index and the newest-first one", async () => {
    const built = stub.received.filter((r) => r.db === DB && r.name === "createIndexes");
    const indexes = built
      .filter((r) => r.command.createIndexes === "learnings")
      .flatMap((r) => r.command.indexes as object[]);
    expect(indexes).toContainEqual({
      key: { accountId: 1, sourceKey: 1 },
      name: "accountId_1_sourceKey_1",
      unique: true,
    });
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { accountId: 1, createdAt: -1, _id: -1 } }),
    );
  });

  it("adds: looks up the teaching comment, counts the account's learnings, inserts", async () => {
    const [lookup, count, insert, ...rest] = await sent(() => store.learnings.add(learning, 500));
    expect(lookup).toMatchObject({
      name: "find",
      command: { find: "learnings", filter: { accountId: 101, sourceKey: "comment:77" }, limit: 1 },
    });
    expect(count).toMatchObject({
      name: "aggregate",
      command: {
        aggregate: "learnings",
        pipeline: [{ $match: { accountId: 101 } }, expect.anything()],
      },
    });
    expect(insert).toMatchObject({ name: "insert", command: { insert: "learnings" } });
    expect((insert!.command.documents as object[])[0]).toMatchObject({
      accountId: 101,
      scope: "organization",
      rule: "debug leftover",
      paths: "scripts/**",
      author: { id: 7, login: "octo-dev" },
      source: { number: 12, commentId: 77 },
      sourceKey: "comment:77",
    });
    expect(rest).toEqual([]);
  });

  it("a full account is answered without an insert", async () => {
    stub.answerNext("aggregate", {
      cursor: { id: Long.fromNumber(0), ns: `${DB}.learnings`, firstBatch: [{ _id: 1, n: 500 }] },
      ok: 1,
    });
    const commands = await sent(async () =>
      expect(await store.learnings.add({ ...learning, sourceKey: "comment:78" }, 500)).toEqual({
        status: "full",
      }),
    );
    expect(commands.map((c) => c.name)).toEqual(["find", "aggregate"]);
  });

  it("lists what applies to a repository, searched and paged, with the operators intact", async () => {
    const before = {
      createdAt: new Date("2026-11-09T00:00:00Z"),
      id: new ObjectId().toHexString(),
    };
    const [find] = await sent(() =>
      store.learnings.list(account, { appliesTo: 501, search: "a.b", before, limit: 26 }),
    );
    const pattern = { $regex: "a\\.b", $options: "i" };
    expect(find!.command.filter).toEqual({
      $and: [
        { accountId: 101 },
        { $or: [{ scope: "organization" }, { repositoryId: 501 }] },
        {
          $or: [{ text: pattern }, { rule: pattern }, { paths: pattern }, { repository: pattern }],
        },
        {
          $or: [
            { createdAt: { $lt: before.createdAt } },
            { createdAt: before.createdAt, _id: { $lt: new ObjectId(before.id) } },
          ],
        },
      ],
    });
    expect(find!.command.sort).toEqual({ createdAt: -1, _id: -1 });
    expect(find!.command.limit).toBe(26);
  });

  it("removes by id within the account; an id that is not an ObjectId sends nothing", async () => {
    const id = new ObjectId();
    // The stub knows no findAndModify: a server's answer when nothing matched.
    stub.answerNext("findAndModify", { lastErrorObject: { n: 0 }, value: null, ok: 1 });
    const [remove] = await sent(() => store.learnings.remove(account, id.toHexString()));
    expect(remove).toMatchObject({
      name: "findAndModify",
      command: { findAndModify: "learnings", query: { _id: id, accountId: 101 }, remove: true },
    });
    expect(await sent(() => store.learnings.remove(account, "$where"))).toEqual([]);
  });
});
