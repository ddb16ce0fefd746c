import { describe, expect, it } from "@jest/globals";
import { z } from "zod";
import { readCheckoutMetadata } from "../../src/billing/checkout-metadata.js";
import { parsePackages } from "../../src/billing/packages.js";
import { parseConfig, type ConfigError } from "../../src/config/env.js";
import { InvalidInputError } from "../../src/shared/errors.js";
import { grantSchema, parseInput } from "../../src/ledger/inputs.js";
import {
  formatIssue,
  formatIssueGiven,
  joinIssues,
  zodIssues,
} from "../../src/shared/zod-issues.js";

const errorOf = (schema: z.ZodType, value: unknown): z.ZodError => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected the parse to fail");
  return result.error;
};

describe("zod issues", () => {
  const schema = z.strictObject({
    name: z.string(),
    items: z.array(z.strictObject({ price: z.number().int() })),
  });

  it("joins each path with dots, array indexes included, in zod's order", () => {
    const error = errorOf(schema, { name: 1, items: [{ price: 1 }, { price: 1.5 }] });
    expect(zodIssues(error, "(input)")).toEqual([
      { path: "name", message: expect.stringContaining("string") },
      { path: "items.1.price", message: expect.stringContaining("int") },
    ]);
  });

  it("names an issue about the whole value with the caller's label", () => {
    expect(zodIssues(errorOf(schema, "text"), "environment")).toEqual([
      { path: "environment", message: expect.any(String) },
    ]);
    const refined = z.number().refine((n) => n > 0, "must be positive");
    expect(zodIssues(errorOf(refined, -1), "(list)")).toEqual([
      { path: "(list)", message: "must be positive" },
    ]);
  });

  it("turns a symbol in a path into text instead of throwing", () => {
    const key = Symbol("secret");
    const custom = z.any().superRefine((_v, ctx) => {
      ctx.addIssue({ code: "custom", path: ["a", key, 0], message: "bad" });
    });
    expect(zodIssues(errorOf(custom, 1), "(input)")).toEqual([
      { path: "a.Symbol(secret).0", message: "bad" },
    ]);
  });

  it("formats one issue as path: message and several joined by semicolons", () => {
    expect(formatIssue({ path: "limit", message: "too big" })).toBe("limit: too big");
    expect(
      joinIssues([
        { path: "a", message: "one" },
        { path: "b.0", message: "two" },
      ]),
    ).toBe("a: one; b.0: two");
    expect(joinIssues([])).toBe("");
    expect(formatIssueGiven({ path: "PORT", message: "expected a port" }, 'a"b')).toBe(
      'PORT: expected a port, got "a\\"b"',
    );
    expect(formatIssueGiven({ path: "TOKEN", message: "too short" }, undefined)).toBe(
      "TOKEN: too short",
    );
  });

  describe("each caller keeps its label and layout", () => {
    const thrown = (call: () => unknown): unknown => {
      try {
        call();
      } catch (err) {
        return err;
      }
      throw new Error("expected a throw");
    };

    it("Stripe metadata: every problem on one line, the whole object called metadata", () => {
      expect(readCheckoutMetadata({ accountId: "0", packageId: "Team" })).toEqual({
        status: "invalid",
        problems: expect.stringMatching(
          /^accountId: must be a positive integer \(the GitHub account id\); packageId: must be a package id; credits: /,
        ),
      });
    });

    it("CREDIT_PACKAGES: the list as a whole is (list), items by index", () => {
      expect(() => parsePackages("[]")).toThrow(/^CREDIT_PACKAGES: \(list\): [^;]+$/);
      const bad = JSON.stringify([
        { id: "Team Plan", name: "Team", description: "d", credits: 1, priceCents: 100 },
      ]);
      expect(() => parsePackages(bad)).toThrow(
        /^CREDIT_PACKAGES: 0\.id: must be 1-40 lowercase letters, digits or -$/,
      );
    });

    it("configuration: one problem per variable, not joined", () => {
      const err = thrown(() => parseConfig({ MONGODB_URI: "memory", PORT: "x" })) as ConfigError;
      expect(err.problems).toEqual([expect.stringMatching(/^PORT: [^;]+$/)]);
    });

    it("ledger input: the whole value is (input), issues kept alongside the message", () => {
      const err = thrown(() =>
        parseInput(grantSchema, {
          type: "bonus",
          amount: 1,
          description: "d",
          idempotencyKey: "refund:x",
          extra: 1,
        }),
      ) as InvalidInputError;
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.issues).toEqual([
        {
          path: "idempotencyKey",
          message:
            "must not start with refund:, free-tier:, free-expiration:, bonus-expiration:, plan:, plan-expiration: (reserved for the ledger)",
        },
        { path: "(input)", message: expect.stringContaining("extra") },
      ]);
      expect(err.message).toBe(joinIssues(err.issues));
    });
  });
});
