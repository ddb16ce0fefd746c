import { describe, expect, it } from "@jest/globals";
import { describeConfig, missingSignInSettings, parseConfig } from "../../src/config/env.js";

const minimal = { MONGODB_URI: "memory" };
const signIn = {
  GITHUB_CLIENT_ID: "Iv1.x",
  GITHUB_CLIENT_SECRET: "client-secret",
  SESSION_SECRET: "s".repeat(32),
};

describe("dashboard configuration", () => {
  it("runs without sign-in, and names what is missing", () => {
    expect(missingSignInSettings(parseConfig(minimal))).toEqual([
      "GITHUB_CLIENT_ID",
      "GITHUB_CLIENT_SECRET",
      "SESSION_SECRET",
    ]);
    expect(missingSignInSettings(parseConfig({ ...minimal, ...signIn }))).toEqual([]);
  });

  it("needs a SESSION_SECRET of 32 characters or more once the OAuth client is set", () => {
    const withoutSecret = { GITHUB_CLIENT_ID: "Iv1.x", GITHUB_CLIENT_SECRET: "client-secret" };
    expect(() => parseConfig({ ...minimal, ...withoutSecret })).toThrow(/SESSION_SECRET/);
    expect(() => parseConfig({ ...minimal, ...signIn, SESSION_SECRET: "short" })).toThrow(
      /SESSION_SECRET: must be at least 32 characters/,
    );
    expect(() => parseConfig({ ...minimal, GITHUB_CLIENT_ID: "Iv1.x" })).toThrow(/SESSION_SECRET/);
  });

  it("never describes the client secret or the session secret", () => {
    const described = JSON.stringify(describeConfig(parseConfig({ ...minimal, ...signIn })));
    expect(described).not.toContain("client-secret");
    expect(described).not.toContain("s".repeat(32));
  });
});
