import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AccountId } from "../../src/accounts/types.js";
import type { Learning } from "../../src/learnings/types.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const A = "/api/v1/organizations/Acme-Corp";
const B = "/api/v1/organizations/Globex";

afterEach(closeHarnesses);

describe("the learnings API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
  });
  let n = 0;
  async function teach(accountId: AccountId, text: string, over: Partial<Learning> = {}) {
    n += 1;
    const added = await h.store.learnings.add(
      {
        accountId,
        scope: "repository",
        repositoryId: 501,
        repository: "Acme-Corp/widgets",
        text,
        rule: null,
        paths: null,
        author: { id: 77, login: "octo-dev" },
        source: { number: 12, commentId: n },
        createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)),
        sourceKey: String(n),
        ...over,
      },
      500,
    );
    if (added.status === "full") throw new Error("full");
    return added.learning;
  }
  const get = (url: string, token: string) =>
    h.server.inject({ method: "GET", url, headers: h.auth(token) });
  const del = (url: string, token: string) =>
    h.server.inject({ method: "DELETE", url, headers: h.auth(token) });

  it("lists the org's own learnings newest first, paged by cursor and searched; never another org's", async () => {
    const first = await teach(h.orgA.id, "Payments retry through retryPayment().");
    await teach(h.orgA.id, "ignore debug leftover in scripts/**", {
      rule: "debug leftover",
      paths: "scripts/**",
      scope: "organization",
    });
    const third = await teach(h.orgA.id, "Money is integers of cents.");
    await teach(h.orgB.id, "Globex's own payments note.");

    const page1 = await get(`${A}/learnings?limit=2`, h.keyA);
    expect(page1.statusCode).toBe(200);
    const body1 = page1.json();
    expect(body1.learnings.map((l: { text: string }) => l.text)).toEqual([
      "Money is integers of cents.",
      "ignore debug leftover in scripts/**",
    ]);
    expect(body1.learnings[0]).toEqual({
      id: third.id,
      scope: "repository",
      repository: "Acme-Corp/widgets",
      text: "Money is integers of cents.",
      rule: null,
      paths: null,
      author: { id: 77, login: "octo-dev" },
      source: { number: 12, commentId: third.source.commentId },
      createdAt: third.createdAt.toISOString(),
    });
    const page2 = (await get(`${A}/learnings?limit=2&cursor=${body1.nextCursor}`, h.keyA)).json();
    expect(page2).toEqual({
      learnings: [expect.objectContaining({ id: first.id })],
      nextCursor: null,
    });

    const searched = (await get(`${A}/learnings?search=PAYMENTS`, h.keyA)).json();
    expect(searched.learnings.map((l: { id: string }) => l.id)).toEqual([first.id]);
    const globex = (await get(`${B}/learnings`, h.keyB)).json();
    expect(globex.learnings.map((l: { text: string }) => l.text)).toEqual([
      "Globex's own payments note.",
    ]);
  });

  it("refuses what it cannot use with a clear 400, and another org's credential with a 404", async () => {
    for (const query of ["limit=0", "limit=101", "cursor=not-a-cursor", "search=", "color=red"]) {
      const res = await get(`${A}/learnings?${query}`, h.keyA);
      expect([query, res.statusCode]).toEqual([query, 400]);
    }
    const forged = Buffer.from(JSON.stringify({ v: 1, at: 1, id: "$where" })).toString("base64url");
    expect((await get(`${A}/learnings?cursor=${forged}`, h.keyA)).statusCode).toBe(400);
    expect((await get(`${A}/learnings`, h.keyB)).statusCode).toBe(404);
  });

  it("deleting takes write access: a read key is refused, a write key deletes, audited with the text", async () => {
    const learning = await teach(h.orgA.id, "Payments retry through retryPayment().");
    const refused = await del(`${A}/learnings/${learning.id}`, h.keyA);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("insufficient_scope");
    expect(await h.store.learnings.list(h.orgA.id, { limit: 10 })).toHaveLength(1);

    const writeA = await h.addKey(h.orgA, "write");
    const writeB = await h.addKey(h.orgB, "write");
    // Globex's write key, on Globex's path, with Acme's learning id: not found, nothing deleted.
    expect((await del(`${B}/learnings/${learning.id}`, writeB)).statusCode).toBe(404);
    expect((await del(`${A}/learnings/${learning.id}`, writeB)).statusCode).toBe(404);
    expect(await h.store.learnings.list(h.orgA.id, { limit: 10 })).toHaveLength(1);

    const deleted = await del(`${A}/learnings/${learning.id}`, writeA);
    expect(deleted.statusCode).toBe(204);
    expect(await h.store.learnings.list(h.orgA.id, { limit: 10 })).toEqual([]);
    expect((await del(`${A}/learnings/${learning.id}`, writeA)).statusCode).toBe(404);
    expect((await del(`${A}/learnings/not-an-id`, writeA)).statusCode).toBe(404);

    const audit = (await h.store.audit.list(h.orgA.id, { limit: 20 })).filter(
      (e) => e.action === "learning_deleted",
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor: { kind: "api_key", id: expect.any(String) },
        interface: "api",
        details: expect.objectContaining({
          learning: learning.id,
          text: "Payments retry through retryPayment().",
          taughtBy: "octo-dev",
        }),
      }),
    ]);
    expect(
      await h.store.audit.list(h.orgB.id, { actions: ["learning_deleted"], limit: 20 }),
    ).toEqual([]);
  });
});
