import { describe, expect, it } from "@jest/globals";
import type { ChangedFile } from "../../src/engine/engine.js";
import { prepareDiff } from "../../src/engine/prepare-diff.js";

/** A modified file whose patch is exactly `patchChars` long (at least 20). */
function changed(filename: string, patchChars = 40, over: Partial<ChangedFile> = {}): ChangedFile {
  const head = "@@ -1,1 +1,1 @@\n-a\n+";
  const patch = head + "x".repeat(patchChars - head.length);
  return { filename, status: "modified", additions: 1, deletions: 1, patch, ...over };
}

/** The blob id Git gives every empty file. */
const EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

const reasonOf = (file: ChangedFile) => prepareDiff([file]).skipped[0]?.reason ?? "reviewed";

describe("prepareDiff", () => {
  it.each([
    ["package-lock.json", "lock_file"],
    ["web/yarn.lock", "lock_file"],
    ["pnpm-lock.yaml", "lock_file"],
    ["services/api/go.sum", "lock_file"],
    ["Cargo.lock", "lock_file"],
    ["Gemfile.lock", "lock_file"],
    ["flake.lock", "lock_file"],
    ["dist/index.js", "generated"],
    ["packages/ui/build/main.css", "generated"],
    ["vendor/github.com/pkg/errors/errors.go", "generated"],
    ["public/app.min.js", "generated"],
    ["src/styles.min.css", "generated"],
    ["lib/index.js.map", "generated"],
    ["api/v1/user.pb.go", "generated"],
    ["proto/user_pb2.py", "generated"],
    ["src/schema.generated.ts", "generated"],
    ["src/__generated__/graphql.ts", "generated"],
    ["test/__snapshots__/app.test.ts.snap", "generated"],
    ["docs/diagram.PNG", "binary"],
    ["fonts/inter.woff2", "binary"],
    // Near misses: source files whose names merely contain those words.
    ["src/distance.ts", "reviewed"],
    ["src/build.ts", "reviewed"],
    ["scripts/builder/run.ts", "reviewed"],
    ["src/lockfile.ts", "reviewed"],
    ["src/map.ts", "reviewed"],
  ])("%s: %s", (filename, reason) => {
    expect(reasonOf(changed(filename))).toBe(reason);
  });

  it("leaves out removed files, binaries without a patch, and files GitHub sent no patch for", () => {
    const files: ChangedFile[] = [
      { filename: "src/old.ts", status: "removed", additions: 0, deletions: 120 },
      { filename: "assets/blob.bin", status: "added", additions: 0, deletions: 0 },
      { filename: "src/huge.ts", status: "modified", additions: 4000, deletions: 10 },
      {
        filename: "src/b.ts",
        status: "renamed",
        additions: 0,
        deletions: 0,
        previousFilename: "a.ts",
      },
      changed("src/kept.ts"),
    ];
    const diff = prepareDiff(files);
    expect(diff.skipped).toEqual([
      { filename: "src/old.ts", reason: "removed" },
      { filename: "assets/blob.bin", reason: "binary" },
      { filename: "src/huge.ts", reason: "no_patch" },
      { filename: "src/b.ts", reason: "renamed" },
    ]);
    expect(diff.files.map((f) => f.filename)).toEqual(["src/kept.ts"]);
  });

  it("names renames and copies without changes, and empty new files, for what they are", () => {
    const files: ChangedFile[] = [
      // Moved without an edit: GitHub sends no patch, and the diff was not too large.
      {
        filename: "lib/moved.ts",
        status: "renamed",
        additions: 0,
        deletions: 0,
        previousFilename: "src/moved.ts",
      },
      {
        filename: "lib/copy.ts",
        status: "copied",
        additions: 0,
        deletions: 0,
        previousFilename: "lib/orig.ts",
      },
      // Moved with more changes than GitHub shows: that one is too large.
      {
        filename: "lib/big.ts",
        status: "renamed",
        additions: 5000,
        deletions: 0,
        previousFilename: "src/big.ts",
      },
      // An empty new file has Git's empty blob; a binary file without a known extension does not.
      { filename: "src/__init__.py", status: "added", additions: 0, deletions: 0, sha: EMPTY_BLOB },
      { filename: "assets/logo", status: "added", additions: 0, deletions: 0, sha: "f".repeat(40) },
    ];
    expect(prepareDiff(files).skipped).toEqual([
      { filename: "lib/moved.ts", reason: "renamed" },
      { filename: "lib/copy.ts", reason: "renamed" },
      { filename: "lib/big.ts", reason: "no_patch" },
      { filename: "src/__init__.py", reason: "empty" },
      { filename: "assets/logo", reason: "binary" },
    ]);
  });

  it("takes whole files in GitHub's order while they fit, never a cut patch", () => {
    const files = [
      changed("a.ts", 400),
      changed("b.ts", 500),
      changed("c.ts", 300),
      changed("d.ts", 200),
    ];
    const diff = prepareDiff(files, { maxPatchChars: 1000 });
    // a (400) + b (500) = 900: c (300) and d (200) would each pass 1000.
    expect(diff.files.map((f) => f.filename)).toEqual(["a.ts", "b.ts"]);
    expect(diff.skipped).toEqual([
      { filename: "c.ts", reason: "over_budget" },
      { filename: "d.ts", reason: "over_budget" },
    ]);
    for (const file of diff.files) {
      expect(file.patch).toBe(files.find((f) => f.filename === file.filename)?.patch);
    }
  });

  it("includes a later smaller file that fits in what remains", () => {
    const diff = prepareDiff([changed("a.ts", 600), changed("b.ts", 600), changed("c.ts", 300)], {
      maxPatchChars: 1000,
    });
    expect(diff.files.map((f) => f.filename)).toEqual(["a.ts", "c.ts"]);
    expect(diff.skipped).toEqual([{ filename: "b.ts", reason: "over_budget" }]);
  });

  it("stops at maxFiles, 50 by default, counting only files it reviews", () => {
    const many = Array.from({ length: 52 }, (_, i) => changed(`src/f${i}.ts`));
    const diff = prepareDiff([changed("yarn.lock"), ...many]);
    expect(diff.files).toHaveLength(50);
    expect(diff.skipped.map((s) => s.reason)).toEqual(["lock_file", "over_budget", "over_budget"]);
    expect(prepareDiff(many, { maxFiles: 3 }).files.map((f) => f.filename)).toEqual([
      "src/f0.ts",
      "src/f1.ts",
      "src/f2.ts",
    ]);
  });

  it("has a 60,000-character default budget", () => {
    const diff = prepareDiff([changed("a.ts", 59_950), changed("b.ts", 51), changed("c.ts", 50)]);
    expect(diff.files.map((f) => f.filename)).toEqual(["a.ts", "c.ts"]);
  });

  it("totals additions and deletions over every file, reviewed or not", () => {
    const diff = prepareDiff([
      changed("src/a.ts", 40, { additions: 10, deletions: 2 }),
      changed("package-lock.json", 40, { additions: 900, deletions: 700 }),
      { filename: "src/old.ts", status: "removed", additions: 0, deletions: 35 },
    ]);
    expect(diff.totalAdditions).toBe(910);
    expect(diff.totalDeletions).toBe(737);
  });
});
