import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { envSchema } from "../../src/config/env.js";

/** Every setting the app reads is documented where people look: .env.example and the README. */
const variables = Object.keys(envSchema.in.shape);
const envExample = readFileSync(".env.example", "utf8");
const readme = readFileSync("README.md", "utf8");

/** The names in .env.example, set or commented out (`# NAME=`). */
const exampleNames = [...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

/** The names in the first column of README's configuration table, each time they appear. */
const tableNames = (() => {
  const section = readme.split(/^## Configuration$/m)[1]!.split(/^## /m)[0]!;
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) =>
    [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
  );
})();

describe("the documented settings", () => {
  it("list every variable of the configuration in .env.example", () => {
    expect(variables.filter((name) => !exampleNames.includes(name))).toEqual([]);
    expect(exampleNames.filter((name) => !variables.includes(name))).toEqual([]);
  });

  it("give every variable of .env.example one row in README's configuration table", () => {
    expect(variables.filter((name) => !tableNames.includes(name))).toEqual([]);
    const twice = tableNames.filter((name, i) => tableNames.indexOf(name) !== i);
    expect(twice).toEqual([]);
  });

  it("state the Node version package.json requires", () => {
    const engines = (
      JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } }
    ).engines.node;
    expect(engines).toBe(">=20.19.0");
    expect(readme).toContain("Node.js 20.19 or newer");
  });
});
