import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { EXIT, readAdminArgs } from "../../src/cli/admin-commands.js";
import { adminCli } from "../support/admin-cli.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

afterEach(closeHarnesses);

describe("jasper-admin commands", () => {
  let h: ApiHarness;
  let admin: ReturnType<typeof adminCli>["admin"];
  let out: string[];
  let err: string[];
  beforeEach(async () => {
    h = await createApiHarness();
    ({ admin, out, err } = adminCli(h));
  });
  const entries = async () => (await h.ledger.list(h.orgA.id, { limit: 100 })).entries;

  it("grants bonus credits, once per key, audited as the operator through the CLI", async () => {
    const args = ["grant", "Acme-Corp", "--amount", "20", "--reason", "conference promo"];
    expect(await admin(...args, "--key", "promo-1")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/^granted: Acme-Corp \+20, balance 23/);
    expect(await admin(...args, "--key", "promo-1")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/^already granted/);
    expect(await admin(...args.slice(0, 3), "21", "--reason", "x", "--key", "promo-1")).toBe(
      EXIT.keyReused,
    );
    expect((await h.ledger.summary(h.orgA.id)).buckets.bonus).toBe(20);
    const audit = await h.store.audit.list(h.orgA.id, { limit: 10 });
    expect(audit.map((e) => [e.action, e.actor, e.interface])).toEqual([
      ["grant", { kind: "operator", name: "bob" }, "cli"],
    ]);
  });

  it("adjusts with --operator, never below zero; prints JSON with --json", async () => {
    const code = await admin(
      "adjust",
      "101",
      "--amount=-5",
      "--bucket",
      "free",
      "--reason",
      "duplicate free tier",
      "--operator",
      "carol",
      "--json",
    );
    expect(code).toBe(EXIT.ok);
    const printed = JSON.parse(out.at(-1)!) as { entry: { amount: number; uncollected: number } };
    expect(printed.entry).toMatchObject({ amount: -3, uncollected: 2 });
    expect((await h.ledger.summary(h.orgA.id)).balance).toBe(0);
    const [entry] = await h.store.audit.list(h.orgA.id, { actions: ["adjustment"], limit: 1 });
    expect(entry).toMatchObject({ actor: { kind: "operator", name: "carol" }, interface: "cli" });
  });

  it("refuses bad input with a clear error and an exit code, writing nothing", async () => {
    const cases: [string[], number, RegExp][] = [
      [["grant", "Acme-Corp", "--amount", "5"], EXIT.usage, /reason: is required/],
      [["grant", "Acme-Corp", "--amount", "5", "--reason", " "], EXIT.usage, /reason/],
      [["grant", "Acme-Corp", "--amount=-5", "--reason", "x"], EXIT.usage, /must be positive/],
      [["grant", "Acme-Corp", "--amount", "five", "--reason", "x"], EXIT.usage, /whole number/],
      [["grant", "Acme-Corp", "--reason", "x"], EXIT.usage, /--amount is required/],
      [
        // The ledger has expiring bonus lots: an expiry is passed through, and one in the past
        // is refused by the ledger.
        ["grant", "Acme-Corp", "--amount", "5", "--reason", "x", "--expires-at", "2020-01-01"],
        EXIT.usage,
        /must be in the future/,
      ],
      [["grant", "nobody-here", "--amount", "5", "--reason", "x"], EXIT.unknownAccount, /no such/],
      [["adjust", "Acme-Corp", "--amount", "0", "--reason", "x"], EXIT.usage, /not be zero/],
      [["adjust", "Acme-Corp", "--amount", "-5", "--reason", "x"], EXIT.usage, /--amount=-XYZ/],
      [
        ["adjust", "Acme-Corp", "--amount", "5", "--reason", "x", "--bucket", "gold"],
        EXIT.usage,
        /bucket/,
      ],
      [["show", "nobody-here"], EXIT.unknownAccount, /no account "nobody-here"/],
      [["show"], EXIT.usage, /exactly one account/],
      [["list", "--by", "size"], EXIT.usage, /--by/],
      [["frobnicate"], EXIT.usage, /unknown command/],
      [["grant", "Acme-Corp", "--amonut", "5"], EXIT.usage, /Unknown option/],
    ];
    for (const [argv, code, message] of cases) {
      err.length = 0;
      expect([argv, await admin(...argv)]).toEqual([argv, code]);
      expect(err.join("\n")).toMatch(message);
    }
    expect(await entries()).toHaveLength(1);
    expect(await h.store.audit.list(h.orgA.id, { limit: 10 })).toEqual([]);
  });

  it("shows, lists, sweeps, reads the audit log and verifies", async () => {
    expect(await admin("show", "acme-corp")).toBe(EXIT.ok);
    expect(out.at(-1)).toContain("Acme-Corp (101, Organization, active)");
    expect(out.at(-1)).toContain("balance 3 (free 3, plan 0, bonus 0, purchased 0)");
    expect(await admin("list", "--by", "balance")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/Acme-Corp \(101, active\)\s+balance 3 \(critical\)/);
    expect(await admin("list", "--by", "activity", "--json")).toBe(EXIT.ok);
    expect(JSON.parse(out.at(-1)!).accounts).toHaveLength(2);
    expect(await admin("list", "--by", "activity", "--limit", "1")).toBe(EXIT.ok);
    const pages: string[] = [out.at(-1)!];
    // A full page says where the next starts; the walk ends on a page that is not full.
    for (let more = /more: --cursor (\S+)/.exec(pages.at(-1)!)?.[1]; more && pages.length < 5;) {
      expect(await admin("list", "--by", "activity", "--limit", "1", "--cursor", more)).toBe(
        EXIT.ok,
      );
      pages.push(out.at(-1)!);
      more = /more: --cursor (\S+)/.exec(pages.at(-1)!)?.[1];
    }
    expect(pages.map((p) => p.split(" ")[0])).toEqual(["Acme-Corp", "Globex", "no"]);
    expect(await admin("list", "--cursor", "balance:nope:1")).toBe(EXIT.usage);
    expect(await admin("repair-listings")).toBe(EXIT.ok);
    expect(out.at(-1)).toBe("listing copies: 0 repaired of 2 accounts");
    expect(await admin("sweep", "Globex")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/^swept Globex: 0 resumed/);
    await admin("grant", "Globex", "--amount", "1", "--reason", "hello");
    expect(await admin("audit", "Globex", "--action", "grant")).toBe(EXIT.ok);
    expect(out.at(-1)).toMatch(/grant by \{"kind":"operator","name":"bob"\} via cli/);
    expect(await admin("verify")).toBe(EXIT.ok);
    expect(await admin("--help")).toBe(EXIT.ok);
  });
});

