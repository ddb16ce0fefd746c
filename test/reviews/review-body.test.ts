import { describe, expect, it } from "@jest/globals";
import type { InlineComment, SkippedFile } from "../../src/engine/engine.js";
import {
  GITHUB_BODY_LIMIT,
  bodyWithComments,
  reviewBody,
  runMarker,
} from "../../src/reviews/review-body.js";

const base = {
  summary: "Looks fine.",
  skipped: [] as SkippedFile[],
  headSha: "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c",
  incremental: false,
  runKey: "run-1",
};

describe("the review's body", () => {
  it("counts every comment not posted inline, and lists those past the limit", () => {
    const body = reviewBody({
      ...base,
      leftOut: {
        outsideDiff: 4,
        otherFiles: 1,
        unreadable: 2,
        overLimit: [
          { path: "src/a.ts", line: 40, title: "Off by one." },
          { path: "src/b.ts", startLine: 3, line: 5, title: "`/jasper` review" },
        ],
      },
      repeats: 3,
    });
    expect(body).toContain("4 comments on lines outside the diff left out");
    expect(body).toContain("1 comment on a file this review did not read left out");
    expect(body).toContain("2 comments without a file, a line or any text left out");
    expect(body).toContain(
      "3 comments on lines an earlier review already commented on, unchanged since, not repeated",
    );
    expect(body).toContain(
      "**2 more findings past the 30-comment limit:**\n- `src/a.ts:40`: Off by one.\n- `src/b.ts:3-5`: `/jasper` review",
    );
    expect(body.indexOf("Looks fine.")).toBeLessThan(body.indexOf("past the 30-comment limit"));
    expect(body.endsWith(runMarker("run-1"))).toBe(true);
  });

  it("says nothing of left-out comments when there are none", () => {
    const body = reviewBody({
      ...base,
      leftOut: { outsideDiff: 0, otherFiles: 0, unreadable: 0, overLimit: [] },
    });
    expect(body).not.toMatch(/left out|limit/);
  });

  it("stays under GitHub's limit, its marker kept, whatever the summary and lists hold", () => {
    const long = "p/".repeat(3_000);
    const body = reviewBody({
      ...base,
      summary: "s".repeat(70_000),
      skipped: Array.from({ length: 400 }, (_, i) => ({
        filename: `${long}${i}.ts`,
        reason: "over_budget" as const,
      })),
      leftOut: {
        outsideDiff: 0,
        otherFiles: 0,
        unreadable: 0,
        overLimit: Array.from({ length: 300 }, (_, i) => ({
          path: `${long}${i}.ts`,
          line: i + 1,
          title: "t".repeat(120),
        })),
      },
      coverage: "reviewed 0 of 400 files",
    });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toContain(runMarker("run-1"));
    expect(body).toContain("**Not reviewed: 400 files.**");
    expect(body).toContain("**300 more findings past the 30-comment limit:**");
    expect(body).toContain("… and 350 more");
    expect(body).toContain("… and 250 more");
  });
});

describe("the fallback body, when GitHub refuses the inline comments", () => {
  const comments: InlineComment[] = Array.from({ length: 30 }, (_, i) => ({
    path: `src/file-${i}.ts`,
    line: i + 1,
    ...(i === 0 ? { startLine: 1, line: 2 } : {}),
    body: `Finding ${i}.\n${"x".repeat(1_990)}`,
  }));

  it("lists the comments by place, ranges as ranges", () => {
    const fallback = bodyWithComments(reviewBody(base), comments.slice(0, 2));
    expect(fallback).toContain("- `src/file-0.ts:1-2`: Finding 0.");
    expect(fallback).toContain("- `src/file-1.ts:2`: Finding 1.");
    expect(fallback).toContain(runMarker("run-1"));
  });

  it("stays under GitHub's limit, counting the comments it could not list", () => {
    // A 20,000-character summary and 30 comments of 2,000: over 80,000 characters listed whole.
    const body = reviewBody({ ...base, summary: "s".repeat(20_000) });
    const fallback = bodyWithComments(body, comments);
    expect(fallback.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(fallback).toContain(runMarker("run-1"));
    expect(fallback).toContain("- `src/file-0.ts:1-2`: Finding 0.");
    const listed = fallback.match(/^- `src\/file-\d+\.ts:/gm)?.length ?? 0;
    expect(listed).toBeGreaterThan(10);
    expect(listed).toBeLessThan(30);
    expect(fallback).toContain(
      `… and ${30 - listed} more comments not listed: a review's body holds at most 65,536 characters`,
    );
  });
});
