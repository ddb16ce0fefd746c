import { conflictMarkers } from "./conflict-markers.js";
import { debugLeftovers } from "./debug-leftovers.js";
import type { Rule } from "./finding.js";
import { riskyPatterns } from "./risky-patterns.js";
import { secrets } from "./secrets.js";
import { oversizedFile } from "./size.js";

/** The built-in reviewer's rule families, in the order their findings are listed. */
export const ALL_RULES: readonly Rule[] = [
  secrets,
  conflictMarkers,
  riskyPatterns,
  debugLeftovers,
  oversizedFile,
];
