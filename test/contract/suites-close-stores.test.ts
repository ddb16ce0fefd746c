import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";

/**
 * A contract suite that opens stores and never closes them keeps a MongoDB connection open
 * (with MONGODB_URI set, jest never exits): every suite that takes the store factories runs
 * their cleanup after its tests.
 */
describe("contract suites", () => {
  it("close every store they open", () => {
    const dir = new URL(".", import.meta.url);
    const open = readdirSync(dir)
      .filter((f) => f.endsWith(".contract.test.ts") || f.startsWith("ledger."))
      .filter((f) => {
        const text = readFileSync(new URL(f, dir), "utf8");
        return text.includes("storeFactories()") && !/after(Each|All)\([^;]*cleanup/.test(text);
      });
    expect(open).toEqual([]);
  });
});
