/**
 * How budgets and their use this month are sent (GET .../budgets and the billing summary).
 * Loose about content, like every response schema (schemas.ts): a stored value these did not
 * expect must not become a 500.
 */
import { z } from "zod";

const level = z
  .enum(["ok", "warning", "used_up"])
  .nullable()
  .describe(
    "ok; warning from the account's warnAtPercent; used_up when the next charge would not fit (a cap of 0 from the start); null without a cap",
  );

export const budgetMeterSchema = z
  .object({
    used: z.number().int().describe("Credits (runs, for a pull request) used this month"),
    cap: z.number().int().nullable().describe("The monthly cap; null: none"),
    level,
  })
  .meta({ id: "BudgetMeter" });

const period = z.string().describe('The month ("YYYY-MM", UTC) the use is of');
const repository = z.string().describe("owner/name, lower-cased");
const login = z.string().describe("GitHub login, lower-cased");

export const budgetRulesOutSchema = z
  .object({
    account: z.number().int().nullable(),
    repositories: z.array(z.object({ pattern: z.string(), credits: z.number().int() })),
    authorDefault: z.number().int().nullable(),
    authors: z.array(z.object({ login: z.string(), credits: z.number().int() })),
    pullRequestRuns: z.number().int().nullable(),
    warnAtPercent: z.number().int(),
  })
  .meta({ id: "BudgetRules" });

export const budgetUseSchema = z
  .object({
    period,
    account: budgetMeterSchema,
    repositories: z
      .array(
        z.object({
          pattern: z.string(),
          cap: z.number().int(),
          repositories: z.array(budgetMeterSchema.extend({ repository })),
        }),
      )
      .describe("Each rule with the repositories it governs that were charged this month"),
    authors: z
      .array(budgetMeterSchema.extend({ login }))
      .describe("Each author charged this month, with the cap that applies to them"),
    pullRequests: z
      .array(budgetMeterSchema.extend({ pullRequest: z.string().describe("owner/name#number") }))
      .describe("Pull requests whose charged runs this month reached the warning share"),
  })
  .meta({ id: "BudgetUse" });

export const setBudgetUseSchema = z
  .object({
    period,
    account: budgetMeterSchema.nullable().describe("Null: the account has no cap"),
    repositories: z.array(budgetMeterSchema.extend({ repository, pattern: z.string() })),
    authors: z.array(budgetMeterSchema.extend({ login })),
  })
  .meta({
    id: "BudgetsThisMonth",
    description:
      "Each budget that is set, with its use this month (repositories and authors: those charged)",
  });
