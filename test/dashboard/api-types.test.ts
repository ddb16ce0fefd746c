import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { generateApiTypes } from "../../src/cli/openapi-document.js";
import { REDIS_URL } from "../support/harness.js";

describe("the dashboard's API types", () => {
  it("are generated from the current route schemas (run `npm run api:types` after a change)", async () => {
    const committed = readFileSync(
      new URL("../../web/src/api/schema.d.ts", import.meta.url),
      "utf8",
    );
    expect(committed).toBe(await generateApiTypes(REDIS_URL));
  });
});
