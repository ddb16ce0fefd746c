import { describe, expect, it } from "@jest/globals";
import { createAddBatcher } from "../../src/queue/add-batcher.js";

describe("adds gathered into batches", () => {
  it("sends the adds made together as one batch, in order, and later adds as the next", async () => {
    const batches: number[][] = [];
    const add = createAddBatcher(async (items: number[]) => void batches.push(items));
    await Promise.all([add(1), add(2), add(3)]);
    await add(4);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("sends a batch as soon as it holds the most it may, without waiting for the turn to end", async () => {
    const batches: number[][] = [];
    const add = createAddBatcher(async (items: number[]) => void batches.push(items), {
      maxBatch: 2,
    });
    const first = [add(1), add(2)];
    // Sent already: a full batch does not wait for setImmediate.
    expect(batches).toEqual([[1, 2]]);
    await Promise.all([...first, add(3)]);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("fails every add of a batch that fails, and only those", async () => {
    let fail = true;
    const add = createAddBatcher(async (items: string[]) => {
      if (fail) throw new Error(`refused ${items.join(",")}`);
    });
    const outcomes = await Promise.allSettled([add("a"), add("b")]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error("refused a,b"));
    fail = false;
    await expect(add("c")).resolves.toBeUndefined();
  });

  it("fails the adds when sending throws before it returns a promise", async () => {
    const add = createAddBatcher((): Promise<void> => {
      throw new Error("no connection");
    });
    await expect(Promise.all([add(1), add(2)])).rejects.toThrow("no connection");
    await expect(add(3)).rejects.toThrow("no connection");
  });
});
