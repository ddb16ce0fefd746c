import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import type { GitHubAuth } from "../../src/api/auth/github-auth.js";
import { fixture, signedDelivery } from "../support/github.js";
import { createHarness, type Harness } from "../support/harness.js";

describe("installation webhooks", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  let harness: Harness;
  const setup = async () => {
    harness = await createHarness();
    return { store: harness.store, ledger: harness.jasper.ledger, server: harness.server };
  };
  afterEach(() => harness.close());
  const acme = toAccountId(9001);

  it("opens the account with this month's free tier at once, once however often delivered", async () => {
    const { store, ledger } = await setup();
    const created = fixture("installation.created");
    for (let i = 0; i < 3; i++) {
      expect(await harness.deliver("installation", created)).toBe(202);
    }
    expect(await store.accounts.get(acme)).toMatchObject({ login: "Acme-Corp", status: "active" });
    expect((await store.accounts.findByLogin("acme-corp"))?.id).toBe(acme);
    const summary = await ledger.summary(acme);
    expect(summary).toMatchObject({
      balance: 3,
      buckets: { free: 3, plan: 0, bonus: 0, purchased: 0 },
    });
    expect(await store.ledger.list(acme, { limit: 10 })).toHaveLength(1);
  });

  it("marks an uninstalled account and keeps its ledger; reinstalling reactivates it", async () => {
    const { store, ledger } = await setup();
    await harness.deliver("installation", fixture("installation.created"));
    await harness.deliver("installation", fixture("installation.deleted"));
    expect((await store.accounts.get(acme))?.status).toBe("uninstalled");
    expect((await ledger.summary(acme)).balance).toBe(3);

    await harness.deliver("installation", fixture("installation.created"));
    expect((await store.accounts.get(acme))?.status).toBe("active");
    expect(await store.ledger.list(acme, { limit: 10 })).toHaveLength(1);
  });

  it("refuses a delivery with a bad signature and changes nothing", async () => {
    const { store, server } = await setup();
    const res = await server.inject(
      signedDelivery("installation", fixture("installation.created"), "wrong-secret"),
    );
    expect(res.statusCode).toBe(400);
    expect(await store.accounts.get(acme)).toBeNull();
  });

  it("answers health checks", async () => {
    const { server } = await setup();
    const res = await server.inject({ method: "GET", url: "/healthz" });
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("answers under an organization's new name at once when it is renamed, and no longer under the old one", async () => {
    const { store, ledger, server } = await setup();
    await harness.deliver("installation", fixture("installation.created"));
    await ledger.grant(acme, {
      type: "purchase",
      amount: 40,
      description: "credits",
      idempotencyKey: "buy-40",
    });
    // GitHub's installation_target.renamed, as @octokit/openapi-webhooks-types describes it.
    const renamed = {
      action: "renamed",
      account: {
        id: 9001,
        login: "Acme-Industries",
        node_id: "O_kgDOA",
        avatar_url: "https://avatars.githubusercontent.com/u/9001?v=4",
        html_url: "https://github.com/Acme-Industries",
        type: "Organization",
      },
      changes: { login: { from: "Acme-Corp" } },
      installation: { id: 4242, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" },
      sender: { login: "octo-admin", id: 5, type: "User" },
      target_type: "Organization",
    };
    expect(await harness.deliver("installation_target", renamed)).toBe(202);
    expect(await store.accounts.get(acme)).toMatchObject({
      login: "Acme-Industries",
      status: "active",
      installationId: 4242,
    });
    // The dashboard and the API, with an admin's GitHub token: the new name, the same balance.
    const billing = (org: string) =>
      server.inject({
        method: "GET",
        url: `/api/v1/organizations/${org}/billing`,
        headers: { authorization: `Bearer admin-${org}` },
      });
    const now = await billing("Acme-Industries");
    expect(now.statusCode).toBe(200);
    expect(now.json()).toMatchObject({ organization: "Acme-Industries", balance: 43 });
    // GitHub may give the old name to another organization: it answers nothing of acme's.
    expect((await billing("Acme-Corp")).statusCode).toBe(404);
    // Delivered again: nothing changes.
    expect(await harness.deliver("installation_target", renamed)).toBe(202);
    expect((await ledger.summary(acme)).balance).toBe(43);
  });

  it("finds an account by its GitHub id when its admin signs in after a rename Jasper missed", async () => {
    // GitHub's word: the user administers installation 9001, called Acme-Industries now.
    const github: GitHubAuth = {
      identify: async () => ({ id: 5, login: "octo-admin" }),
      installations: async () => [
        { id: acme, login: "Acme-Industries", type: "Organization" as const },
      ],
      canAdminister: async (_token, account) => account.id === acme,
    };
    harness = await createHarness({ github });
    await harness.deliver("installation", fixture("installation.created"));
    const me = await harness.server.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: "Bearer gho_token" },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().accounts).toEqual([{ login: "Acme-Industries", type: "Organization" }]);
    expect((await harness.store.accounts.get(acme))?.login).toBe("Acme-Industries");
    expect(await harness.store.accounts.findByLogin("Acme-Corp")).toBeNull();
  });

  it("ignores a renamed installation target without a login (an enterprise)", async () => {
    const { store } = await setup();
    await harness.deliver("installation", fixture("installation.created"));
    const enterprise = {
      action: "renamed",
      account: { id: 9001, slug: "acme-enterprise", node_id: "E_1", html_url: "https://x.test" },
      changes: { slug: { from: "acme" } },
      installation: { id: 4242 },
      target_type: "Enterprise",
    };
    expect(await harness.deliver("installation_target", enterprise)).toBe(202);
    expect((await store.accounts.get(acme))?.login).toBe("Acme-Corp");
  });

  it("opens an account it never saw from installation_repositories, with its free tier", async () => {
    const { store, ledger } = await setup();
    const event = { ...fixture("installation.created"), action: "added", repositories_added: [] };
    expect(await harness.deliver("installation_repositories", event)).toBe(202);
    expect(await store.accounts.get(acme)).toMatchObject({ login: "Acme-Corp" });
    expect((await ledger.summary(acme)).buckets.free).toBe(3);
  });
});
