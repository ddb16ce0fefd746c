import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";

export type Severity = "high" | "medium" | "low";

/**
 * How sure the rule is that the finding is a real problem, apart from how bad it would be:
 * a provider's token format or a call on the syntax tree is sure; a line pattern that may match
 * text, or a value only just random enough to be a password, is not. Low ones are not posted,
 * only counted in the review's summary.
 */
export type Confidence = "high" | "medium" | "low";

/** One problem a rule found on one added line. */
export interface Finding {
  path: string;
  line: number;
  /** A short human label, shown in the comment ("possible secret"); also the dedupe key. */
  rule: string;
  severity: Severity;
  confidence: Confidence;
  /** One sentence, no newline; never the full text of a secret. */
  message: string;
}

/**
 * Every rule family has this shape: it sees one file and only the lines the diff adds. A rule
 * backed by an asynchronous analyser (secretlint) answers with a promise.
 */
export type Rule = (file: ChangedFile, added: AddedLine[]) => Finding[] | Promise<Finding[]>;
