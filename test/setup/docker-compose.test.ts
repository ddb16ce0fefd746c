import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/env.js";
import { buildManifest, readAppYml } from "../../src/setup/manifest.js";
import { createSetupServer } from "../../src/setup/setup-server.js";

/** docker-compose.yml, read as Compose reads it (no Docker engine here to run it). */
interface Service {
  env_file?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const jasperServices = ["migrate", "web", "worker"];

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the web service's health check as the container would, with `env`. */
function healthCheck(env: Record<string, string>): Promise<number> {
  const [cmd, node, flag, script] = compose.services.web!.healthcheck!.test;
  expect([cmd, node, flag]).toEqual(["CMD", "node", "-e"]);
  return new Promise((done) => {
    execFile(process.execPath, ["-e", script!], { env, timeout: 20_000 }, (error) =>
      done(error ? (typeof error.code === "number" ? error.code : -1) : 0),
    );
  });
}

describe("docker-compose.yml", () => {
  it("reads .env in the form every Compose version reads (not 2.24's path/required)", () => {
    for (const name of jasperServices) {
      expect(compose.services[name]!.env_file).toBe(".env");
    }
  });

  it("web publishes, and the app listens on, the same PORT", () => {
    const web = compose.services.web!;
    expect(web.ports).toEqual(["${PORT:-3000}:${PORT:-3000}"]);
    expect(web.environment).toMatchObject({ PORT: "${PORT:-3000}", HOST: "0.0.0.0" });
  });

  it("web's health check probes the app's PORT, and passes in first-run setup", async () => {
    const config = parseConfig({ MONGODB_URI: "memory" });
    server = await createSetupServer({
      manifest: buildManifest(readAppYml("app.yml"), config.PUBLIC_URL),
      github: config.github,
      publicUrl: config.PUBLIC_URL,
      port: config.PORT,
      envPath: join(mkdtempSync(join(tmpdir(), "jasper-compose-")), ".env"),
      log: pino({ level: "silent" }),
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.server.address() as { port: number };
    expect(await healthCheck({ PORT: String(port) })).toBe(0);
    await server.close();
    server = undefined;
    expect(await healthCheck({ PORT: String(port) })).toBe(1);
  });
});
