import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import { isTestFile } from "./file-kind.js";
import type { Finding, Severity } from "./finding.js";

/**
 * Credentials committed in the diff. Provider formats are matched everywhere, tests included:
 * a real token in a fixture is just as leaked. Messages show at most the first four
 * characters: the review is posted where everyone with read access sees it.
 */

interface TokenFormat {
  label: string;
  pattern: RegExp;
  severity: Severity;
}

const TOKEN_FORMATS: TokenFormat[] = [
  { label: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, severity: "high" },
  { label: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, severity: "high" },
  { label: "a GitHub token", pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}/, severity: "high" },
  { label: "a Slack token", pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/, severity: "high" },
  { label: "a Stripe live key", pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}/, severity: "high" },
  { label: "a Stripe test key", pattern: /\bsk_test_[A-Za-z0-9]{16,}/, severity: "low" },
  {
    label: "a Google API key",
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/,
    severity: "high",
  },
];

/** AWS documents its example key ids with this suffix (AKIAIOSFODNN7EXAMPLE). */
const DOCUMENTED_EXAMPLE = /EXAMPLE/;

const PRIVATE_KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** Key material right after the header: an escaped newline in a string, then base64. */
const INLINE_KEY_BODY = /PRIVATE KEY(?: BLOCK)?-----\\n[A-Za-z0-9+/=]{20,}/;
const BASE64_LINE = /^\s*[A-Za-z0-9+/=]{40,}\s*$/;

/**
 * `name = "literal"` where the name ends in a credential word: `DB_PASSWORD`, `apiKey`,
 * `client_secret`, `"token":`. The name has to END with the word so that `tokenizer` or
 * `secretName` do not count. Also `:=` (Go) and `=>` (PHP, Ruby).
 */
const ASSIGNMENT = /([A-Za-z_$][\w$.-]*)["']?\s*(?::=|=>|[:=])\s*(["'`])([^"'`\s]{8,})\2/g;
const CREDENTIAL_NAME =
  /(password|passwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token)$/i;
/** In .env files values are usually unquoted: `STRIPE_SECRET=abc123…`. */
const ENV_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']?([^"'\s#]{8,})/;
const PLACEHOLDER =
  /changeme|change_me|example|placeholder|dummy|sample|your[_-]|xxx|\*\*\*|redacted|replace|todo|<|>|\$\{|\{\{|%s|process\.env|^\$/i;

export function secrets(file: ChangedFile, added: AddedLine[]): Finding[] {
  const path = file.filename;
  const findings: Finding[] = [];
  const nextLine = new Map(added.map((a) => [a.line, a.text]));
  for (const { line, text } of added) {
    const message = tokenMessage(text) ?? privateKeyMessage(text, nextLine.get(line + 1));
    const finding = message ?? (isTestFile(path) ? null : assignmentMessage(path, text));
    if (finding) {
      findings.push({ path, line, rule: "possible secret", ...finding });
    }
  }
  return findings;
}

type Found = { severity: Severity; message: string };

function tokenMessage(text: string): Found | null {
  for (const { label, pattern, severity } of TOKEN_FORMATS) {
    const match = pattern.exec(text);
    if (!match || DOCUMENTED_EXAMPLE.test(match[0])) continue;
    return {
      severity,
      message:
        `This line adds what looks like ${label} (\`${masked(match[0])}\`). ` +
        "Revoke it and load it from the environment or a secret store; " +
        "deleting it in a later commit leaves it in the history.",
    };
  }
  return null;
}

/**
 * Only a header followed by key material counts: code that looks for the header string, or
 * docs that show the format with "...", is not a leaked key.
 */
function privateKeyMessage(text: string, next: string | undefined): Found | null {
  if (!PRIVATE_KEY_BEGIN.test(text)) return null;
  if (!INLINE_KEY_BODY.test(text) && !(next !== undefined && BASE64_LINE.test(next))) return null;
  return {
    severity: "high",
    message:
      "This adds a private key. Anyone who can read the repository can use it: " +
      "replace the key pair and keep the new one out of the repository.",
  };
}

function assignmentMessage(path: string, text: string): Found | null {
  const candidates: [string, string][] = [...text.matchAll(ASSIGNMENT)].map((m) => [
    m[1] ?? "",
    m[3] ?? "",
  ]);
  const name = path.split("/").pop() ?? path;
  const envFile = /^\.env(\.|$)/.test(name) && !/(example|sample|template|dist)$/.test(name);
  const env = envFile ? ENV_ASSIGNMENT.exec(text) : null;
  if (env) candidates.push([env[1] ?? "", env[2] ?? ""]);
  for (const [key, value] of candidates) {
    if (!CREDENTIAL_NAME.test(key) || PLACEHOLDER.test(value)) continue;
    // `password = "password"`-style defaults, and values made of one repeated character.
    if (value.toLowerCase() === key.toLowerCase() || /^(.)\1*$/.test(value)) continue;
    return {
      severity: "medium",
      message:
        `\`${key}\` is set to a hard-coded value (\`${masked(value)}\`). ` +
        "If it is a real credential, read it from the environment or a secret store instead.",
    };
  }
  return null;
}

function masked(secret: string): string {
  return `${secret.slice(0, 4)}…`;
}
