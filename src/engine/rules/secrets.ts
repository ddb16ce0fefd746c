import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { ChangedFile } from "../engine.js";
import type { AddedLine } from "../parse-patch.js";
import { extensionOf, isTestFile } from "./file-kind.js";
import type { Confidence, Finding, Severity } from "./finding.js";

/**
 * Credentials committed in the diff. Provider formats come from secretlint's recommended
 * rules (a maintained detector: OpenAI, Anthropic, GitHub, GitLab, Slack tokens and webhooks,
 * npm, SendGrid, database connection strings, ...), plus the formats it lacks below; they are
 * matched everywhere, tests included: a real token in a fixture is just as leaked. A credential
 * named in an assignment (`DB_PASSWORD = "…"`) counts only when its value looks random enough
 * to be one. Messages show at most the first four characters: the review is posted where
 * everyone with read access sees it.
 */

interface TokenFormat {
  label: string;
  pattern: RegExp;
  severity: Severity;
}

/**
 * What secretlint's recommended preset does not recognise, and the shapes it misses at a
 * boundary: an OpenAI key ending in "-", a SendGrid key with "-" in it (both base64url).
 */
const TOKEN_FORMATS: TokenFormat[] = [
  { label: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, severity: "high" },
  { label: "a Stripe live key", pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}/, severity: "high" },
  { label: "a Stripe test key", pattern: /\bsk_test_[A-Za-z0-9]{16,}/, severity: "low" },
  {
    label: "a Google API key",
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/,
    severity: "high",
  },
  {
    label: "an Azure storage account key",
    pattern: /\bAccountKey=[A-Za-z0-9+/]{86}==/,
    severity: "high",
  },
  {
    label: "an OpenAI API key",
    pattern: /\bsk-(?:(?:proj|svcacct|admin)-)?[\w-]{20,}T3BlbkFJ[\w-]{20,}/,
    severity: "high",
  },
  { label: "a SendGrid API key", pattern: /\bSG\.[\w-]{22}\.[\w-]{43}/, severity: "high" },
  { label: "a Hugging Face token", pattern: /\bhf_[A-Za-z0-9]{34,}\b/, severity: "high" },
  { label: "a DigitalOcean token", pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/, severity: "high" },
  { label: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, severity: "high" },
  { label: "a GitHub token", pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}/, severity: "high" },
  { label: "a Slack token", pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/, severity: "high" },
  {
    label: "a URL with a password",
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s:/@"'`]{6,})@[^\s"'`]+/,
    severity: "high",
  },
];

/** How secretlint's rules are named in a finding. */
const SECRETLINT_LABELS: Record<string, string> = {
  aws: "an AWS secret",
  gcp: "a Google Cloud key",
  github: "a GitHub token",
  gitlab: "a GitLab token",
  slack: "a Slack token or webhook",
  npm: "an npm token",
  openai: "an OpenAI API key",
  anthropic: "an Anthropic API key",
  sendgrid: "a SendGrid API key",
  shopify: "a Shopify token",
  huggingface: "a Hugging Face token",
  basicauth: "a URL with a password",
  "database-connection-string": "a database URL with a password",
  privatekey: "a private key",
};

/** Documented examples (AWS's AKIAIOSFODNN7EXAMPLE) and docs' user:password@ URLs. */
const DOCUMENTED_EXAMPLE = /EXAMPLE|:(?:pass(?:word)?|secret|changeme|\*+|x+)@/i;

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
  /(password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token)$/i;
