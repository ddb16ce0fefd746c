import type { Probot } from "probot";
import { z } from "zod";
import { httpStatusOf } from "../shared/errors.js";
import type { EventLog } from "../shared/event-log.js";

type Octokit = Awaited<ReturnType<Probot["auth"]>>;

/**
 * Which deliveries Jasper has recorded (received, verified and kept): those need no
 * redelivery whatever GitHub's list says about them. The durable inbox implements it
 * (issue 18, item 1); until then a stand-in says nothing is recorded.
 */
export interface RecordedDeliveries {
  /** The subset of `guids` (X-GitHub-Delivery) Jasper has recorded. */
  recordedDeliveries(guids: readonly string[]): Promise<Set<string>>;
}

/**
 * What was asked already, so each failed delivery is asked for at most once, across runs and
 * worker processes: a claim taken before asking, given back when GitHub refused the request
 * (then the next run asks again).
 */
export interface RedeliveryClaims {
  /** True for exactly one caller per delivery id while the claim lasts (72 hours). */
  claim(deliveryId: number): Promise<boolean>;
  release(deliveryId: number): Promise<void>;
}

export interface RedeliverDeps {
  /** The App's own client (App JWT; probot.auth() without an installation). */
  appOctokit(): Promise<Octokit>;
  recorded: RecordedDeliveries;
  claims: RedeliveryClaims;
  /** The most redeliveries one run asks for; the rest wait for the next run. */
  perRun: number;
  /** Each refused redelivery is logged here (the run's counts are the caller's line). */
  log: Pick<EventLog, "warn">;
  now?: () => number;
}

export interface RedeliveryReport {
  /** Deliveries of the window read from GitHub's list. */
  listed: number;
  /** Deliveries (by guid) whose every attempt failed. */
  failed: number;
  /** Of those, the ones Jasper had recorded after all. */
  recorded: number;
  /** Of the rest, the ones whose latest attempt was asked for before. */
  askedBefore: number;
  /**
   * Of the rest, the ones GitHub redelivered MAX_REDELIVERIES times already, each failing
   * again: a delivery Jasper refuses every time is not asked for all of 72 hours.
   */
  givenUp: number;
  /** Redeliveries GitHub accepted in this run. */
  redelivered: number;
  /** Redeliveries GitHub refused in this run (asked again next run). */
  refused: number;
  /** Left for the next run by the per-run bound. */
  deferred: number;
  /** Entries of the list that did not read as a delivery (skipped). */
  unreadable: number;
}

/** A run that found nothing to do. */
export const NOTHING_REDELIVERED: Readonly<RedeliveryReport> = {
  listed: 0,
  failed: 0,
  recorded: 0,
  askedBefore: 0,
  givenUp: 0,
  redelivered: 0,
  refused: 0,
  deferred: 0,
  unreadable: 0,
};

/** GitHub keeps deliveries for 3 days; older ones cannot be redelivered. */
export const REDELIVERY_WINDOW_MS = 72 * 3_600_000;
/** Redeliveries of one delivery (guid) GitHub may already list before Jasper stops asking. */
export const MAX_REDELIVERIES = 3;
/** 100 per page: 200 pages hold 20,000 deliveries of 72 hours; a longer list stops there. */
const MAX_PAGES = 200;

const deliverySchema = z.object({
  id: z.number().int().positive(),
  guid: z.string().min(1).max(100),
  delivered_at: z.iso.datetime({ offset: true }),
  status_code: z.number().int(),
  /** A redelivery (asked for by Jasper or by someone on the App's settings page). */
  redelivery: z.boolean().optional(),
});
type Delivery = z.infer<typeof deliverySchema>;

/**
 * Redelivers the App's webhook deliveries that failed, as GitHub's documentation describes
 * for GitHub Apps ("Automatically redelivering failed deliveries"): GitHub never redelivers
 * on its own, so a delivery Jasper answered with an error (or not at all) would otherwise be
 * lost. Lists the last 72 hours of deliveries, newest first, page by page; a guid with no
 * successful attempt that Jasper has not recorded is asked for again: its latest attempt,
 * once (a redelivery that fails too is a new attempt, asked for by a later run, up to
 * MAX_REDELIVERIES), at most `perRun` per run. Runs one at a time from a job scheduler.
 */
