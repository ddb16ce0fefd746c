import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { eventually } from "../support/harness.js";

/**
 * src/main.ts as `npm start` runs it, in an empty folder (no .env), with nothing in the
 * environment but PATH and what the test sets.
 */
const TSX = resolve("node_modules/.bin/tsx");
const MAIN = resolve("src/main.ts");

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(TSX, [MAIN], {
    cwd: mkdtempSync(join(tmpdir(), "jasper-start-")),
    env: { PATH: process.env.PATH, MONGODB_URI: "memory", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, output: () => output, exited };
}

let running: Started | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill("SIGKILL");
    await running.exited;
  }
  running = undefined;
});

describe("starting the process", () => {
  it("a worker without the App settings waits, saying why once, instead of exiting", async () => {
    running = start({ JASPER_ROLE: "worker", PUBLIC_URL: "https://jasper.example" });
    let gone = false;
    void running.exited.then(() => (gone = true));
    await eventually(() => gone || running!.output().includes("this worker waits"), 40_000);
    expect(gone).toBe(false);
    expect(running.output()).toContain("https://jasper.example/setup");
    // Still there when stopped; a stop is a clean exit, not a failure to restart on.
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.output().match(/this worker waits/g)).toHaveLength(1);
  }, 60_000);

  it("refuses a malformed private key at start, naming PRIVATE_KEY, never starting", async () => {
    running = start({
      APP_ID: "12",
      PRIVATE_KEY:
        "-----BEGIN RSA PRIVATE KEY-----\\nnot-base64-at-all\\n-----END RSA PRIVATE KEY-----",
      WEBHOOK_SECRET: "s",
      // A worker binds no port: were the key taken, it would start and run.
      JASPER_ROLE: "worker",
    });
    expect(await running.exited).toBe(1);
    expect(running.output()).toMatch(/PRIVATE_KEY: not a PEM private key/);
    expect(running.output()).toContain("PRIVATE_KEY_PATH");
    expect(running.output()).not.toContain("not-base64-at-all");
    expect(running.output()).not.toContain("Jasper started");
  }, 60_000);
});
