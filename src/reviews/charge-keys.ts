import type { PullRequestRef } from "./types.js";

/**
 * Ledger keys for review charges. Under the default policy a pull request is charged once,
 * under `review:<repo>:<pr>:pr<g>`; g moves on only after that charge was refunded (its review
 * failed), so the next review pays again instead of finding the refunded charge. Under
 * "review_run" each run has its own key.
 */
export const pullRequestChargeKey = (pr: PullRequestRef, generation: number): string =>
  `review:${pr.repositoryId}:${pr.number}:pr${generation}`;

/** Whether a charge key is a pull request's shared one (which several runs may carry). */
export const isPullRequestChargeKey = (key: string): boolean => /^review:\d+:\d+:pr\d+$/.test(key);

export const runChargeKey = (runKey: string): string => `review:${runKey}:run`;

export const runKeyOf = (pr: PullRequestRef, headSha: string, attempt: number): string =>
  `${pr.repositoryId}:${pr.number}:${headSha}:${attempt}`;
