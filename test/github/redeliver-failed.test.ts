import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import {
  createRedeliverFailed,
  nextCursor,
  NOTHING_REDELIVERED,
  type RedeliveryReport,
} from "../../src/github/redeliver-failed.js";
import { createRedeliveryClaims } from "../../src/queue/redelivery-claims.js";
import { createRedis } from "../../src/queue/redis.js";
import { REDIS_URL } from "../support/harness.js";
import { captureLog } from "../support/log-capture.js";
import { testProbot } from "../support/github.js";
import { API } from "../support/github-api.js";

/**
 * The redelivery of failed webhook deliveries against a fake of GitHub's deliveries API
 * (`GET /app/hook/deliveries`, `POST /app/hook/deliveries/{id}/attempts`), as the App (JWT).
 */
const NOW = Date.parse("2026-12-06T12:00:00Z");
const HOUR = 3_600_000;
const redis = createRedis(REDIS_URL, "producer");
afterAll(() => redis.quit());

let nextId = 1;
/** One delivery as GitHub lists it, `hoursAgo` before NOW. */
function delivery(guid: string, statusCode: number, hoursAgo = 1, redelivery = false) {
  return {
    id: 10_000 + nextId++,
    guid,
    delivered_at: new Date(NOW - hoursAgo * HOUR).toISOString(),
    redelivery,
    duration: 0.2,
    status: statusCode === 202 ? "Accepted" : "Service Unavailable",
    status_code: statusCode,
    event: "pull_request",
    action: "opened",
    installation_id: 4242,
    repository_id: 501,
  };
}
type Delivery = ReturnType<typeof delivery>;

/**
 * GitHub's pages of the list, newest first, each linking to the next by its cursor; the last
 * one too with `more` (a page that is not mocked: asking for it fails the test).
 */
function mockPages(pages: Delivery[][], { more = false } = {}): void {
  pages.forEach((page, i) => {
    const cursor = i === 0 ? undefined : `v1_${i}`;
    const link =
      i + 1 < pages.length || more
        ? `<${API}/app/hook/deliveries?per_page=100&cursor=v1_${i + 1}>; rel="next"`
        : undefined;
    nock(API)
      // As the App: a JWT (three dot-separated parts), not an installation token.
      .matchHeader("authorization", /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i)
      .get("/app/hook/deliveries")
      .query(cursor ? { per_page: "100", cursor } : { per_page: "100" })
      .reply(200, page, link ? { link } : {});
  });
}

