import { describe, expect, it } from "@jest/globals";
import {
  configSkipReason,
  defaultRepositoryConfig,
  globMatches,
  resolveRepositoryConfig,
} from "../../src/repository-config/repository-config.js";

describe("configuration globs", () => {
  it.each([
    ["*.md", "README.md", true],
    ["*.md", "docs/guide/intro.md", true],
    ["docs/*.md", "docs/guide/intro.md", false],
    ["docs/**", "docs/guide/intro.md", true],
    ["**/*.snap", "src/__snapshots__/a.test.ts.snap", true],
    ["**/*.snap", "a.snap", true],
    ["src/**/*.{ts,tsx}", "src/ui/button.tsx", true],
    ["src/**/*.{ts,tsx}", "src/ui/button.css", false],
    ["src/?.ts", "src/a.ts", true],
    ["src/?.ts", "src/ab.ts", false],
    ["a+b(c).ts", "a+b(c).ts", true],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });

  it("branches match whole names: release/* is not release/1/hotfix", () => {
    expect(globMatches("release/*", "release/2.4", { basename: false })).toBe(true);
    expect(globMatches("release/*", "release/1/hotfix", { basename: false })).toBe(false);
    expect(globMatches("main", "feature/main", { basename: false })).toBe(false);
  });
});

describe("configuration merge and skips", () => {
  const facts = {
    action: "opened",
    draft: false,
    baseRef: "main",
    author: "octo-dev",
    labels: [],
    title: "Add retry",
  };

  it("the first file of the chain that sets a key decides it, and says where", () => {
    const config = resolveRepositoryConfig({
      files: [
        { source: "acme/widgets:.github/jasper.yml", content: { language: "German" } },
        {
          source: "acme/.github:.github/jasper.yml",
          content: { language: "French", skip_labels: ["no-review"] },
        },
      ],
      error: null,
    });
    expect(config.problems).toEqual([]);
    expect(config.values.language).toBe("German");
    expect(config.values.skip_labels).toEqual(["no-review"]);
    expect(config.sources).toMatchObject({
      language: "acme/widgets:.github/jasper.yml",
      skip_labels: "acme/.github:.github/jasper.yml",
      auto_review: "default",
    });
  });

  it("a file that is not a mapping is a problem, not a crash", () => {
    const config = resolveRepositoryConfig({
      files: [{ source: "acme/widgets:.github/jasper.yml", content: ["a", "b"] }],
      error: null,
    });
    expect(config.problems).toEqual([
      "acme/widgets:.github/jasper.yml: the file must be a mapping of keys to values",
    ]);
    expect(config.values).toEqual(defaultRepositoryConfig().values);
  });

  it("title keywords match whole words in any case", () => {
    const config = defaultRepositoryConfig();
    expect(configSkipReason(config, { ...facts, title: "wip" })).toMatch(/WIP/);
    expect(configSkipReason(config, { ...facts, title: "[WIP] retry" })).toMatch(/WIP/);
    expect(configSkipReason(config, { ...facts, title: "Wipe caches" })).toBeNull();
    expect(configSkipReason(config, { ...facts, title: "Retry [skip review]" })).toMatch(
      /skip review/,
    );
  });
});
