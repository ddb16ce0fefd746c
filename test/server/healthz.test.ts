import { afterEach, describe, expect, it } from "@jest/globals";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { createServer, HEALTH_PING_TIMEOUT_MS } from "../../src/server/create-server.js";
import { testProbot } from "../support/github.js";

/** /healthz over a database whose ping does what `ping` does. */
async function serverWith(ping: () => Promise<void>): Promise<FastifyInstance> {
  return createServer({
    probot: testProbot(),
    receive: async () => "recorded",
    store: { ping },
    log: pino({ level: "silent" }),
  });
}

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("/healthz", () => {
  it("answers 503 within the bound when the database does not answer at all", async () => {
    server = await serverWith(() => new Promise<void>(() => {}));
    const started = Date.now();
    const res = await server.inject({ method: "GET", url: "/healthz" });
    const took = Date.now() - started;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: "unavailable", reason: "database" });
    expect(took).toBeGreaterThanOrEqual(HEALTH_PING_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(HEALTH_PING_TIMEOUT_MS + 1_000);
  });

  it("answers 503 at once when the ping fails, and ok when it answers", async () => {
    server = await serverWith(async () => {
      throw new Error("no primary");
    });
    expect((await server.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(503);
    await server.close();
    server = await serverWith(async () => {});
    expect((await server.inject({ method: "GET", url: "/healthz" })).json()).toEqual({
      status: "ok",
    });
  });
});
