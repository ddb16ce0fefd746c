import { Schema } from "mongoose";
import { integer, integerOrNull } from "./integer-validators.js";
import type {
  AuthorBudget,
  BudgetRules,
  RepositoryBudget,
} from "../../../accounts/budget-rules.js";

/**
 * An account's budget rules as stored (docs/billing.md, "Budgets"), a subdocument of the
 * account. The API validates them in full (budgets/rules-schema.ts); these validators only
 * keep a bug elsewhere from storing what the ledger's integer counters could not compare.
 */

const credits = { type: Number, required: true, min: 0, validate: integer };
// No default for a nullable cap: an absent one reads as null (no cap), and a default would
// be written into documents stored before the field existed.
const capOrNull = { type: Number, min: 0, validate: integerOrNull };

const repositoryBudgetSchema = new Schema<RepositoryBudget>(
  { pattern: { type: String, required: true }, credits },
  { _id: false },
);

const authorBudgetSchema = new Schema<AuthorBudget>(
  { login: { type: String, required: true }, credits },
  { _id: false },
);

export const budgetRulesSchema = new Schema<BudgetRules>(
  {
    account: capOrNull,
    // No default for the arrays: mongoose would write [] into old documents on read-modify.
    repositories: { type: [repositoryBudgetSchema], default: undefined },
    authorDefault: capOrNull,
    authors: { type: [authorBudgetSchema], default: undefined },
    pullRequestRuns: { type: Number, min: 1, validate: integerOrNull },
    warnAtPercent: { type: Number, min: 1, max: 100, validate: integer },
  },
  { _id: false },
);
