import { z } from "zod";
import type { Account } from "../../accounts/types.js";
import { replaceBudgets } from "../../administration/replace-budgets.js";
import { budgetUse } from "../../budgets/budget-use.js";
import { budgetRulesSchema } from "../../budgets/rules-schema.js";
import type { BudgetRules } from "../../accounts/budget-rules.js";
import { callerOf, requireOrgAccess, type AuthDeps } from "../auth/authenticate.js";
import { adminOf } from "../auth/caller-actor.js";
import { budgetRulesOutSchema, budgetUseSchema } from "../budget-schemas.js";
import type { ApiInstance, BillingApiDeps } from "../deps.js";
import { commonErrors, errorResponse, notFound } from "../errors.js";
import { BEARER_SECURITY, orgParams } from "../schemas.js";

const budgetsSchema = z
  .object({ organization: z.string(), rules: budgetRulesOutSchema, use: budgetUseSchema })
  .meta({ id: "Budgets" });

type Deps = Pick<BillingApiDeps, "accounts" | "audit" | "ledger"> & AuthDeps;

/** GET and PUT /organizations/:org/budgets: spend controls (docs/billing.md, "Budgets"). */
export function budgetRoutes(api: ApiInstance, deps: Deps): void {
  const common = { tags: ["budgets"], security: BEARER_SECURITY, params: orgParams };
  const present = async (account: Account) => ({
    organization: account.login,
    rules: account.budgets,
    use: budgetUse(
      account.budgets,
      // Each counter from the newest entry carrying it, not the month's entries; repositories
      // only when a rule governs some (the page lists every author charged).
      await deps.ledger.monthCounters(account.id, {
        repositories: account.budgets.repositories.length > 0,
        authors: true,
      }),
      // Read only when the account caps runs per pull request: a group per pull request.
      account.budgets.pullRequestRuns === null ? [] : await deps.ledger.pullRequestRuns(account.id),
    ),
  });

  api.get(
    "/organizations/:org/budgets",
    {
      preParsing: requireOrgAccess(deps, "read"),
      schema: {
        ...common,
        summary: "Budget rules and each budget's use this month",
        response: { 200: budgetsSchema, ...commonErrors },
      },
    },
    async (request) => present(callerOf(request).account),
  );

  api.put(
    "/organizations/:org/budgets",
    {
      // As with settings: an admin's GitHub sign-in, never a key. Lifting a cap is spending.
      preParsing: requireOrgAccess(deps, "admin"),
      // 600 rules of about 60 bytes each, with room to spare.
      bodyLimit: 65_536,
      schema: {
        ...common,
        summary:
          "Replace the budget rules (needs an org admin's GitHub token; a cap left out is no cap)",
        body: budgetRulesSchema,
        response: {
          200: budgetsSchema,
          ...commonErrors,
          403: errorResponse("`github_token_required`: an API key cannot change budgets"),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { account } = caller;
      // Typed as what is stored: the compiler checks the schema's output is exactly that.
      const rules: BudgetRules = request.body;
      const updated = await replaceBudgets(deps, account, adminOf(caller), rules);
      if (!updated) throw notFound();
      return present(updated);
    },
  );
}
