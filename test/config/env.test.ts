import { describe, expect, it } from "@jest/globals";
import { ConfigError, describeConfig, parseConfig } from "../../src/config/env.js";

const minimal = { MONGODB_URI: "memory" };

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      PORT: 3000,
      BOT_NAME: "jasper",
      FREE_REVIEWS_PER_MONTH: 3,
      REDIS_URL: "redis://127.0.0.1:6379",
      PUBLIC_URL: "http://localhost:3000",
      LOG_LEVEL: "info",
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("names every bad variable without echoing values", () => {
    const secretish = "mongodb-but-not-really-s3cr3t";
    let error: unknown;
    try {
      parseConfig({
        MONGODB_URI: secretish,
        PORT: "eighty",
        FREE_REVIEWS_PER_MONTH: "-1",
        APP_ID: "abc",
        BOT_NAME: "has spaces",
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "APP_ID",
      "BOT_NAME",
      "FREE_REVIEWS_PER_MONTH",
      "MONGODB_URI",
      "PORT",
    ]);
    expect(message).not.toContain(secretish);
  });

  it("requires MONGODB_URI and refuses two private keys", () => {
    expect(() => parseConfig({})).toThrow(/MONGODB_URI: is required/);
    expect(() =>
      parseConfig({ ...minimal, PRIVATE_KEY: "-----BEGIN", PRIVATE_KEY_PATH: "key.pem" }),
    ).toThrow(/PRIVATE_KEY: set PRIVATE_KEY or PRIVATE_KEY_PATH, not both/);
  });

  it("never shows secrets or URI passwords when described for logs", () => {
    const config = parseConfig({
      MONGODB_URI: "mongodb://jasper:hunter2@db:27017/jasper",
      REDIS_URL: "redis://:redispass@cache:6379",
      WEBHOOK_SECRET: "whsec",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
    });
    const text = JSON.stringify(describeConfig(config));
    for (const secret of ["hunter2", "redispass", "whsec", "BEGIN RSA"]) {
      expect(text).not.toContain(secret);
    }
    expect(describeConfig(config)).toMatchObject({
      WEBHOOK_SECRET: "(set)",
      PRIVATE_KEY: "(set)",
      MONGODB_URI: "mongodb://***@db:27017/jasper",
    });
  });
});
