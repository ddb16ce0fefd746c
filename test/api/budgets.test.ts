import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { NO_BUDGETS } from "../../src/accounts/budget-rules.js";
import { closeHarnesses, createApiHarness, type ApiHarness } from "../support/harness.js";

const ADMIN_A = "admin-acme-corp";
const MEMBER_A = "member-acme-corp";
const url = (org = "Acme-Corp") => `/api/v1/organizations/${org}/budgets`;

// Each harness holds Redis connections and queues: close what a test opened.
afterEach(closeHarnesses);

describe("budgets API", () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await createApiHarness();
    await h.ledger.grant(h.orgA.id, {
      type: "purchase",
      amount: 100,
      description: "credits",
      idempotencyKey: "p1",
    });
  });

  const get = (token: string, org?: string) =>
    h.server.inject({ method: "GET", url: url(org), headers: h.auth(token) });
  const put = (payload: unknown, token = ADMIN_A, org?: string) =>
    h.server.inject({
      method: "PUT",
      url: url(org),
      headers: h.auth(token),
      payload: payload as string,
    });
  /** A review charge of acme-corp/<repo>#<n> by <author>, with no budgets to fit. */
  const charge = (key: string, repository: string, number: number, author?: string) =>
    h.ledger.charge(h.orgA.id, {
      action: "review",
      description: `Review of ${repository}#${number}`,
      reference: { kind: "pull_request", repository, number, ...(author ? { author } : {}) },
      idempotencyKey: key,
    });
  /** A charge on a repository known by GitHub's id, under the name it has at the time. */
  const chargeById = (key: string, repositoryId: number, repository: string, number: number) =>
    h.ledger.charge(h.orgA.id, {
      action: "review",
      description: `Review of ${repository}#${number}`,
      reference: { kind: "pull_request", repository, repositoryId, number },
      idempotencyKey: key,
    });
  const budgetAudit = async () =>
    (await h.jasper.audit.list(h.orgA.id, { actions: ["budget_changed"] })).entries;

  it("starts with no budgets and no use", async () => {
    const res = await get(h.keyA);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      organization: "Acme-Corp",
      rules: NO_BUDGETS,
      use: {
        period: "2026-11",
        account: { used: 0, cap: null, level: null },
        repositories: [],
        authors: [],
        pullRequests: [],
      },
    });
  });

  it("replaces the rules, shows this month's use of each budget, and audits the change", async () => {
    const rules = {
      account: 10,
      repositories: [
        { pattern: "api-*", credits: 4 },
        { pattern: "API-Gateway", credits: 2 },
      ],
      authorDefault: 3,
      authors: [{ login: "Octocat", credits: 5 }],
      pullRequestRuns: 4,
    };
    const res = await put(rules);
    expect(res.statusCode).toBe(200);
    expect(res.json().rules).toEqual({ ...rules, warnAtPercent: 80 });
    expect((await h.store.accounts.get(h.orgA.id))!.budgets).toEqual({
      ...rules,
      warnAtPercent: 80,
    });

    await charge("c1", "Acme-Corp/api-users", 1, "octocat");
    await charge("c2", "acme-corp/api-users", 1, "octocat");
    await charge("c3", "acme-corp/api-users", 1, "octocat");
    await charge("c4", "acme-corp/api-gateway", 2, "hubot");
    await charge("c5", "acme-corp/docs", 3);
    // Refunded: gives its budgets back.
    await charge("c6", "acme-corp/docs", 4, "hubot");
    await h.ledger.refund(h.orgA.id, { chargeKey: "c6" });

    const { use } = (await get(h.keyA)).json();
    expect(use).toEqual({
      period: "2026-11",
      account: { used: 5, cap: 10, level: "ok" },
      repositories: [
        {
          pattern: "api-*",
          cap: 4,
          repositories: [{ repository: "acme-corp/api-users", used: 3, cap: 4, level: "ok" }],
        },
        {
          // The exact name wins over the glob listed before it.
          pattern: "API-Gateway",
          cap: 2,
          repositories: [{ repository: "acme-corp/api-gateway", used: 1, cap: 2, level: "ok" }],
        },
      ],
      authors: [
        { login: "octocat", used: 3, cap: 5, level: "ok" },
        { login: "hubot", used: 1, cap: 3, level: "ok" },
      ],
      // 3 runs of 4 is 75 %: under the warning share.
      pullRequests: [],
    });

    // From 80 %, and at the cap, as the billing summary shows them too.
    await charge("c7", "acme-corp/api-users", 1, "octocat");
    const after = (await get(h.keyA)).json().use;
    expect(after.pullRequests).toEqual([
      { pullRequest: "acme-corp/api-users#1", used: 4, cap: 4, level: "used_up" },
    ]);
    expect(after.authors[0]).toEqual({ login: "octocat", used: 4, cap: 5, level: "warning" });
    const summary = (
      await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(h.keyA),
      })
    ).json();
    expect(summary.budgets).toEqual({
      period: "2026-11",
      account: { used: 6, cap: 10, level: "ok" },
      repositories: [
        {
          repository: "acme-corp/api-users",
          pattern: "api-*",
          used: 4,
          cap: 4,
          level: "used_up",
        },
        {
          repository: "acme-corp/api-gateway",
          pattern: "API-Gateway",
          used: 1,
          cap: 2,
          level: "ok",
        },
      ],
      authors: [
        { login: "octocat", used: 4, cap: 5, level: "warning" },
        { login: "hubot", used: 1, cap: 3, level: "ok" },
      ],
    });

    const entries = await budgetAudit();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { kind: "github_user", login: "admin-of-acme-corp" },
      interface: "api",
      details: {
        before: {
          account: null,
          repositories: [],
          authorDefault: null,
          authors: [],
          pullRequestRuns: null,
        },
        after: rules,
      },
    });
  });

  it("shows a renamed repository's use under its new name, under the rule its new name matches", async () => {
    const rules = {
      repositories: [
        { pattern: "legacy", credits: 9 },
        { pattern: "api-*", credits: 4 },
      ],
      pullRequestRuns: 2,
    };
    expect((await put(rules)).statusCode).toBe(200);
    await chargeById("r1", 77, "acme-corp/legacy", 1);
    await chargeById("r2", 77, "acme-corp/legacy", 2);
    // Renamed on GitHub: the same repository (id 77) is now api-v2.
    await chargeById("r3", 77, "Acme-Corp/api-v2", 1);
    const { use } = (await get(h.keyA)).json();
    expect(use.repositories).toEqual([
      { pattern: "legacy", cap: 9, repositories: [] },
      {
        pattern: "api-*",
        cap: 4,
        repositories: [{ repository: "acme-corp/api-v2", used: 3, cap: 4, level: "ok" }],
      },
    ]);
    // Its pull request #1 has used both runs, across the rename, shown under the new name.
    expect(use.pullRequests).toEqual([
      { pullRequest: "acme-corp/api-v2#1", used: 2, cap: 2, level: "used_up" },
    ]);
  });

  it("audits only what changed, and nothing for an unchanged PUT", async () => {
    await put({ account: 10, warnAtPercent: 90 });
    await put({ account: 10, warnAtPercent: 90 });
    await put({ account: 0, warnAtPercent: 90 });
    const entries = await budgetAudit();
    expect(entries.map((e) => e.details)).toEqual([
      { before: { account: 10 }, after: { account: 0 } },
      {
        before: { account: null, warnAtPercent: 80 },
        after: { account: 10, warnAtPercent: 90 },
      },
    ]);
    // A cap of 0: nothing may be spent, so it is used up from the start.
    expect((await get(h.keyA)).json().use.account).toEqual({ used: 0, cap: 0, level: "used_up" });
  });

  it("tells a change of long rule lists as what was added, removed and changed", async () => {
    const authors = Array.from({ length: 400 }, (_, i) => ({ login: `user-${i}`, credits: 1 }));
    expect((await put({ authors })).statusCode).toBe(200);
    const next = [...authors.slice(1), { login: "newcomer", credits: 2 }];
    next[0] = { login: "user-1", credits: 9 };
    expect((await put({ authors: next })).statusCode).toBe(200);
    const [latest] = await budgetAudit();
    expect(latest!.details).toEqual({
      before: {},
      after: {
        authors: {
          added: [{ login: "newcomer", credits: 2 }],
          removed: [{ login: "user-0", credits: 1 }],
          changed: [{ rule: { login: "user-1", credits: 9 }, from: 1 }],
        },
      },
    });
  });

  it("refuses bad rules with a 400 that says what is wrong, and writes nothing", async () => {
    await put({ account: 5 });
    const before = await h.store.accounts.get(h.orgA.id);
    const cases: [unknown, string][] = [
      [{ repositories: [{ pattern: "api-[ab", credits: 1 }] }, "body.repositories.0.pattern"],
      [{ repositories: [{ pattern: "acme/api", credits: 1 }] }, "body.repositories.0.pattern"],
      [
        {
          repositories: [
            { pattern: "api", credits: 1 },
            { pattern: "API", credits: 1 },
          ],
        },
        "body.repositories.1.pattern",
      ],
      [{ authors: [{ login: "not a login", credits: 1 }] }, "body.authors.0.login"],
      [{ account: -1 }, "body.account"],
      [{ account: 1.5 }, "body.account"],
      [{ account: { $gt: 0 } }, "body.account"],
      [{ pullRequestRuns: 0 }, "body.pullRequestRuns"],
      [{ warnAtPercent: 101 }, "body.warnAtPercent"],
      [{ acount: 5 }, "body"],
    ];
    for (const [body, path] of cases) {
      const res = await put(body);
      expect([body, res.statusCode]).toEqual([body, 400]);
      const { error } = res.json();
      expect(error.code).toBe("invalid_request");
      expect(error.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(error.message).toContain(path);
    }
    for (const body of [null, []]) expect((await put(body)).statusCode).toBe(400);
    // Not JSON at all: refused by content type before any parsing.
    expect((await put("account=5")).statusCode).toBe(415);
    expect(await h.store.accounts.get(h.orgA.id)).toEqual(before);
    expect(await budgetAudit()).toHaveLength(1);
  });

  it("lets any key of the org read, and only an admin's GitHub token change", async () => {
    expect((await get(MEMBER_A)).statusCode).toBe(404);
    const writeKey = await h.addKey(h.orgA, "write");
    for (const token of [h.keyA, writeKey]) {
      const res = await put({ account: 1000 }, token);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe("github_token_required");
    }
    // A member who is not an admin is refused like a stranger: the org is not theirs to see.
    expect((await put({ account: 1000 }, MEMBER_A)).statusCode).toBe(404);
    expect((await h.store.accounts.get(h.orgA.id))!.budgets).toEqual(NO_BUDGETS);
    expect(await budgetAudit()).toEqual([]);
  });

  it("keeps organizations apart: one org's credentials never read or change another's", async () => {
    await h.store.accounts.setBudgets(h.orgB.id, { ...NO_BUDGETS, account: 7 });
    expect((await get(h.keyA, "Globex")).statusCode).toBe(404);
    expect((await get(ADMIN_A, "Globex")).statusCode).toBe(404);
    expect((await put({ account: 1 }, ADMIN_A, "Globex")).statusCode).toBe(404);
    expect((await put({ account: 1 }, h.keyA, "Globex")).statusCode).toBe(404);
    expect((await get(h.keyA, "no-such-org")).statusCode).toBe(404);
    expect((await h.store.accounts.get(h.orgB.id))!.budgets.account).toBe(7);
    expect((await get(h.keyB, "Globex")).json().rules.account).toBe(7);
    expect((await get(h.keyA)).json().rules.account).toBeNull();
  });
});
