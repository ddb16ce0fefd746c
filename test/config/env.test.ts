import { describe, expect, it } from "@jest/globals";
import {
  ConfigError,
  describeConfig,
  parseConfig,
  requireAppCredentials,
} from "../../src/config/env.js";

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

  it("binds every interface by default (HOST, as Docker needs), or the HOST given", () => {
    expect(parseConfig(minimal).HOST).toBe("0.0.0.0");
    expect(parseConfig({ ...minimal, HOST: "" }).HOST).toBe("0.0.0.0");
    expect(parseConfig({ ...minimal, HOST: "127.0.0.1" }).HOST).toBe("127.0.0.1");
    expect(parseConfig({ ...minimal, HOST: "::" }).HOST).toBe("::");
    expect(() => parseConfig({ ...minimal, HOST: "http://localhost" })).toThrow(/HOST: must be/);
  });

  it("normalises PUBLIC_URL once: no trailing slash", () => {
    expect(parseConfig({ ...minimal, PUBLIC_URL: "https://jasper.example.com//" }).PUBLIC_URL).toBe(
      "https://jasper.example.com",
    );
  });

  it("parses CREDIT_PACKAGES at boot and names what is wrong", () => {
    expect(parseConfig(minimal).CREDIT_PACKAGES.map((p) => p.id)).toEqual([
      "starter",
      "growth",
      "scale",
    ]);
    const one = [{ id: "x", name: "X", description: "d", credits: 5, priceCents: 500 }];
    expect(
      parseConfig({ ...minimal, CREDIT_PACKAGES: JSON.stringify(one) }).CREDIT_PACKAGES,
    ).toEqual(one);
    expect(() => parseConfig({ ...minimal, CREDIT_PACKAGES: "[{" })).toThrow(
      /CREDIT_PACKAGES: not valid JSON/,
    );
    expect(() =>
      parseConfig({ ...minimal, CREDIT_PACKAGES: JSON.stringify([{ ...one[0], priceCents: 1 }]) }),
    ).toThrow(/CREDIT_PACKAGES: 0\.priceCents/);
  });

  it("refuses a STRIPE_API_BASE with a path, which stripe-node would drop", () => {
    expect(
      parseConfig({ ...minimal, STRIPE_API_BASE: "http://localhost:12111" }).STRIPE_API_BASE,
    ).toBe("http://localhost:12111");
    expect(() => parseConfig({ ...minimal, STRIPE_API_BASE: "http://localhost:12111/v1" })).toThrow(
      /STRIPE_API_BASE: must be a bare origin/,
    );
  });

  it("builds GitHub's API and web URLs in one place, Enterprise Server included", () => {
    expect(parseConfig(minimal).github).toEqual({
      api: "https://api.github.com",
      web: "https://github.com",
    });
    expect(
      parseConfig({ ...minimal, GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" }).github,
    ).toEqual({
      api: "http://ghe.example.com/api/v3",
      web: "http://ghe.example.com",
    });
  });

  it("requires the App credentials where they are needed, naming each missing one", () => {
    expect(() => requireAppCredentials(parseConfig({ ...minimal, APP_ID: "12" }))).toThrow(
      /PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET: not set/,
    );
    const config = parseConfig({
      ...minimal,
      APP_ID: "12",
      PRIVATE_KEY: "-----BEGIN KEY-----\\nabc\\n-----END KEY-----",
      WEBHOOK_SECRET: "s",
    });
    expect(requireAppCredentials(config)).toEqual({
      appId: "12",
      privateKey: "-----BEGIN KEY-----\nabc\n-----END KEY-----",
      webhookSecret: "s",
    });
    expect(() =>
      requireAppCredentials(
        parseConfig({
          ...minimal,
          APP_ID: "12",
          PRIVATE_KEY_PATH: "/nonexistent/key.pem",
          WEBHOOK_SECRET: "s",
        }),
      ),
    ).toThrow(/PRIVATE_KEY_PATH: cannot be read \(ENOENT\)/);
  });

  it("TRUST_PROXY: off by default, true, or the proxies' addresses; never a hop count", () => {
    expect(parseConfig(minimal).TRUST_PROXY).toBe(false);
    expect(parseConfig({ ...minimal, TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
    expect(parseConfig({ ...minimal, TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).TRUST_PROXY).toBe(
      "10.0.0.0/8, 127.0.0.1",
    );
    expect(() => parseConfig({ ...minimal, TRUST_PROXY: "2" })).toThrow(/TRUST_PROXY: a hop count/);
    expect(() => parseConfig({ ...minimal, TRUST_PROXY: "everyone" })).toThrow(/TRUST_PROXY/);
  });
});

describe("OPERATOR_TOKEN", () => {
  const token = "op_" + "7".repeat(40);

  it("is optional, at least 32 characters, and never in the described configuration", () => {
    expect(parseConfig(minimal).OPERATOR_TOKEN).toBeUndefined();
    expect(parseConfig({ ...minimal, OPERATOR_TOKEN: "" }).OPERATOR_TOKEN).toBeUndefined();
    const config = parseConfig({ ...minimal, OPERATOR_TOKEN: token });
    expect(config.OPERATOR_TOKEN).toBe(token);
    expect(describeConfig(config).OPERATOR_TOKEN).toBe("(set)");
    expect(JSON.stringify(describeConfig(config))).not.toContain(token);
    let error: unknown;
    try {
      parseConfig({ ...minimal, OPERATOR_TOKEN: "short-secret-value" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain("OPERATOR_TOKEN");
    expect((error as ConfigError).message).not.toContain("short-secret-value");
  });
});
