import { describe, expect, it } from "@jest/globals";
import type { ChangedFile } from "../../src/engine/engine.js";
import { parseGitattributes } from "../../src/engine/linguist-attributes.js";
import { prepareDiff } from "../../src/engine/prepare-diff.js";

const GITATTRIBUTES = [
  "# linguist overrides",
  "* text=auto eol=lf",
  "*.pbf.ts linguist-generated",
  "/api/schema.ts linguist-generated=true",
  "assets/js/** linguist-vendored",
  "assets/js/app.js -linguist-vendored",
  "vendor/** linguist-vendored=false",
  "src/gen/** linguist-generated",
  "src/gen/handwritten.ts !linguist-generated",
  "docs/ linguist-vendored",
].join("\n");

const changed = (filename: string): ChangedFile => ({
  filename,
  status: "modified",
  additions: 1,
  deletions: 0,
  patch: "@@ -1,1 +1,2 @@\n const a = 1;\n+const b = 2;",
});

describe("linguist attributes from .gitattributes", () => {
  const lookup = parseGitattributes(GITATTRIBUTES);

  it.each([
    ["web/user.pbf.ts", { generated: true }],
    ["api/schema.ts", { generated: true }],
    ["other/api/schema.ts", {}],
    ["assets/js/chart.js", { vendored: true }],
    ["assets/js/app.js", { vendored: false }],
    ["vendor/acme/lib.go", { vendored: false }],
    ["src/gen/handwritten.ts", { generated: undefined }],
    ["docs/guide.md", {}],
    ["src/index.ts", {}],
  ])("%s: %j", (path, attributes) => {
    expect(lookup(path)).toEqual(attributes);
  });

  it("decides before the built-in recognition, both ways", () => {
    const diff = prepareDiff(
      [
        "web/user.pbf.ts",
        "assets/js/chart.js",
        "assets/js/app.js",
        "vendor/acme/lib.go",
        "src/gen/a.ts",
        "src/gen/handwritten.ts",
        "dist/index.js",
      ].map(changed),
      { linguist: lookup },
    );
    expect(diff.skipped).toEqual([
      { filename: "web/user.pbf.ts", reason: "generated" },
      { filename: "assets/js/chart.js", reason: "vendored" },
      { filename: "src/gen/a.ts", reason: "generated" },
      { filename: "dist/index.js", reason: "generated" },
    ]);
    // vendor/ marked as not vendored is the team's own code: reviewed.
    expect(diff.files.map((f) => f.filename)).toEqual([
      "assets/js/app.js",
      "vendor/acme/lib.go",
      "src/gen/handwritten.ts",
    ]);
  });

  it("ignores what it cannot read", () => {
    const odd = parseGitattributes("[attr]binary -diff\n\n   \n[invalid linguist-vendored\n*.js");
    expect(odd("a.js")).toEqual({});
  });
});