/** In .env files values are usually unquoted: `STRIPE_SECRET=abc123…`. */
const ENV_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']?([^"'\s#]{8,})/;
/** And in YAML: `password: s3cr3t!pass`. */
const YAML_ASSIGNMENT =
  /^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s+([^\s"'#|>&*!{[][^\s#]{7,})\s*(?:#.*)?$/;
const PLACEHOLDER =
  /changeme|change_me|example|placeholder|dummy|sample|your[_-]|xxx|\*\*\*|redacted|replace|todo|<|>|\$\{|\{\{|%s|process\.env|^\$/i;

/**
 * secretlint times itself with performance marks that its profiler keeps for ever (a leak in
 * a server that scans every pull request) and measures later in a promise that rejects, and
 * so ends the process, when two scans of one path overlap or anything clears the marks. Its
 * profiler is one shared instance: marking nothing turns it off.
 */
secretLintProfiler.mark = () => {};

const secretlintConfig = {
  rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }],
};

export async function secrets(file: ChangedFile, added: AddedLine[]): Promise<Finding[]> {
  const path = file.filename;
  const byLine = new Map<number, Found>();
  const nextLine = new Map(added.map((a) => [a.line, a.text]));
  for (const [line, found] of await secretlintFindings(path, added)) byLine.set(line, found);
  for (const { line, text } of added) {
    if (byLine.has(line)) continue;
    const found =
      tokenMessage(text) ??
      privateKeyMessage(text, nextLine.get(line + 1)) ??
      (isTestFile(path) ? null : assignmentMessage(path, text));
    if (found) byLine.set(line, found);
  }
  return [...byLine]
    .sort(([a], [b]) => a - b)
    .map(([line, found]) => ({ path, line, rule: "possible secret", ...found }));
}

type Found = { severity: Severity; confidence: Confidence; message: string };

const leaked = (label: string, value: string) =>
  `This line adds what looks like ${label} (\`${masked(value)}\`). ` +
  "Revoke it and load it from the environment or a secret store; " +
  "deleting it in a later commit leaves it in the history.";

/** secretlint over the added lines, one per line of its input; the findings by new-file line. */
async function secretlintFindings(path: string, added: AddedLine[]): Promise<Map<number, Found>> {
  const out = new Map<number, Found>();
  if (added.length === 0) return out;
  const content = added.map((a) => a.text).join("\n");
  const starts: number[] = [];
  added.reduce((offset, a) => (starts.push(offset), offset + a.text.length + 1), 0);
  const result = await lintSource({
    source: { filePath: path, content, ext: `.${extensionOf(path)}`, contentType: "text" },
    options: { config: secretlintConfig },
  });
  for (const m of result.messages) {
    const [from, to] = m.range;
    const index = starts.findLastIndex((s) => s <= from);
    const at = added[index];
    if (!at || out.has(at.line)) continue;
    const value = content.slice(from, to);
    if (DOCUMENTED_EXAMPLE.test(value)) continue;
    const rule = m.ruleId.replace(/^@secretlint\/secretlint-rule-/, "");
    out.set(at.line, {
      severity: "high",
      confidence: "high",
      message: leaked(SECRETLINT_LABELS[rule] ?? "a credential", value),
    });
  }
  return out;
}

function tokenMessage(text: string): Found | null {
  for (const { label, pattern, severity } of TOKEN_FORMATS) {
    const match = pattern.exec(text);
    if (!match || DOCUMENTED_EXAMPLE.test(match[0]) || PLACEHOLDER.test(match[1] ?? "")) continue;
    return { severity, confidence: "high", message: leaked(label, match[0]) };
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
    confidence: "high",
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
  const unquoted = envFile
    ? ENV_ASSIGNMENT.exec(text)
    : ["yml", "yaml"].includes(extensionOf(path))
      ? YAML_ASSIGNMENT.exec(text)
      : null;
  if (unquoted) candidates.push([unquoted[1] ?? "", unquoted[2] ?? ""]);
  for (const [key, value] of candidates) {
    if (!CREDENTIAL_NAME.test(key) || PLACEHOLDER.test(value) || !looksRandom(key, value)) continue;
    return {
      severity: "medium",
      // Only just random enough (a short word with digits): perhaps a password, perhaps not.
      confidence: entropy(value) >= 3 ? "medium" : "low",
      message:
        `\`${key}\` is set to a hard-coded value (\`${masked(value)}\`). ` +
        "If it is a real credential, read it from the environment or a secret store instead.",
    };
  }
  return null;
}

/**
 * Whether a value could be a password or key rather than a word a program uses: an i18n label
 * (`password: "Passwort"`), a route (`/reset-password`), an error code (`ERR_INVALID_TOKEN`,
 * `auth/token-expired`), an identifier (`SecretManager`). Those are letters joined by
 * separators; a credential mixes letters with digits or symbols, or is long random letters.
 */
function looksRandom(key: string, value: string): boolean {
  if (value.toLowerCase() === key.toLowerCase() || /^(.)\1*$/.test(value)) return false;
  if (value.startsWith("/") || /^\w+:\/\//.test(value)) return false;
  const words = value.split(/[-_./:]+/).filter(Boolean);
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^\w\-./:]/].filter((re) => re.test(value)).length;
  if (/^[A-Za-z-_./:]+$/.test(value)) {
    // Letters only: random when long, mixed in case and not made of camel-case words.
    const camelWords = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
    return value.length >= 16 && classes >= 2 && camelWords.length > value.length / 4;
  }
  return classes >= 2 && entropy(value) >= 2.5 && words.length <= 4;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

function masked(secret: string): string {
  return `${secret.slice(0, 4)}…`;
}