export function createRedeliverFailed(deps: RedeliverDeps) {
  const now = deps.now ?? Date.now;
  return async function redeliverFailed(): Promise<RedeliveryReport> {
    const octokit = await deps.appOctokit();
    const { deliveries, unreadable } = await listRecent(octokit, now() - REDELIVERY_WINDOW_MS);
    // Newest first: the first failed attempt seen of a guid is its latest.
    const succeeded = new Set<string>();
    const latestFailed = new Map<string, Delivery>();
    const redeliveries = new Map<string, number>();
    for (const d of deliveries) {
      if (d.redelivery) redeliveries.set(d.guid, (redeliveries.get(d.guid) ?? 0) + 1);
      if (d.status_code >= 200 && d.status_code < 300) succeeded.add(d.guid);
      else if (!latestFailed.has(d.guid)) latestFailed.set(d.guid, d);
    }
    const failed = [...latestFailed.values()].filter((d) => !succeeded.has(d.guid));
    const recorded = await deps.recorded.recordedDeliveries(failed.map((d) => d.guid));
    const report: RedeliveryReport = {
      ...NOTHING_REDELIVERED,
      listed: deliveries.length,
      failed: failed.length,
      unreadable,
    };
    // Oldest first: those are the nearest to leaving GitHub's 72 hours.
    for (const d of failed.reverse()) {
      if (recorded.has(d.guid)) {
        report.recorded++;
        continue;
      }
      if ((redeliveries.get(d.guid) ?? 0) >= MAX_REDELIVERIES) {
        report.givenUp++;
        continue;
      }
      if (report.redelivered + report.refused >= deps.perRun) {
        report.deferred++;
        continue;
      }
      if (!(await deps.claims.claim(d.id))) {
        report.askedBefore++;
        continue;
      }
      try {
        await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", {
          delivery_id: d.id,
          // Asking twice is what the claim is there to prevent: no client-side retry.
          request: { retries: 0 },
        });
        report.redelivered++;
      } catch (err) {
        // Given back: the next run asks again (never twice in this one).
        await deps.claims.release(d.id);
        report.refused++;
        deps.log.warn(
          { deliveryId: d.id, guid: d.guid, status: httpStatusOf(err) ?? null },
          "GitHub did not redeliver a failed delivery: asked again next run",
        );
      }
    }
    return report;
  };
}
export type RedeliverFailed = ReturnType<typeof createRedeliverFailed>;

/**
 * The deliveries delivered at or after `since`, newest first, following GitHub's cursor from
 * each page's Link header (only the cursor is taken from it: the next request goes to the
 * configured API host, with the App's token, never to a URL a response named).
 */
async function listRecent(
  octokit: Octokit,
  since: number,
): Promise<{ deliveries: Delivery[]; unreadable: number }> {
  const deliveries: Delivery[] = [];
  let unreadable = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await octokit.request("GET /app/hook/deliveries", {
      per_page: 100,
      ...(cursor ? { cursor } : {}),
    });
    const entries: unknown[] = Array.isArray(response.data) ? response.data : [];
    for (const entry of entries) {
      const parsed = deliverySchema.safeParse(entry);
      if (!parsed.success) {
        unreadable++;
        continue;
      }
      // Older than the window: everything after it is older still.
      if (Date.parse(parsed.data.delivered_at) < since) return { deliveries, unreadable };
      deliveries.push(parsed.data);
    }
    cursor = nextCursor(response.headers.link);
    if (!cursor || entries.length === 0) break;
  }
  return { deliveries, unreadable };
}

/** The `cursor` of the Link header's rel="next" URL; undefined on the last page. */
export function nextCursor(link: string | undefined): string | undefined {
  const next = /<([^<>]+)>;\s*rel="next"/.exec(link ?? "")?.[1];
  if (!next) return undefined;
  try {
    return new URL(next).searchParams.get("cursor") ?? undefined;
  } catch {
    return undefined;
  }
}
