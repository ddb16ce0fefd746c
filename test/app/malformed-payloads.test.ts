import { describe, expect, it } from "@jest/globals";
import { toAccountId, type AccountId } from "../../src/accounts/types.js";
import { fixture, signedDelivery } from "../support/github.js";
import { useGitHubApi } from "../support/github-api.js";
import { createHarness, type Harness } from "../support/harness.js";

/**
 * Signed deliveries whose payload does not fit what Jasper reads: each is answered 400 with a
 * short JSON error before anything is claimed, charged or stored.
 */
const acme = toAccountId(9001);
type Json = Record<string, unknown>;

/** A copy of the fixture with `change` applied to it. */
const changed = (name: string, change: (payload: Json) => void): Json => {
  const payload = structuredClone(fixture(name));
  change(payload);
  return payload;
};
const at = (payload: Json, ...path: string[]): Json =>
  path.reduce((node, key) => node[key] as Json, payload);

const MALFORMED: [string, string, Json | unknown[]][] = [
  ["pull_request", "no pull_request", changed("pull_request.opened", (p) => delete p.pull_request)],
  ["pull_request", "no repository", changed("pull_request.opened", (p) => delete p.repository)],
  ["pull_request", "no sender", changed("pull_request.opened", (p) => delete p.sender)],
  [
    "pull_request",
    "a string owner id",
    changed("pull_request.opened", (p) => (at(p, "repository", "owner").id = "9001")),
  ],
  [
    "pull_request",
    "a negative owner id",
    changed("pull_request.opened", (p) => (at(p, "repository", "owner").id = -9001)),
  ],
  [
    "pull_request",
    "a string number",
    changed("pull_request.opened", (p) => (at(p, "pull_request").number = "12")),
  ],
  [
    "pull_request",
    "a negative number",
    changed("pull_request.opened", (p) => (at(p, "pull_request").number = -12)),
  ],
  [
    "pull_request",
    "a fractional repository id",
    changed("pull_request.opened", (p) => (at(p, "repository").id = 501.5)),
  ],
  [
    "pull_request",
    "a head that is not a SHA",
    changed("pull_request.opened", (p) => (at(p, "pull_request", "head").sha = "main; rm -rf")),
  ],
  [
    "pull_request",
    "a string installation id",
    changed("pull_request.opened", (p) => (at(p, "installation").id = "4242")),
  ],
  [
    "pull_request",
    "a page URL that is no web address",
    changed("pull_request.opened", (p) => (at(p, "pull_request").html_url = "javascript:alert(1)")),
  ],
  [
    "pull_request",
    "a full name that is no owner/name",
    changed("pull_request.synchronize", (p) => (at(p, "repository").full_name = "../../etc")),
  ],
  ["pull_request", "an array", []],
  ["issue_comment", "no repository", changed("issue_comment.created", (p) => delete p.repository)],
  [
    "issue_comment",
    "a string comment id",
    changed("issue_comment.created", (p) => (at(p, "comment").id = "555001")),
  ],
  [
    "issue_comment",
    "a negative issue number",
    changed("issue_comment.created", (p) => (at(p, "issue").number = -12)),
  ],
  [
    "issue_comment",
    "no author_association",
    changed("issue_comment.created", (p) => delete at(p, "comment").author_association),
  ],
  [
    "issue_comment",
    "a login with a line break",
    changed("issue_comment.created", (p) => (at(p, "comment", "user").login = "octo\n/jasper")),
  ],
  [
    "installation",
    "a string account id",
    changed("installation.created", (p) => (at(p, "installation", "account").id = "9001")),
  ],
  [
    "installation",
    "no installation",
    changed("installation.deleted", (p) => delete p.installation),
  ],
  [
    "installation_repositories",
    "a negative account id",
    changed("installation.created", (p) => {
      p.action = "added";
      at(p, "installation", "account").id = -1;
    }),
  ],
];

describe("malformed webhook payloads", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());

  it.each(MALFORMED)("%s with %s: 400, nothing written", async (event, _what, payload) => {
    h = await createHarness();
    // Signed as GitHub signs: GitHub's (or the secret holder's), not an attacker's.
    const res = await h.server.inject(signedDelivery(event, payload));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: "invalid_payload", message: expect.any(String) },
    });
    expect(res.body.length).toBeLessThan(500);
    for (const value of ["main; rm -rf", "javascript:", "../../etc"]) {
      expect(res.body).not.toContain(value); // names the field, never echoes the value
    }
    expect(await h.store.accounts.get(acme)).toBeNull();
    expect(await h.store.accounts.findByLogin("Acme-Corp")).toBeNull();
    expect(await h.store.runs.listStale(new Date(Date.now() + 60_000), 10)).toEqual([]);
    expect(await h.store.ledger.list(acme, { limit: 10 })).toEqual([]);
    expect(await h.pendingJobs()).toBe(0);
  });

  it("never opens a second account for a login from a string id", async () => {
    h = await createHarness();
    expect(await h.deliver("installation", fixture("installation.created"))).toBe(202);
    const stringId = changed(
      "pull_request.opened",
      (p) => (at(p, "repository", "owner").id = "9001"),
    );
    expect(await h.deliver("pull_request", stringId)).toBe(400);
    const installedAgain = changed("installation.created", (p) => {
      at(p, "installation", "account").id = "9001";
    });
    expect(await h.deliver("installation", installedAgain)).toBe(400);

    expect(await h.store.accounts.get("9001" as unknown as AccountId)).toBeNull();
    expect((await h.store.accounts.findByLogin("acme-corp"))?.id).toBe(acme);
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
  });

  it("reviews and charges an owner with an Enterprise Managed Users login (acme_emu)", async () => {
    h = await createHarness();
    const emu = toAccountId(9002);
    const owner = { login: "acme_emu", id: 9002, type: "Organization" };
    const installed = changed("installation.created", (p) => {
      at(p, "installation").account = { ...at(p, "installation", "account"), ...owner };
    });
    expect(await h.deliver("installation", installed)).toBe(202);
    const opened = changed("pull_request.opened", (p) => {
      const repository = at(p, "repository");
      repository.owner = { ...at(p, "repository", "owner"), ...owner };
      repository.full_name = "acme_emu/widgets";
      at(p, "pull_request").html_url = "https://github.com/acme_emu/widgets/pull/12";
    });
    expect(await h.deliver("pull_request", opened)).toBe(202);

    expect(await h.store.accounts.get(emu)).toMatchObject({ login: "acme_emu", status: "active" });
    const runs = await h.store.runs.listForPullRequest(emu, 501, 12, 10);
    expect(runs.map((r) => r.status)).toEqual(["queued"]);
    const usage = await h.store.ledger.list(emu, { types: ["usage"], limit: 10 });
    expect(usage.map((e) => e.reference)).toEqual([
      expect.objectContaining({ kind: "pull_request", repository: "acme_emu/widgets" }),
    ]);
  });
});
