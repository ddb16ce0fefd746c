import { afterEach, describe, expect, it } from "@jest/globals";
import { toAccountId } from "../../src/accounts/types.js";
import type { NewLearning } from "../../src/learnings/types.js";
import { storeFactories } from "../support/stores.js";

const A = toAccountId(101);
const B = toAccountId(202);
let seq = 0;
const learning = (over: Partial<NewLearning> = {}): NewLearning => {
  seq += 1;
  return {
    accountId: A,
    scope: "repository",
    repositoryId: 501,
    repository: "Acme-Corp/widgets",
    text: "We retry payments with an idempotency key; do not ask for one on each call.",
    rule: null,
    paths: null,
    author: { id: 7, login: "octo-dev" },
    source: { number: 12, commentId: 9000 + seq },
    createdAt: new Date(Date.UTC(2026, 10, 1, 10, 0, seq)),
    sourceKey: `comment:${9000 + seq}`,
    ...over,
  };
};

describe.each(storeFactories())("learning store ($name)", (factory) => {
  afterEach(() => factory.cleanup());

  it("adds once per (account, teaching comment), and answers the stored one on a replay", async () => {
    const { learnings } = await factory.create();
    const first = await learnings.add(learning({ sourceKey: "comment:1" }), 10);
    const again = await learnings.add(learning({ sourceKey: "comment:1", text: "other" }), 10);
    expect(first.status).toBe("added");
    if (first.status === "full") throw new Error("unreachable");
    expect(first.learning.id).toMatch(/^[0-9a-f]{24}$/);
    expect(again).toEqual({ status: "duplicate", learning: first.learning });
    // The key is per account: another account's comment id is its own.
    expect(
      (await learnings.add(learning({ accountId: B, sourceKey: "comment:1" }), 10)).status,
    ).toBe("added");
    expect(await learnings.list(A, { limit: 10 })).toEqual([first.learning]);
  });

  it("keeps at most `max` per account: past it nothing is written; other accounts are not counted", async () => {
    const { learnings } = await factory.create();
    for (let i = 0; i < 3; i++) expect((await learnings.add(learning(), 3)).status).toBe("added");
    expect(await learnings.add(learning(), 3)).toEqual({ status: "full" });
    expect(await learnings.list(A, { limit: 10 })).toHaveLength(3);
    expect((await learnings.add(learning({ accountId: B }), 3)).status).toBe("added");
  });

  it("lists newest first, pages by cursor, and keeps every field as given", async () => {
    const { learnings } = await factory.create();
    const added = [];
    for (let i = 0; i < 5; i++) {
      const r = await learnings.add(
        learning({ rule: i === 0 ? "debug leftover" : null, paths: i === 0 ? "scripts/**" : null }),
        10,
      );
      if (r.status === "full") throw new Error("unreachable");
      added.push(r.learning);
    }
    const first = await learnings.list(A, { limit: 2 });
    expect(first.map((l) => l.id)).toEqual([added[4]!.id, added[3]!.id]);
    const last = first[first.length - 1]!;
    const next = await learnings.list(A, {
      limit: 10,
      before: { createdAt: last.createdAt, id: last.id },
    });
    expect(next.map((l) => l.id)).toEqual([added[2]!.id, added[1]!.id, added[0]!.id]);
    expect(next[2]).toMatchObject({
      rule: "debug leftover",
      paths: "scripts/**",
      scope: "repository",
    });
  });

  it("applies to a repository: its own and the account's organization-wide ones, never another account's", async () => {
    const { learnings } = await factory.create();
    await learnings.add(learning({ text: "own" }), 10);
    await learnings.add(
      learning({ text: "other repo", repositoryId: 777, repository: "Acme-Corp/gadgets" }),
      10,
    );
    await learnings.add(
      learning({
        text: "org",
        scope: "organization",
        repositoryId: 777,
        repository: "Acme-Corp/gadgets",
      }),
      10,
    );
    await learnings.add(learning({ accountId: B, text: "B's org", scope: "organization" }), 10);
    await learnings.add(learning({ accountId: B, text: "B's own" }), 10);
    const applied = await learnings.list(A, { appliesTo: 501, limit: 10 });
    expect(applied.map((l) => l.text).sort()).toEqual(["org", "own"]);
    expect(
      (await learnings.list(B, { appliesTo: 501, limit: 10 })).map((l) => l.text).sort(),
    ).toEqual(["B's org", "B's own"]);
  });

  it("searches text, rule, paths and repository in any case; a pattern's characters are literal", async () => {
    const { learnings } = await factory.create();
    await learnings.add(learning({ text: "Payments retry (with keys)." }), 10);
    await learnings.add(learning({ text: "x", rule: "debug leftover", paths: "scripts/**" }), 10);
    await learnings.add(
      learning({ text: "y", repository: "Acme-Corp/Gadgets", repositoryId: 9 }),
      10,
    );
    await learnings.add(learning({ accountId: B, text: "payments in B" }), 10);
    const texts = async (search: string) =>
      (await learnings.list(A, { search, limit: 10 })).map((l) => l.text);
    expect(await texts("PAYMENTS")).toEqual(["Payments retry (with keys)."]);
    expect(await texts("(with")).toEqual(["Payments retry (with keys)."]);
    expect(await texts("DEBUG")).toEqual(["x"]);
    expect(await texts("scripts/*")).toEqual(["x"]);
    expect(await texts("gadgets")).toEqual(["y"]);
    expect(await texts(".*")).toEqual([]);
  });

  it("removes one of the account's learnings by id; another account's id or an unknown one is null", async () => {
    const { learnings } = await factory.create();
    const mine = await learnings.add(learning(), 10);
    const theirs = await learnings.add(learning({ accountId: B }), 10);
    if (mine.status === "full" || theirs.status === "full") throw new Error("unreachable");
    expect(await learnings.remove(A, theirs.learning.id)).toBeNull();
    expect(await learnings.remove(A, "ffffffffffffffffffffffff")).toBeNull();
    expect(await learnings.remove(A, "not-an-id")).toBeNull();
    expect(await learnings.remove(A, mine.learning.id)).toEqual(mine.learning);
    expect(await learnings.remove(A, mine.learning.id)).toBeNull();
    expect(await learnings.list(A, { limit: 10 })).toEqual([]);
    expect(await learnings.list(B, { limit: 10 })).toEqual([theirs.learning]);
  });
});
