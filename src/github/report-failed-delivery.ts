/**
 * A GitHub delivery that failed on every attempt is never silent (issue 18, PRODUCT.md "Nothing
 * Jasper decides is silent"): the paying account's audit log gets one entry per delivery, and
 * a pull request's head gets a failed `Jasper` check run that says how to ask again. Nothing is
 * charged here; a charge taken before the failure stays with its run, which the runs' sweep
 * reviews or fails and refunds (src/reviews/sweep-runs.ts, finish-run.ts).
 */
import type { AccountStore } from "../accounts/account-store.js";
import { toAccountId } from "../accounts/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { InboxDelivery } from "../deliveries/delivery-inbox.js";
import type { CheckRuns } from "../reviews/check-runs.js";
import type { ReviewRunStore } from "../reviews/types.js";
import type { Logger } from "pino";
import { z } from "zod";
import { commitSha, githubId, repositoryFullName, webUrl } from "./webhook-payloads.js";

export interface ReportFailedDeliveryDeps {
  accounts: Pick<AccountStore, "get">;
  audit: Pick<AuditLog, "record">;
  /** A head Jasper already has a run for: that run's check run tells its story. */
  runs: Pick<ReviewRunStore, "listForPullRequest">;
  /** Never throws: a check run GitHub does not take is logged by it. */
  checkRuns: Pick<CheckRuns, "deliveryFailed">;
  /** Ids and outcomes only, never the payload. */
  log: Pick<Logger, "info" | "warn" | "error">;
}

/**
 * What the report reads from the recorded payload: who pays and which pull request. The
 * webhook validated it when it was recorded; read again here, since a value that does not fit
 * names no account to write to.
 */
const failedPayloadSchema = z.object({
  action: z.string().max(100).optional(),
  installation: z
    .object({ id: githubId, account: z.object({ id: githubId }).nullish() })
    .optional(),
  repository: z
    .object({ id: githubId, full_name: repositoryFullName, owner: z.object({ id: githubId }) })
    .optional(),
  pull_request: z
    .object({ number: githubId, html_url: webUrl, head: z.object({ sha: commitSha }) })
    .optional(),
  // A comment on a pull request: its number and page (no head in the payload).
  issue: z.object({ number: githubId, html_url: webUrl }).optional(),
});

/** The failure as the audit log keeps it: short, never the payload. */
const MAX_ERROR = 300;
/** Runs of the pull request read for its head (newest first: a recent head is among them). */
const RUNS_READ = 50;

export function createReportFailedDelivery(deps: ReportFailedDeliveryDeps) {
  return async function reportFailedDelivery(
    delivery: Pick<InboxDelivery, "id" | "name" | "payload">,
    error: string,
  ): Promise<void> {
    const logged = { delivery: delivery.id, event: delivery.name };
    try {
      const parsed = failedPayloadSchema.safeParse(delivery.payload);
      if (!parsed.success) {
        deps.log.warn(logged, "failed delivery not shown: its payload names no account");
        return;
      }
      const p = parsed.data;
      // The repository's owner pays; installation events have no repository, their account does.
      const ownerId = p.repository?.owner.id ?? p.installation?.account?.id;
      const account = ownerId === undefined ? null : await deps.accounts.get(toAccountId(ownerId));
      if (!account) {
        deps.log.warn(logged, "failed delivery not shown: an account Jasper does not know");
        return;
      }
      const pull = p.pull_request ?? p.issue;
      await deps.audit.record({
        accountId: account.id,
        actor: { kind: "app" },
        action: "delivery_failed",
        interface: "webhook",
        details: {
          event: p.action ? `${delivery.name}.${p.action}` : delivery.name,
          deliveryId: delivery.id,
          ...(p.repository && pull
            ? { repository: p.repository.full_name, number: pull.number, url: pull.html_url }
            : {}),
          error: error.slice(0, MAX_ERROR),
        },
        // GitHub's delivery id: the same delivery failing again (redelivered, or a second
        // worker's last attempt) is one entry.
        idempotencyKey: `delivery-failed:${delivery.id}`,
      });
      if (delivery.name === "pull_request" && p.pull_request && p.repository && p.installation) {
        const { number, head } = p.pull_request;
        // A run of this head (another delivery's, or this one's charged before it failed) keeps
        // its own check run: queued, reviewed, or failed and refunded by the runs' sweep. Only
        // a head Jasper has nothing for is marked failed here, never over a posted review.
        const runs = await deps.runs.listForPullRequest(
          account.id,
          p.repository.id,
          number,
          RUNS_READ,
        );
        if (!runs.some((r) => r.headSha === head.sha)) {
          // The pull request's own external id (pull-request-events.ts): the head's `Jasper`
          // check run is updated, or created when there is none.
          await deps.checkRuns.deliveryFailed(
            { installationId: p.installation.id, repository: p.repository.full_name, number },
            { headSha: head.sha, externalId: `pr-${p.repository.id}-${number}` },
          );
        }
      }
      deps.log.info({ ...logged, account: account.id }, "failed delivery shown");
    } catch (err) {
      // The database is down too: said loudly, the delivery stays failed in the inbox.
      deps.log.error(
        { ...logged, err: (err as Error).message },
        "failed delivery not shown: the database did not answer",
      );
    }
  };
}
export type ReportFailedDelivery = ReturnType<typeof createReportFailedDelivery>;
