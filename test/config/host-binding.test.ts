import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { connect, createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "@jest/globals";
import { eventually, REDIS_URL } from "../support/harness.js";

/**
 * The process itself (src/main.ts, as `npm start` runs it) binds HOST. 127.0.0.2 is a
 * loopback address too: bound there, the server must not answer on 127.0.0.1.
 */
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("HOST", () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });

  it("is the address the server listens on", async () => {
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        PATH: process.env.PATH,
        APP_ID: "1234",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: "host-test",
        MONGODB_URI: "memory",
        REDIS_URL,
        JASPER_ROLE: "web",
        LOG_LEVEL: "warn",
        HOST: "127.0.0.2",
        PORT: String(port),
      },
      stdio: "ignore",
    });
    // tsx compiles the whole app as it starts: seconds alone, over half a minute on a loaded
    // machine (seen in a CI run beside other work). A process that exits fails at once.
    const started = child;
    await eventually(async () => {
      if (started.exitCode !== null) throw new Error(`the server exited (${started.exitCode})`);
      return answers("127.0.0.2", port);
    }, 90_000);
    expect(await answers("127.0.0.1", port)).toBe(false);
  }, 120_000);
});
