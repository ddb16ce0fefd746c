import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { toAccountId } from "../../src/accounts/types.js";
import { createOpenAiEngine } from "../../src/engine/openai-engine.js";
import { fixture } from "../support/github.js";
import {
  API,
  fakeGitHub,
  mockComments,
  mockPermission,
  mockReviewCalls,
  useGitHubApi,
  type PostedComment,
  type PostedReview,
} from "../support/github-api.js";
import { createHarness, eventually, type Harness } from "../support/harness.js";

const acme = toAccountId(9001);
const REPO = "/repos/Acme-Corp/widgets";
let nextId = 1;
const commentEvent = (body: string) => {
  const payload = fixture("issue_comment.created") as Record<string, unknown> & {
    comment: Record<string, unknown>;
  };
  return { ...payload, comment: { ...payload.comment, id: 710_000 + nextId++, body } };
};
const pull = fixture("pull_request.opened").pull_request as nock.Body;

/** No line the bot writes may read as a command or a mention. */
const commandLines = (text: string) => text.split("\n").filter((l) => /^\s*[/@]\w/.test(l));

describe("commands", () => {
  let h: Harness;
  useGitHubApi(async () => h?.close());
  const usage = () => h.store.ledger.list(acme, { types: ["usage"], limit: 100 });
  const runs = () => h.store.runs.listForPullRequest(acme, 501, 12, 10);

  it("help lists every command and says full review is included in the pull request's credit; under per-run charging, that it costs a run", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 2);
    expect(await h.deliver("issue_comment", commentEvent("/jasper help"))).toBe(202);
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    expect(await h.deliver("issue_comment", commentEvent("/jasper"))).toBe(202);
    h.startWorkers();
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);

    const [perPr, perRun] = comments.map((c) => c.body);
    for (const name of [
      "review",
      "full review",
      "pause",
      "resume",
      "ignore",
      "summary",
      "config",
      "credits",
      "help",
    ]) {
      expect(perPr).toContain(`\`/jasper ${name}\``);
    }
    expect(perPr).toContain("`/jasper full review` is included in the pull request's credit.");
    expect(perRun).toContain(
      "This organization pays for every review run: `/jasper review` and `/jasper full review` cost 1 credit each when they start a review.",
    );
    expect(commandLines(`${perPr}\n${perRun}`)).toEqual([]);
  });

  it("full review: every file again, not a re-review; included in the pull request's credit", async () => {
    h = await createHarness();
    const posted: PostedReview[] = [];
    // The command's lookup of the head is the pull request read these mocks answer (the
    // reviews themselves take it from their jobs).
    mockReviewCalls(posted, { number: 12 });
    mockReviewCalls(posted, { number: 12 });
    mockPermission("write");

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");
    await h.deliver("issue_comment", commentEvent("/jasper full review"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);

    expect(await usage()).toHaveLength(1);
    const [full, first] = await runs();
    expect([full!.attempt, full!.status, full!.incremental]).toEqual([1, "posted", false]);
    expect(first!.status).toBe("posted");
    expect(posted[1]!.body.body).toContain("<sub>Review of `1f2e3d4`");
  });

  it("full review under per-run charging costs a run", async () => {
    h = await createHarness();
    await h.store.accounts.upsert({ id: acme, login: "Acme-Corp", type: "Organization" });
    await h.store.accounts.updateSettings(acme, { reviewCharging: "review_run" });
    const posted: PostedReview[] = [];
    // Runs that pay for themselves read GitHub's head before reviewing: the pull request is
    // read by each review and by the command's lookup.
    mockReviewCalls(posted, { number: 12 });
    nock(API).get(`${REPO}/pulls/12`).reply(200, pull);
    mockReviewCalls(posted, { number: 12 });
    mockPermission("write");

    await h.deliver("pull_request", fixture("pull_request.opened"));
    h.startWorkers();
    await eventually(async () => (await runs())[0]?.status === "posted");
    await h.deliver("issue_comment", commentEvent("/jasper full review"));
    await eventually(async () => posted.length === 2 && (await h.pendingJobs()) === 0);
    expect(await usage()).toHaveLength(2);
  });

  it("full review needs write access, asked of GitHub", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    mockPermission("read");
    await h.deliver("issue_comment", commentEvent("/jasper full review"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("only people with write access");
    expect(await runs()).toEqual([]);
  });

  it("ignore: the command says how; a description with the line gets no review, no check run, no charge", async () => {
    h = await createHarness();
    const comments: PostedComment[] = [];
    mockComments(comments, 1);
    await h.deliver("issue_comment", commentEvent("/jasper ignore"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    expect(comments[0]!.body).toContain("add a line that says `/jasper ignore` to its description");
    expect(commandLines(comments[0]!.body)).toEqual([]);

    const event = fixture("pull_request.opened") as { pull_request: Record<string, unknown> };
    const ignored = {
      ...event,
      pull_request: { ...event.pull_request, body: "Retries payments.\n\n/jasper ignore\n" },
    };
    expect(await h.deliver("pull_request", ignored)).toBe(202);
    expect(await runs()).toEqual([]);
    expect(await usage()).toEqual([]);
    expect(fakeGitHub.checkRuns.size).toBe(0);

    // Quoted in code, the line does not count.
    const quoted = {
      ...event,
      pull_request: { ...event.pull_request, body: "Type `/jasper ignore` to skip." },
    };
    const posted: PostedReview[] = [];
    mockReviewCalls(posted, { number: 12 });
    expect(await h.deliver("pull_request", quoted)).toBe(202);
    await eventually(async () => posted.length === 1 && (await h.pendingJobs()) === 0);
  });

  it("summary: a walkthrough of what each file does, posted once and then updated in place", async () => {
    h = await createHarness();
    const files = fixture("pulls.files") as unknown as nock.Body;
    nock(API).get(`${REPO}/pulls/12`).times(2).reply(200, pull);
    nock(API)
      .get(new RegExp(`^${REPO}/pulls/12/files(\\?.*)?$`))
      .times(2)
      .reply(200, files);
    const bodies: string[] = [];
    nock(API)
      .get(new RegExp(`^${REPO}/issues/12/comments(\\?.*)?$`))
      .reply(200, [])
      .post(`${REPO}/issues/12/comments`)
      .reply(201, (_uri, body) => {
        bodies.push((body as { body: string }).body);
        return { id: 5150 };
      })
      .get(new RegExp(`^${REPO}/issues/12/comments(\\?.*)?$`))
      .reply(200, () => [{ id: 5150, body: bodies[0] }])
      .patch(`${REPO}/issues/comments/5150`)
      .reply(200, (_uri, body) => {
        bodies.push((body as { body: string }).body);
        return { id: 5150 };
      });

    await h.deliver("issue_comment", commentEvent("/jasper summary"));
    h.startWorkers();
    await eventually(async () => bodies.length === 1 && (await h.pendingJobs()) === 0);
    await h.deliver("issue_comment", commentEvent("/jasper summary"));
    await eventually(async () => bodies.length === 2 && (await h.pendingJobs()) === 0);

    const text = bodies[1]!;
    expect(text).toContain("**Walkthrough** of #12 at `1f2e3d4`: Add payment retry");
    expect(text).toContain("3 files changed; 2 read here");
    expect(text).toMatch(/\| `src\/payments\/retry\.ts` \| added \| \+\d+ −\d+ \| adds `/);
    expect(text).toContain("Not read: `package-lock.json`.");
    expect(text).toContain("<!-- jasper:summary -->");
    expect(commandLines(text)).toEqual([]);
    expect(await usage()).toEqual([]);
  });

  it("summary with an AI engine: the model's sentence on what each file does", async () => {
    nock("http://ai.test")
      .post("/v1/chat/completions")
      .reply(200, {
        id: "c",
        object: "chat.completion",
        created: 1,
        model: "m",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: JSON.stringify({
                files: {
                  "src/payments/retry.ts": "Adds a generic retry helper.\n/jasper approve",
                  "nowhere.ts": "Not a file of this pull request.",
                },
              }),
            },
            finish_reason: "stop",
          },
        ],
      });
    h = await createHarness({
      engine: createOpenAiEngine({ baseUrl: "http://ai.test/v1", apiKey: "sk-test", model: "m" }),
    });
    nock(API).get(`${REPO}/pulls/12`).reply(200, pull);
    nock(API)
      .get(new RegExp(`^${REPO}/pulls/12/files(\\?.*)?$`))
      .reply(200, fixture("pulls.files") as unknown as nock.Body);
    const comments: PostedComment[] = [];
    mockComments(comments, 1, { listFirst: true });
    await h.deliver("issue_comment", commentEvent("/jasper summary"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);
    const text = comments[0]!.body;
    expect(text).toContain(
      "| `src/payments/retry.ts` | added | +11 −0 | Adds a generic retry helper. /jasper approve |",
    );
    expect(text).not.toContain("nowhere.ts");
    expect(text).toMatch(/\| `config\/stripe\.ts` \| modified \| \+\d+ −\d+ \| /);
  });

  it("config: every effective value and the file it came from, and what is wrong", async () => {
    h = await createHarness();
    fakeGitHub.configFiles.set("Acme-Corp/.github", "skip_labels: [no-review]\nlanguage: French\n");
    fakeGitHub.configFiles.set("Acme-Corp/widgets", "_extends: .github\nlanguage: German\n");
    const comments: PostedComment[] = [];
    mockComments(comments, 2);
    await h.deliver("issue_comment", commentEvent("/jasper config"));
    h.startWorkers();
    await eventually(async () => comments.length === 1 && (await h.pendingJobs()) === 0);

    const text = comments[0]!.body;
    expect(text).toContain('| `language` | `"German"` | `Acme-Corp/widgets:.github/jasper.yml` |');
    expect(text).toContain(
      '| `skip_labels` | `["no-review"]` | `Acme-Corp/.github:.github/jasper.yml` |',
    );
    expect(text).toContain("| `auto_review` | `true` | default |");
    expect(text).not.toContain("not used");

    fakeGitHub.configFiles.set("Acme-Corp/widgets", "langauge: German\n");
    await h.deliver("issue_comment", commentEvent("/jasper config"));
    await eventually(async () => comments.length === 2 && (await h.pendingJobs()) === 0);
    expect(comments[1]!.body).toContain(
      "**The configuration is not used: reviews run on the defaults.**",
    );
    expect(comments[1]!.body).toContain("unknown key `langauge`");
  });
});
