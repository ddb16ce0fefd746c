import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { closeHarnesses, createHarness } from "../support/harness.js";
import { OwnRedis } from "../support/own-redis.js";

describe("/readyz: whether this process can take a webhook now", () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => redis.stop());
  afterEach(closeHarnesses);

  it("is ready with the database and Redis answering, and not while Redis is down", async () => {
    const h = await createHarness({ redisUrl: redis.url });
    const ready = await h.server.inject({ method: "GET", url: "/readyz" });
    expect([ready.statusCode, ready.json()]).toEqual([
      200,
      { status: "ready", checks: { database: "ok", redis: "ok" } },
    ]);

    await redis.stop();
    const down = await h.server.inject({ method: "GET", url: "/readyz" });
    expect([down.statusCode, down.json()]).toEqual([
      503,
      { status: "unavailable", checks: { database: "ok", redis: "unavailable" } },
    ]);
    // Liveness is not readiness: the process is alive, and says so.
    expect((await h.server.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);

    await redis.start();
    await expect(
      (async () => {
        for (let i = 0; i < 100; i++) {
          if ((await h.server.inject({ method: "GET", url: "/readyz" })).statusCode === 200) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("not ready again after Redis came back");
      })(),
    ).resolves.toBeUndefined();
  });
});