describe("jasper-admin's arguments", () => {
  it("--help prints the usage on stdout and succeeds, wherever it stands", () => {
    for (const argv of [["--help"], ["-h"], ["grant", "--help"], ["--help", "--bogus"]]) {
      const out: string[] = [];
      const err: string[] = [];
      const result = readAdminArgs(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
      expect(result).toEqual({ exit: EXIT.ok });
      expect(out.join("\n")).toMatch(/^Usage: /);
      expect(err).toEqual([]);
    }
  });

  it("no command or an unknown flag: the usage on stderr, nothing run", () => {
    for (const argv of [[], ["--json"], ["show", "acme", "--bogus"]]) {
      const out: string[] = [];
      const err: string[] = [];
      expect(readAdminArgs(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })).toEqual({
        exit: EXIT.usage,
      });
      expect(out).toEqual([]);
      expect(err.join("\n")).toContain("Usage: ");
    }
  });
});

describe("the jasper-admin entry point", () => {
  it("runs as a process: usage errors and an unknown account exit with their codes", async () => {
    const run = (...argv: string[]) =>
      promisify(execFile)("node", ["--import", "tsx", "src/cli/jasper-admin.ts", ...argv], {
        env: { ...process.env, MONGODB_URI: "memory" },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const none = await run();
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain("Usage: node dist/cli/jasper-admin.js");
    const unknown = await run("show", "nobody-here");
    expect(unknown.code).toBe(EXIT.unknownAccount);
    const verify = await run("verify");
    expect(verify.code).toBe(EXIT.ok);
    expect(verify.stdout).toContain("checked 0 account(s)");
  }, 30_000);
});
