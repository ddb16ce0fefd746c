import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture, pullRequestEvent, signedDelivery } from "../support/github.js";
import { createHarness, type Harness } from "../support/harness.js";
import { captureLog, type CapturedLog } from "../support/log-capture.js";

/**
 * A repository event is handled with its installation's token and charged to the
 * repository's owner: the two must be one account. An event naming acme's repository with
 * another account's installation is refused before anything is claimed, charged or asked of
 * GitHub (nock lets no request out), and logged.
 */
const acme = toAccountId(9001);
const globex = toAccountId(9002);
const ACME_INSTALLATION = 4242;
const GLOBEX_INSTALLATION = 5353;

const installed = (installationId: number, id: number, login: string) => {
  const created = fixture("installation.created") as { installation: Record<string, unknown> };
  const account = created.installation.account as Record<string, unknown>;
  return {
    ...created,
    installation: {
      ...created.installation,
      id: installationId,
      account: { ...account, id, login },
    },
  };
};

const withInstallation = (payload: Record<string, unknown>, id: number) => ({
  ...payload,
  installation: { id },
});

describe("an installation is its repository owner's", () => {
  let h: Harness;
  let logs: CapturedLog;
  beforeEach(async () => {
    nock.disableNetConnect();
    logs = captureLog("info");
    h = await createHarness({ log: logs.log });
    for (const [installationId, id, login] of [
      [ACME_INSTALLATION, acme, "Acme-Corp"],
      [GLOBEX_INSTALLATION, globex, "Globex"],
    ] as const) {
      expect(await h.deliver("installation", installed(installationId, id, login))).toBe(202);
    }
  });
  afterEach(async () => {
    expect(nock.pendingMocks()).toStrictEqual([]);
    nock.cleanAll();
    nock.enableNetConnect();
    await h.close();
  });

  const refusedLine = () =>
    logs
      .text()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => String(l.msg).includes("installation"));

  it("refuses a pull request of acme's repository under globex's installation: no review, no charge, logged", async () => {
    const event = withInstallation(pullRequestEvent("opened"), GLOBEX_INSTALLATION);
    const delivery = signedDelivery("pull_request", event);
    const res = await h.server.inject(delivery);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: "installation_mismatch", message: expect.any(String) },
    });
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);
    expect(await h.store.ledger.list(acme, { types: ["usage"], limit: 10 })).toEqual([]);
    expect(await h.store.ledger.list(globex, { types: ["usage"], limit: 10 })).toEqual([]);
    expect(await h.pendingJobs()).toBe(0);
    const line = refusedLine();
    expect(line).toMatchObject({
      level: 40,
      delivery: delivery.headers["x-github-delivery"],
      event: "pull_request",
      installation: GLOBEX_INSTALLATION,
      owner: { id: acme, login: "Acme-Corp" },
      installationAccount: globex,
    });
    // The payload itself is not logged.
    expect(logs.text()).not.toContain("Acme-Corp/widgets/pull/12");
  });

  it("refuses a comment on acme's pull request under globex's installation", async () => {
    const event = withInstallation(
      fixture("issue_comment.created") as Record<string, unknown>,
      GLOBEX_INSTALLATION,
    );
    const res = await h.server.inject(signedDelivery("issue_comment", event));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("installation_mismatch");
    expect(await h.pendingJobs()).toBe(0);
  });

  it("refuses an installation that is not the one acme's account holds", async () => {
    const event = withInstallation(pullRequestEvent("opened"), 777);
    const res = await h.server.inject(signedDelivery("pull_request", event));
    expect(res.statusCode).toBe(400);
    expect(await h.store.runs.listForPullRequest(acme, 501, 12, 10)).toEqual([]);
  });

  it("keeps the installation each installation event names", async () => {
    expect((await h.store.accounts.findByInstallation(ACME_INSTALLATION))?.id).toBe(acme);
    expect((await h.store.accounts.findByInstallation(GLOBEX_INSTALLATION))?.id).toBe(globex);
    expect(await h.store.accounts.findByInstallation(777)).toBeNull();
  });
});
