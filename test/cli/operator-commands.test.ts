import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { REDIS_URL } from "../support/harness.js";

/**
 * The operator commands as an operator runs them: a process in a folder holding the README's
 * .env, with nothing set in the environment but PATH (and what a test adds).
 */
const TSX = resolve("node_modules/.bin/tsx");
const cli = (name: string) => resolve("src/cli", name);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  script: string,
  argv: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      TSX,
      [cli(script), ...argv],
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH, ...options.env },
        // Bounded: a command that hangs fails the test instead of the suite.
        timeout: 45_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A folder with a .env as the README has one write it (here: the in-memory store). */
function folderWithEnv(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "jasper-cli-"));
  writeFileSync(join(dir, ".env"), `${lines.join("\n")}\n`);
  return dir;
}

const dotEnv = [
  "# as in .env.example",
  "MONGODB_URI=memory",
  `REDIS_URL=${REDIS_URL}`,
  "PORT=3000",
];

describe("the operator commands", () => {
  it("read .env in the working directory, as the app does", async () => {
    const cwd = folderWithEnv(dotEnv);
    const [verify, migrate, admin] = await Promise.all([
      run("ledger-verify.ts", [], { cwd }),
      run("migrate.ts", [], { cwd }),
      run("jasper-admin.ts", ["verify"], { cwd }),
    ]);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining("checked 0") });
    expect(migrate).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("MONGODB_URI=memory"),
    });
    expect(admin).toMatchObject({ code: 0, stdout: expect.stringContaining("checked 0") });
  }, 60_000);

  it("let the environment win over .env, and name the variable when a value is wrong", async () => {
    const cwd = folderWithEnv([...dotEnv, "LOG_LEVEL=info"]);
    const res = await run("ledger-verify.ts", [], { cwd, env: { LOG_LEVEL: "chatty" } });
    expect(res.code).toBe(1);
    // MONGODB_URI came from .env; LOG_LEVEL from the environment, over .env's.
    expect(res.stderr).not.toContain("MONGODB_URI");
    expect(res.stderr).toContain(
      'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, got "chatty"',
    );
  }, 60_000);

  it("say where the settings are looked for when .env is missing", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "jasper-cli-"));
    const res = await run("migrate.ts", [], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("MONGODB_URI: is required");
    expect(res.stderr).toContain(`no .env in ${cwd}`);
  }, 60_000);

  it("print their usage with --help and exit 0, without any configuration", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "jasper-cli-"));
    const results = await Promise.all(
      [
        ["ledger-verify.ts", "--help"],
        ["migrate.ts", "-h"],
        ["jasper-admin.ts", "--help"],
        ["openapi-types.ts", "--help"],
      ].map(([script, ...argv]) => run(script!, argv, { cwd })),
    );
    for (const res of results) {
      expect(res).toMatchObject({ code: 0, stderr: "" });
      expect(res.stdout).toMatch(/^Usage: /);
    }
  }, 60_000);

  it("refuse what they do not take: the usage on stderr and the usage exit code", async () => {
    const cwd = folderWithEnv(dotEnv);
    const [verify, migrate, admin] = await Promise.all([
      run("ledger-verify.ts", ["--fix"], { cwd }),
      run("migrate.ts", ["now"], { cwd }),
      run("jasper-admin.ts", [], { cwd }),
    ]);
    expect(verify.code).toBe(2);
    expect(migrate.code).toBe(2);
    expect(admin.code).toBe(3);
    for (const res of [verify, migrate, admin]) {
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain("Usage: ");
    }
    expect(verify.stderr).toContain("--fix");
  }, 60_000);
});
