import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { fixture } from "../support/github.js";
import {
  API,
  mockComments,
  mockPermission,
  useGitHubApi,
  type PostedComment,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

/**
 * Who may give the bot commands: people with write access to the repository. The comment's
 * author_association is the first filter; commands that spend credits or change how a pull
 * request is reviewed (and the balance) are checked with GitHub as well.
 */
const acme = toAccountId(9001);
let nextId = 1;
const comment = (body: string, association: string, login = "passer-by") => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown> & { user: Record<string, unknown> };
  };
  return {
    ...payload,
    repository: { ...(payload.repository as object), private: false },
    comment: {
      ...payload.comment,
      id: 900_000 + nextId++,
      body,
      author_association: association,
      user: { ...payload.comment.user, login },
    },
  };
};
const REFUSAL = "only people with write access to this repository";

describe("commands and chat by access to the repository", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 10 });
  const runs = () => h.store.runs.listForPullRequest(acme, 501, 12, 10);

  it("refuses every command from outside the repository, once each, asking GitHub nothing", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    // Every run charged: a `/jasper review` that got through would cost a credit.
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    await h.ledger.ensureFreeTier(acme);
    const comments: PostedComment[] = [];
    mockComments(comments, 5);

    const commands = ["review", "pause", "credits", "help", "frobnicate"];
    for (const [i, name] of commands.entries()) {
      const association = ["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR"][i % 3]!;
      expect(await h.deliver("issue_comment", comment(`/jasper ${name}`, association))).toBe(202);
    }
    h.startWorkers();
    await eventually(async () => comments.length === 5 && (await h.pendingJobs()) === 0);

    for (const c of comments) expect(c.body).toContain(REFUSAL);
    const text = comments.map((c) => c.body).join("\n");
    expect(text).toContain("`/jasper review`");
    expect(text).not.toContain("Credit balance"); // the balance stays the org's
    expect(text.split("\n").filter((line) => /^\s*[/@]/.test(line))).toEqual([]);
    expect(await usage()).toEqual([]);
    expect(await runs()).toEqual([]);
    expect((await h.store.pullRequests.get(acme, 501, 12)).autoReviewPaused).toBe(false);
  });

  it("asks GitHub for review, pause, resume and credits, and refuses a member who may only read", async () => {
    h = await createHarness();
    await h.ledger.ensureFreeTier(acme);
    const comments: PostedComment[] = [];
    mockComments(comments, 5);
    mockPermission("read", { login: "reader", times: 4 });
    nock(API)
      .get("/repos/Acme-Corp/widgets/collaborators/gone/permission")
      .reply(404, { message: "Not Found" });

    for (const name of ["review", "pause", "resume", "credits"]) {
      expect(await h.deliver("issue_comment", comment(`/jasper ${name}`, "MEMBER", "reader"))).toBe(
        202,
      );
    }
    // Access removed since (GitHub no longer knows them on the repository).
    expect(await h.deliver("issue_comment", comment("/jasper pause", "COLLABORATOR", "gone"))).toBe(
      202,
    );
    h.startWorkers();
    await eventually(async () => comments.length === 5 && (await h.pendingJobs()) === 0);

    for (const c of comments) expect(c.body).toContain(REFUSAL);
    expect((await h.store.pullRequests.get(acme, 501, 12)).autoReviewPaused).toBe(false);
    expect(await usage()).toEqual([]);
    expect(await runs()).toEqual([]);
  });

  it("takes commands from people GitHub says may write (maintain, admin), help on the association alone", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 3);
    mockPermission("maintain", { login: "maintainer" });
    mockPermission("admin", { login: "owner" });

    await h.deliver("issue_comment", comment("/jasper pause", "MEMBER", "maintainer"));
    expect((await h.store.pullRequests.get(acme, 501, 12)).autoReviewPaused).toBe(true);
    await h.deliver("issue_comment", comment("/jasper resume", "OWNER", "owner"));
    expect((await h.store.pullRequests.get(acme, 501, 12)).autoReviewPaused).toBe(false);
    await h.deliver("issue_comment", comment("/jasper help", "COLLABORATOR", "helper"));

    h.startWorkers();
    await eventually(async () => comments.length === 3 && (await h.pendingJobs()) === 0);
    expect(comments.map((c) => c.body).join("\n")).not.toContain(REFUSAL);
  });

  it("ignores chat from outside the repository unless the account allows it", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    const comments: PostedComment[] = [];
    mockComments(comments, 2);

    expect(await h.deliver("issue_comment", comment("@jasper what is this?", "NONE"))).toBe(202);
    expect(await h.pendingJobs()).toBe(0); // no answer, no refusal

    await h.store.accounts.updateSettings(acme, { chatFromNonWriters: true });
    expect(await h.deliver("issue_comment", comment("@jasper what is this?", "NONE"))).toBe(202);
    // Members chat as before, whatever the setting.
    await h.store.accounts.updateSettings(acme, { chatFromNonWriters: false });
    expect(await h.deliver("issue_comment", comment("@jasper and this?", "MEMBER", "dev"))).toBe(
      202,
    );
    h.startWorkers();
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
    expect(comments.map((c) => c.body.split(" ")[0]).sort()).toEqual(["@dev", "@passer-by"]);
  });
});