/** The redeliveries GitHub is asked for (delivery ids), answered with `status`. */
function mockAttempts(asked: number[], status = 202, times = 1): void {
  nock(API)
    .post(/^\/app\/hook\/deliveries\/\d+\/attempts$/)
    .times(times)
    .reply((uri) => {
      asked.push(Number(/deliveries\/(\d+)\//.exec(uri)![1]));
      return [status, status === 202 ? {} : { message: "no" }];
    });
}

describe("redelivering failed webhook deliveries", () => {
  let prefix: string;
  const logged = captureLog("info");
  const probot = testProbot();
  const recorded = new Set<string>();
  const asked: string[][] = [];
  const redeliver = (perRun = 50) =>
    createRedeliverFailed({
      appOctokit: () => probot.auth(),
      recorded: {
        recordedDeliveries: async (guids) => {
          asked.push([...guids]);
          return new Set(guids.filter((g) => recorded.has(g)));
        },
      },
      claims: createRedeliveryClaims(redis, prefix),
      perRun,
      log: logged.log,
      now: () => NOW,
    });
  const report = (r: Partial<RedeliveryReport>): RedeliveryReport => ({
    ...NOTHING_REDELIVERED,
    ...r,
  });

  beforeEach(() => {
    prefix = `jasper-test-${randomUUID().slice(0, 8)}`;
    recorded.clear();
    asked.length = 0;
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending).toStrictEqual([]);
  });

  it("asks once for each guid whose attempts all failed, its latest attempt, and not for one that later succeeded", async () => {
    // Newest first, as GitHub lists them.
    const retried = delivery("a-ok-later", 202, 1);
    const failedBefore = delivery("a-ok-later", 503, 2);
    const latest = delivery("b-failed-twice", 503, 3);
    const earlier = delivery("b-failed-twice", 0, 4);
    const ok = delivery("c-ok", 202, 5);
    const once = delivery("d-failed", 500, 6);
    mockPages([[retried, failedBefore, latest, earlier, ok, once]]);
    const attempts: number[] = [];
    mockAttempts(attempts, 202, 2);

    expect(await redeliver()()).toEqual(report({ listed: 6, failed: 2, redelivered: 2 }));
    // Oldest first: nearest to leaving GitHub's 72 hours.
    expect(attempts).toEqual([once.id, latest.id]);
  });

  it("follows the cursors of several pages and stops at the first delivery older than 72 hours", async () => {
    const page1 = [delivery("p1-ok", 202, 1), delivery("p1-failed", 503, 2)];
    const page2 = [delivery("p2-failed", 503, 30), delivery("p2-ok", 202, 40)];
    const page3 = [delivery("p3-failed", 503, 71), delivery("too-old", 503, 73)];
    // A fourth page exists on GitHub, but is never asked for: nothing on it is recent.
    mockPages([page1, page2, page3], { more: true });
    const attempts: number[] = [];
    mockAttempts(attempts, 202, 3);

    const r = await redeliver()();
    expect(r).toEqual(report({ listed: 5, failed: 3, redelivered: 3 }));
    expect(attempts).toEqual([page3[0]!.id, page2[0]!.id, page1[1]!.id]);
  });

  it("asks nothing for deliveries Jasper has recorded (the inbox's port)", async () => {
    const mine = delivery("recorded-guid", 503);
    const lost = delivery("lost-guid", 503);
    mockPages([[mine, lost]]);
    recorded.add("recorded-guid");
    const attempts: number[] = [];
    mockAttempts(attempts);

    expect(await redeliver()()).toEqual(
      report({ listed: 2, failed: 2, recorded: 1, redelivered: 1 }),
    );
    expect(asked).toEqual([["recorded-guid", "lost-guid"]]);
    expect(attempts).toEqual([lost.id]);
  });

  it("a redelivery GitHub refuses is logged and asked again next run, never twice in one run; one asked before is not asked again", async () => {
    const refused = delivery("refused-guid", 503, 2);
    const accepted = delivery("accepted-guid", 503, 1);
    mockPages([[accepted, refused]]);
    const first: number[] = [];
    mockAttempts(first, 500);
    mockAttempts(first, 202);
    expect(await redeliver()()).toEqual(
      report({ listed: 2, failed: 2, redelivered: 1, refused: 1 }),
    );
    expect(first).toEqual([refused.id, accepted.id]);
    expect(logged.text()).toContain(`"deliveryId":${refused.id}`);
    expect(logged.text()).toContain("GitHub did not redeliver a failed delivery");

    // The next run: the refused one is asked again; the accepted one is not.
    mockPages([[accepted, refused]]);
    const second: number[] = [];
    mockAttempts(second);
    expect(await redeliver()()).toEqual(
      report({ listed: 2, failed: 2, askedBefore: 1, redelivered: 1 }),
    );
    expect(second).toEqual([refused.id]);
  });

  it("a redelivery that failed too is asked for again by a later run, up to MAX_REDELIVERIES times", async () => {
    const original = delivery("poison", 400, 5);
    mockPages([[original]]);
    const attempts: number[] = [];
    mockAttempts(attempts);
    expect(await redeliver()()).toMatchObject({ redelivered: 1 });

    // GitHub redelivered it and Jasper failed it again: that attempt is asked for, once.
    const again = [delivery("poison", 400, 3, true), original];
    mockPages([again]);
    mockAttempts(attempts);
    expect(await redeliver()()).toMatchObject({ redelivered: 1 });
    mockPages([again]);
    expect(await redeliver()()).toMatchObject({ askedBefore: 1, redelivered: 0 });

    // Three redeliveries failed: Jasper stops asking.
    const three = [2, 1, 0.5].map((h) => delivery("poison", 400, h, true));
    mockPages([[...three.reverse(), original]]);
    expect(await redeliver()()).toEqual(report({ listed: 4, failed: 1, givenUp: 1 }));
    expect(attempts).toEqual([original.id, again[0]!.id]);
  });

  it("asks at most perRun per run, oldest first; the rest the next run", async () => {
    const failed = [1, 2, 3, 4, 5].map((h) => delivery(`bound-${h}`, 503, h));
    mockPages([failed]);
    const first: number[] = [];
    mockAttempts(first, 202, 2);
    expect(await redeliver(2)()).toEqual(
      report({ listed: 5, failed: 5, redelivered: 2, deferred: 3 }),
    );
    expect(first).toEqual([failed[4]!.id, failed[3]!.id]);

    mockPages([failed]);
    const second: number[] = [];
    mockAttempts(second, 202, 2);
    expect(await redeliver(2)()).toEqual(
      report({ listed: 5, failed: 5, askedBefore: 2, redelivered: 2, deferred: 1 }),
    );
    expect(second).toEqual([failed[2]!.id, failed[1]!.id]);
  });

  it("skips entries that do not read as deliveries, and never follows a Link to another host", async () => {
    const good = delivery("good-guid", 503);
    nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .reply(200, [{ id: "x", guid: 3 }, good], {
        // Only the cursor is taken: the next page is asked of GitHub's API host.
        link: `<https://attacker.example/app/hook/deliveries?cursor=v1_x>; rel="next"`,
      })
      .get("/app/hook/deliveries")
      .query({ per_page: "100", cursor: "v1_x" })
      .reply(200, []);
    const attempts: number[] = [];
    mockAttempts(attempts);
    expect(await redeliver()()).toEqual(
      report({ listed: 1, failed: 1, redelivered: 1, unreadable: 1 }),
    );
    expect(attempts).toEqual([good.id]);
  });
});

describe("the Link header's next cursor", () => {
  it("is the cursor of rel=next, none on the last page", () => {
    const link =
      '<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_9>; rel="next", ' +
      '<https://api.github.com/app/hook/deliveries?per_page=100>; rel="first"';
    expect(nextCursor(link)).toBe("v1_9");
    expect(nextCursor('<https://api.github.com/x?per_page=100>; rel="first"')).toBeUndefined();
    expect(nextCursor(undefined)).toBeUndefined();
  });
});
