// One piece of a mutation run made in pieces (docs/development.md, "Mutation testing"): the
// project's config, with its JSON report written to reports/mutation/pieces/$MUTATION_PIECE.json
// so that pieces run one after another do not overwrite each other's reports;
// `node mutation/folder-scores.js reports/mutation/pieces/*.json` combines them.
import base from "./stryker.config.js";

const piece = process.env.MUTATION_PIECE ?? "piece";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  htmlReporter: { fileName: `reports/mutation/pieces/${piece}.html` },
  jsonReporter: { fileName: `reports/mutation/pieces/${piece}.json` },
};
