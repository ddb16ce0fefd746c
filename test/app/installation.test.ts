import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
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
    const { store, ledger, server } = await setup();
    const created = fixture("installation.created");
    for (let i = 0; i < 3; i++) {
      const res = await server.inject(signedDelivery("installation", created));
      expect(res.statusCode).toBe(200);
    }
    expect(await store.accounts.get(acme)).toMatchObject({ login: "Acme-Corp", status: "active" });
    expect((await store.accounts.findByLogin("acme-corp"))?.id).toBe(acme);
    const summary = await ledger.summary(acme);
    expect(summary).toMatchObject({ balance: 3, buckets: { free: 3, bonus: 0, purchased: 0 } });
    expect(await store.ledger.list(acme, { limit: 10 })).toHaveLength(1);
  });

  it("marks an uninstalled account and keeps its ledger; reinstalling reactivates it", async () => {
    const { store, ledger, server } = await setup();
    await server.inject(signedDelivery("installation", fixture("installation.created")));
    await server.inject(signedDelivery("installation", fixture("installation.deleted")));
    expect((await store.accounts.get(acme))?.status).toBe("uninstalled");
    expect((await ledger.summary(acme)).balance).toBe(3);

    await server.inject(signedDelivery("installation", fixture("installation.created")));
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

  it("opens an account it never saw from installation_repositories, with its free tier", async () => {
    const { store, ledger, server } = await setup();
    const event = { ...fixture("installation.created"), action: "added", repositories_added: [] };
    expect(
      (await server.inject(signedDelivery("installation_repositories", event))).statusCode,
    ).toBe(200);
    expect(await store.accounts.get(acme)).toMatchObject({ login: "Acme-Corp" });
    expect((await ledger.summary(acme)).buckets.free).toBe(3);
  });
});
