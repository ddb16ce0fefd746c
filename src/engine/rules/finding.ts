import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";

export type Severity = "high" | "medium" | "low";

/** One problem a rule found on one added line. */
export interface Finding {
  path: string;
  line: number;
  /** A short human label, shown in the comment ("possible secret"); also the dedupe key. */
  rule: string;
  severity: Severity;
  /** One sentence, no newline; never the full text of a secret. */
  message: string;
}

/**
 * Every rule family has this shape: it sees one file and only the lines the diff adds. A rule
 * backed by an asynchronous analyser (secretlint) answers with a promise.
 */
export type Rule = (file: ChangedFile, added: AddedLine[]) => Finding[] | Promise<Finding[]>;
