import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import type { ChangedFile, ReviewRequest, ReviewResult } from "../../src/engine/engine.js";
import { addedLines } from "../../src/engine/parse-patch.js";
import { prepareDiff } from "../../src/engine/prepare-diff.js";
import { createRuleBasedEngine } from "../../src/engine/rule-based-engine.js";

function diffFixture(name: string): ChangedFile[] {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/diffs/${name}.json`, import.meta.url), "utf8"),
  );
}

function request(files: ChangedFile[]): ReviewRequest {
  return {
    repository: "acme/uploads",
    number: 42,
    title: "Upload to S3",
    body: "",
    headSha: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    incremental: false,
    diff: prepareDiff(files),
  };
}

/** Every line of everything the engine would post. */
function postedLines(result: ReviewResult): string[] {
  return [result.summary, ...result.comments.map((c) => c.body)].flatMap((t) => t.split("\n"));
}

const COMMAND_OR_MENTION_LINE = /^\s*[/@]/;
const FIXTURE_AWS_KEY = "AKIAZ3JASPERFIXTURE9";

describe("rule-based engine", () => {
  const engine = createRuleBasedEngine();

  it("is named rules", () => {
    expect(engine.name).toBe("rules");
  });

  it("comments on a leaked key, a conflict and a console.log, most severe first", async () => {
    const result = await engine.review(request(diffFixture("mixed-problems")));
    expect(result.comments.map((c) => `${c.path}:${c.line}`)).toEqual([
      "config/aws.js:4",
      "src/merge-utils.ts:21",
      "src/merge-utils.ts:23",
      "src/merge-utils.ts:25",
      "src/server.ts:15",
    ]);
    expect(result.comments[0]?.body).toMatch(/^\*\*High · possible secret\*\*: .*AKIA…/);
    expect(result.comments[1]?.body).toMatch(/^\*\*High · conflict marker\*\*: /);
    expect(result.comments[4]?.body).toMatch(/^\*\*Low · debug leftover\*\*: .*console\.log/);

    expect(result.summary.split("\n")[0]).toBe(
      "**Found 5 possible problems, 4 of high severity**: please look at those before merging.",
    );
    expect(result.summary).toContain("High: 4 · Medium: 0 · Low: 1");
    expect(result.summary).toContain("**`config/aws.js`**\n- line 4 · High · possible secret");
    expect(result.summary).toContain("AI_BASE_URL");
    expect(result.summary).toMatch(/built-in rule-based reviewer/);
  });

  it("comments only on lines the pull request adds", async () => {
    const files = diffFixture("mixed-problems");
    const result = await engine.review(request(files));
    expect(result.comments.length).toBeGreaterThan(0);
    for (const comment of result.comments) {
      const patch = files.find((f) => f.filename === comment.path)?.patch ?? "";
      expect(addedLines(patch).map((a) => a.line)).toContain(comment.line);
    }
  });

  it("never posts the whole secret", async () => {
    const result = await engine.review(request(diffFixture("mixed-problems")));
    const posted = postedLines(result).join("\n");
    expect(posted).toContain("AKIA…");
    expect(posted).not.toContain(FIXTURE_AWS_KEY.slice(0, 5));
  });

  it("leaves the files it did not review to the caller", async () => {
    const req = request(diffFixture("mixed-problems"));
    expect(req.diff.skipped.map((s) => s.filename)).toEqual([
      "package-lock.json",
      "assets/logo.png",
    ]);
    const result = await engine.review(req);
    expect(result.summary).not.toMatch(/package-lock|logo\.png|skipped|left out/i);
    // README.md's "=======" is a heading underline, and its TODO is prose: no comment there.
    expect(result.comments.map((c) => c.path)).not.toContain("README.md");
  });

  it("gives the clean verdict and no comments on a clean diff", async () => {
    const result = await engine.review(request(diffFixture("clean")));
    expect(result.comments).toEqual([]);
    expect(result.summary.split("\n")[0]).toBe("No problems found by the built-in checks.");
    expect(result.summary).not.toMatch(/High:|Large pull request|old-billing/);
  });

  it("comments once per line and rule, and at most 30 times, highest severity first", async () => {
    // 40 console.logs (low) and, late in the file, 3 lines that turn off TLS twice each (high).
    const added = [
      ...Array.from({ length: 40 }, (_, i) => `  console.log("step ${i}");`),
      ...Array.from(
        { length: 3 },
        () =>
          '  const o = { rejectUnauthorized: false }; process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";',
      ),
    ];
    const patch = [`@@ -0,0 +1,${added.length} @@`, ...added.map((l) => `+${l}`)].join("\n");
    const file: ChangedFile = {
      filename: "src/pipeline.ts",
      status: "added",
      additions: added.length,
      deletions: 0,
      patch,
    };
    const result = await engine.review(request([file]));

    expect(result.comments).toHaveLength(30);
    expect(result.comments.slice(0, 3).map((c) => c.line)).toEqual([41, 42, 43]);
    expect(
      result.comments
        .slice(0, 3)
        .every((c) => c.body.startsWith("**High · TLS verification off**")),
    ).toBe(true);
    expect(result.comments.slice(3).map((c) => c.line)).toEqual(
      Array.from({ length: 27 }, (_, i) => i + 1),
    );
    expect(result.summary).toContain("High: 3 · Medium: 0 · Low: 40");
  });

  it("keeps the more severe finding when two checks of one rule hit the same line", async () => {
    const patch =
      "@@ -1,1 +1,3 @@\n export function step(state: State) {\n+  console.log(state); debugger;\n+  console.log(state);";
    const file: ChangedFile = {
      filename: "src/step.ts",
      status: "modified",
      additions: 2,
      deletions: 0,
      patch,
    };
    const result = await engine.review(request([file]));
    expect(result.comments.map((c) => `${c.line}:${c.body.split(":")[0]}`)).toEqual([
      "2:**Medium · debug leftover**",
      "3:**Low · debug leftover**",
    ]);
    expect(result.summary).toContain("- line 2 · Medium · debug leftover");
    expect(result.summary).not.toContain("- line 2 · Low");
  });

  it("lists findings in the summary by file, lines ascending", async () => {
    const added = ["  // TODO: remove", `  const key = "${FIXTURE_AWS_KEY}";`];
    const patch = [`@@ -0,0 +1,2 @@`, ...added.map((l) => `+${l}`)].join("\n");
    const file: ChangedFile = {
      filename: "src/keys.ts",
      status: "added",
      additions: 2,
      deletions: 0,
      patch,
    };
    const result = await engine.review(request([file]));
    expect(result.comments.map((c) => c.line)).toEqual([2, 1]);
    expect(result.summary).toMatch(/- line 1 · Low · todo.*\n- line 2 · High · possible secret/);
  });

  it("posts no low-confidence finding, and counts them in the summary by rule", async () => {
    // Vue keeps the line checks (its markup is not JavaScript): they may match text, so low.
    const vue = ["<script>", "  el.innerHTML = note;", "</script>"];
    // A credential's name with a value that is only just random enough.
    const yaml = ["  password: hunter22"];
    const file = (filename: string, added: string[]): ChangedFile => ({
      filename,
      status: "added",
      additions: added.length,
      deletions: 0,
      patch: [`@@ -0,0 +1,${added.length} @@`, ...added.map((l) => `+${l}`)].join("\n"),
    });
    const result = await engine.review(
      request([
        file("web/Note.vue", vue),
        file("deploy/values.yaml", yaml),
        file("src/a.ts", ["  debugger;"]),
      ]),
    );
    expect(result.comments.map((c) => `${c.path}:${c.line}`)).toEqual(["src/a.ts:1"]);
    expect(result.summary.split("\n")[0]).toBe(
      "**Found 1 possible problem**, none of high severity.",
    );
    expect(result.summary).toContain(
      "2 low-confidence findings not posted: possible secret (1), unescaped HTML (1).",
    );
    expect(result.summary).not.toContain("web/Note.vue");
  });

  it("says nothing of low-confidence findings when there are none", async () => {
    const result = await engine.review(request(diffFixture("mixed-problems")));
    expect(result.summary).not.toContain("low-confidence");
  });

  it("puts the size note in the summary, not in a comment", async () => {
    const added = Array.from({ length: 1200 }, (_, i) => `export const LIMIT_${i} = ${i};`);
    const patch = [`@@ -0,0 +1,${added.length} @@`, ...added.map((l) => `+${l}`)].join("\n");
    const result = await engine.review(
      request([
        { filename: "src/limits.ts", status: "added", additions: 1200, deletions: 0, patch },
      ]),
    );
    expect(result.summary).toContain("**Large pull request**: 1 file with 1200 changed lines");
    expect(result.summary.split("\n")[0]).toBe(
      "**Found 1 possible problem**, none of high severity.",
    );
    expect(result.comments.map((c) => c.body.includes("Large pull request"))).toEqual([false]);
  });

  it("never starts a line with a command or a mention", async () => {
    for (const name of ["mixed-problems", "clean"]) {
      const result = await engine.review(request(diffFixture(name)));
      expect(postedLines(result).filter((l) => COMMAND_OR_MENTION_LINE.test(l))).toEqual([]);
    }
    const hostile: ChangedFile = {
      filename: "src/a\n/jasper pause/b.ts",
      status: "added",
      additions: 1,
      deletions: 0,
      patch: "@@ -0,0 +1,1 @@\n+debugger;",
    };
    const result = await engine.review(request([hostile]));
    expect(result.comments).toHaveLength(1);
    expect(postedLines(result).filter((l) => COMMAND_OR_MENTION_LINE.test(l))).toEqual([]);
  });
});

describe("rule-based engine chat", () => {
  const question = {
    repository: "acme/uploads",
    number: 42,
    title: "Upload to S3",
    question: "/jasper review\nwhy is this slow?",
    author: "octocat",
  };

  it("says chat is limited, what Jasper does, and lists the commands without starting a line with one", async () => {
    const reply = await createRuleBasedEngine().chat(question);
    expect(reply).toMatch(/No AI provider is configured/);
    for (const command of ["help", "review", "pause", "resume", "credits"]) {
      expect(reply).toContain(`\`/jasper ${command}\``);
    }
    expect(reply.split("\n").filter((l) => /^\s*(\/jasper|@jasper)/.test(l))).toEqual([]);
    expect(reply).not.toContain("why is this slow");
  });

  it("uses the configured bot name in the commands", async () => {
    const reply = await createRuleBasedEngine({ botName: "reviewbot" }).chat(question);
    expect(reply).toContain("`/reviewbot credits`");
    expect(reply).not.toContain("/jasper");
  });
});
