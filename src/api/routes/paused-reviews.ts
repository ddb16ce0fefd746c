import { z } from "zod";
import { periodStart } from "../../ledger/periods.js";
import { PAUSE_CAUSES, pauseCauseOf } from "../../reviews/pause-reasons.js";
import type { ReviewRun } from "../../reviews/types.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors } from "../errors.js";
import { BEARER_SECURITY, orgParams, timestamp } from "../schemas.js";

export const DEFAULT_PAUSED_PAGE = 50;
export const MAX_PAUSED_PAGE = 100;

const querySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAUSED_PAGE)
    .optional()
    .describe(`How many, default ${DEFAULT_PAUSED_PAGE}`),
});

const pausedReviewSchema = z
  .object({
    repository: z.string().describe('"owner/name"'),
    number: z.number().int(),
    url: z.string().describe("The pull request's page on GitHub"),
    headSha: z.string().describe("The commit the review was for"),
    why: z
      .enum(PAUSE_CAUSES)
      .describe(
        "`balance`: no credits left; `seats`: the plan's seat limit; else the kind of budget that had no room",
      ),
    at: timestamp.describe("When the review was stopped"),
  })
  .meta({ id: "PausedReview" });

const pausedReviewsSchema = z
  .object({
    organization: z.string(),
    since: timestamp.describe("The start of this month (UTC)"),
    reviews: z.array(pausedReviewSchema).describe("Newest first"),
  })
  .meta({ id: "PausedReviews" });

type Deps = Pick<BillingApiDeps, "runs" | "pullRequestUrl" | "now"> & AuthDeps;

/**
 * GET /organizations/:org/reviews/paused: this month's reviews that Jasper stopped, for want of
 * credits or because a budget had no room (docs/billing.md, "Budgets"). The pull request shows
 * each one too; this is the dashboard's side of "nothing Jasper decides is silent". Readable
 * like the billing summary.
 */
export function pausedReviewsRoute(api: ApiInstance, deps: Deps): void {
  const present = (run: ReviewRun): z.infer<typeof pausedReviewSchema> => ({
    repository: run.pr.repository,
    number: run.pr.number,
    url: deps.pullRequestUrl(run.pr.repository, run.pr.number),
    headSha: run.headSha,
    why: pauseCauseOf(run.reason),
    at: run.updatedAt.toISOString(),
  });

  api.get(
    "/organizations/:org/reviews/paused",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        tags: ["reviews"],
        summary: "Reviews stopped this month: no credits left, or a budget with no room",
        security: BEARER_SECURITY,
        params: orgParams,
        querystring: querySchema,
        response: { 200: pausedReviewsSchema, ...commonErrors },
      },
    },
    async (request) => {
      const { account } = callerOf(request);
      const since = periodStart((deps.now ?? (() => new Date()))());
      const runs = await deps.runs.listPaused(
        account.id,
        since,
        request.query.limit ?? DEFAULT_PAUSED_PAGE,
      );
      return {
        organization: account.login,
        since: since.toISOString(),
        reviews: runs.map(present),
      };
    },
  );
}
