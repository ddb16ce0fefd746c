import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import {
  ConfigError,
  describeConfig,
  envSchema,
  parseConfig,
  requireAppCredentials,
} from "../../src/config/env.js";

const minimal = { MONGODB_URI: "memory" };

/** The problems parseConfig reports for `env`, or [] when it parses. */
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig({ ...minimal, ...env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
};

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
      AI_CONTEXT_TOKENS: 128_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads the AI model's context window in tokens, and refuses one too small to hold a prompt", () => {
    expect(parseConfig({ ...minimal, AI_CONTEXT_TOKENS: "16000" }).AI_CONTEXT_TOKENS).toBe(16_000);
    expect(parseConfig({ ...minimal, AI_CONTEXT_TOKENS: "" }).AI_CONTEXT_TOKENS).toBe(128_000);
    expect(() => parseConfig({ ...minimal, AI_CONTEXT_TOKENS: "500" })).toThrow(
      /AI_CONTEXT_TOKENS: expected a number of tokens between 2000 and 10000000/,
    );
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

  it("PUBLIC_URL: unset or empty, this machine on PORT", () => {
    expect(parseConfig({ ...minimal, PORT: "8080" }).PUBLIC_URL).toBe("http://localhost:8080");
    expect(parseConfig({ ...minimal, PUBLIC_URL: "" }).PUBLIC_URL).toBe("http://localhost:3000");
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
      PRIVATE_KEY: rsaPem.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: "s",
    });
    expect(requireAppCredentials(config)).toEqual({
      appId: "12",
      privateKey: rsaPem,
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

const rsaPem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

describe("the App's private key", () => {
  const app = { ...minimal, APP_ID: "12", WEBHOOK_SECRET: "s" };
  const refusal = (env: Record<string, string>): ConfigError => {
    try {
      requireAppCredentials(parseConfig({ ...app, ...env }));
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error("expected the key to be refused");
  };

  it("takes PEM text on several lines, on one line with \\n, PKCS#1 or PKCS#8, or from a file", () => {
    const pkcs8 = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const file = join(mkdtempSync(join(tmpdir(), "jasper-key-")), "app.pem");
    writeFileSync(file, rsaPem);
    for (const env of [
      { PRIVATE_KEY: rsaPem },
      { PRIVATE_KEY: rsaPem.replace(/\n/g, "\\n") },
      { PRIVATE_KEY: pkcs8 },
      { PRIVATE_KEY_PATH: file },
    ]) {
      expect(requireAppCredentials(parseConfig({ ...app, ...env })).privateKey).toMatch(
        /^-----BEGIN (RSA )?PRIVATE KEY-----\n/,
      );
    }
  });

  it("refuses at start what GitHub's token signing could not read, naming the accepted forms", () => {
    const body = rsaPem.split("\n")[1]!;
    const malformed = [
      "not a key",
      rsaPem.replace(/\n/g, " "),
      rsaPem.slice(0, 200),
      // A public key, an EC key and an OpenSSH key are not what a GitHub App signs with.
      generateKeyPairSync("rsa", { modulusLength: 2048 })
        .publicKey.export({ type: "spki", format: "pem" })
        .toString(),
      generateKeyPairSync("ec", { namedCurve: "prime256v1" })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
    ];
    for (const key of malformed) {
      const err = refusal({ PRIVATE_KEY: key });
      expect(err.problems).toHaveLength(1);
      expect(err.problems[0]).toMatch(/^PRIVATE_KEY: /);
      expect(err.message).toContain("PEM text");
      expect(err.message).toContain("\\n");
      expect(err.message).toContain("PRIVATE_KEY_PATH");
      // Never a line of the key itself.
      expect(err.message).not.toContain(body);
      expect(err.message).not.toContain("not a key");
    }
    const file = join(mkdtempSync(join(tmpdir(), "jasper-key-")), "app.pem");
    writeFileSync(file, "hunter2\n");
    const fromFile = refusal({ PRIVATE_KEY_PATH: file });
    expect(fromFile.problems[0]).toMatch(/^PRIVATE_KEY_PATH: /);
    expect(fromFile.message).not.toContain("hunter2");
  });
});

describe("configuration messages", () => {
  it("say the variable, the expected form and what was given, for values that are not secret", () => {
    expect(problemsOf({ PORT: "abc" })).toEqual([
      'PORT: expected a whole number between 1 and 65535, got "abc"',
    ]);
    expect(problemsOf({ PORT: "70000" })).toEqual([
      'PORT: expected a whole number between 1 and 65535, got "70000"',
    ]);
    expect(problemsOf({ PUBLIC_URL: "jasper.example.com" })).toEqual([
      'PUBLIC_URL: expected an absolute http(s) URL such as https://jasper.example.com, got "jasper.example.com"',
    ]);
    expect(problemsOf({ LOG_LEVEL: "verbose" })).toEqual([
      'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, got "verbose"',
    ]);
    expect(problemsOf({ SESSION_HOURS: "1.5" })).toEqual([
      'SESSION_HOURS: expected a whole number of hours between 1 and 720, got "1.5"',
    ]);
    expect(problemsOf({ REDIS_URL: "localhost:6379" })).toEqual([
      "REDIS_URL: expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379",
    ]);
  });

  it("never show a secret or a URL that may hold a password", () => {
    const given = "hunter2hunter2";
    for (const name of [
      "OPERATOR_TOKEN",
      "SESSION_SECRET",
      "MONGODB_URI",
      "REDIS_URL",
      "SMTP_URL",
    ]) {
      const problems = problemsOf({ [name]: given });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
      expect(problems.join("\n")).not.toContain(given);
    }
    // A URL that is shown is shown without its credentials.
    const shown = problemsOf({
      AI_BASE_URL: "ftp://user:pa55@ai.example",
      AI_API_KEY: "k",
      AI_MODEL: "m",
    });
    expect(shown).toEqual([expect.stringMatching(/^AI_BASE_URL: expected/)]);
    expect(shown.join("")).not.toContain("pa55");
  });

  it("never pass on the validator's own wording, for any variable", () => {
    const shape = envSchema.in.shape;
    for (const name of Object.keys(shape)) {
      for (const value of ["%%", "-1", "1.5", "x".repeat(3)]) {
        for (const problem of problemsOf({ [name]: value })) {
          // Its own name, or the variable a rule about several is reported on.
          expect(problem).toMatch(/^[A-Z][A-Z0-9_]*: /);
          expect(problem).not.toMatch(
            /Invalid (input|URL|option|string)|received|Too (small|big)|expected (number|string|int)\b/,
          );
        }
      }
    }
  });

  it("take an empty number as unset: the default", () => {
    expect(parseConfig({ ...minimal, PORT: "", SESSION_HOURS: " " })).toMatchObject({
      PORT: 3000,
      SESSION_HOURS: 8,
    });
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
