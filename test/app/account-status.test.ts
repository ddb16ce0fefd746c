import { describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture, pullRequestEvent } from "../support/github.js";
import { useGitHubApi } from "../support/github-api.js";
import {
  closeHarnesses,
  createApiHarness,
  createHarness,
  type Harness,
} from "../support/harness.js";

/**
 * A suspended or removed installation: nothing reviewed, nothing charged, comments ignored;
 * the account and its ledger stay, readable through the billing API.
 */
const acme = toAccountId(9001);
const installation = (action: string) => ({ ...fixture("installation.created"), action });
let nextComment = 1;
const comment = (body: string) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 600_000 + nextComment++, body } };
};
const opened = (number: number) => pullRequestEvent("opened", number);

describe("suspended and uninstalled accounts", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 10 });
  const runs = (n: number) => h.store.runs.listForPullRequest(acme, 501, n, 10);

  it.each(["suspend", "deleted"])(
    "after installation.%s: no review, no charge, chat and commands ignored",
    async (action) => {
      h = await createHarness();
      expect(await h.deliver("installation", installation("created"))).toBe(202);
      expect(await h.deliver("installation", installation(action))).toBe(202);
      expect((await h.store.accounts.get(acme))?.status).toBe(
        action === "suspend" ? "suspended" : "uninstalled",
      );

      for (const n of [12, 13]) expect(await h.deliver("pull_request", opened(n))).toBe(202);
      for (const body of ["/jasper review", "/jasper credits", "/jasper help", "@jasper hi"]) {
        expect(await h.deliver("issue_comment", comment(body))).toBe(202);
      }
      expect(await runs(12)).toEqual([]);
      expect(await runs(13)).toEqual([]);
      expect(await usage()).toEqual([]);
      expect(await h.pendingJobs()).toBe(0);
      expect((await h.ledger.summary(acme)).balance).toBe(3);
    },
  );

  it("reviews again once the installation is back", async () => {
    h = await createHarness();
    await h.deliver("installation", installation("created"));
    await h.deliver("installation", installation("suspend"));
    await h.deliver("pull_request", opened(12));
    await h.deliver("installation", installation("unsuspend"));
    await h.deliver("pull_request", opened(12));
    expect((await runs(12)).map((r) => r.status)).toEqual(["queued"]);
    expect(await usage()).toHaveLength(1);
  });
});

describe("the billing API of an inactive account", () => {
  it.each(["suspended", "uninstalled"] as const)("stays readable when %s", async (status) => {
    const h = await createApiHarness();
    try {
      await h.store.accounts.setStatus(h.orgA.id, status);
      const summary = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing",
        headers: h.auth(h.keyA),
      });
      expect(summary.statusCode).toBe(200);
      expect(summary.json()).toMatchObject({ organization: "Acme-Corp", balance: 3 });
      const transactions = await h.server.inject({
        method: "GET",
        url: "/api/v1/organizations/Acme-Corp/billing/transactions",
        headers: h.auth(h.keyA),
      });
      expect(transactions.statusCode).toBe(200);
    } finally {
      await closeHarnesses();
    }
  });
});
