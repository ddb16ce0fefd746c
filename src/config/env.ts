/**
 * Configuration, parsed once at boot from the environment and frozen. Nothing else reads
 * process.env. Names follow Probot's own where they overlap, since users script against them.
 * Error messages name the variable and the form it expects; the value given is shown back only
 * for the variables in SHOWN, never for a secret or a URL that may hold a password.
 */
import { createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { parsePackages } from "../billing/packages.js";
import { parsePlans } from "../billing/plans.js";
import { formatIssueGiven, zodIssues } from "../shared/zod-issues.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

/** An empty value is unset, as for the strings: `PORT=` in .env means the default. */
const blankAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A whole number in [min, max], one message for every way it can be wrong. */
function wholeNumber(min: number, max: number, what = "a whole number") {
  const error = `expected ${what} between ${min} and ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** One of `values`, listed as people type them. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(", ")}` });
}

/** An absolute URL with one of `protocols`, the message giving an example. */
function urlLike(protocols: RegExp, expected: string) {
  return z.url({ protocol: protocols, error: `expected ${expected}` });
}

const httpUrl = (example: string) =>
  urlLike(/^https?$/, `an absolute http(s) URL such as ${example}`);

/** Marks a rule about several variables: what one of them was set to is not the point. */
const COMBINATION = { combination: true } as const;

export const envSchema = z
  .object({
    NODE_ENV: oneOf(["development", "production", "test"]).default("development"),
    /** GitHub App id (Probot). */
    APP_ID: optionalString.pipe(
      z
        .string()
        .regex(/^\d+$/, "expected the App's numeric id (its settings page, App ID), such as 123456")
        .optional(),
    ),
    /** The App's private key as PEM text, or PRIVATE_KEY_PATH to a .pem file (Probot). */
    PRIVATE_KEY: optionalString,
    PRIVATE_KEY_PATH: optionalString,
    /** Secret GitHub signs webhooks with (Probot). */
    WEBHOOK_SECRET: optionalString,
    /** GitHub Enterprise Server host and protocol (Probot); unset for github.com. */
    GHE_HOST: optionalString,
    GHE_PROTOCOL: oneOf(["http", "https"]).default("https"),
    /**
     * The address the HTTP server binds: 0.0.0.0 (every interface) by default, as a container
     * needs to be reachable; 127.0.0.1 keeps it to this machine (behind a local proxy).
     */
    HOST: optionalString.pipe(
      z
        .string()
        .regex(/^[^\s/]+$/, "must be an IP address or a host name")
        .default("0.0.0.0"),
    ),
    /**
     * Which proxies' X-Forwarded-For to believe, as Fastify's trustProxy takes it: unset or
     * "false" (default: the client is whoever connects), "true" (any), or comma-separated
     * addresses/CIDRs of the proxies (the safe choice). Hop counts are refused: Fastify 5
     * treats a number as "trust nothing" (lib/request.js getTrustProxyFn). Behind a load
     * balancer the API's per-address limit on failed sign-ins needs it, or every client
     * shares the balancer's address.
     */
    TRUST_PROXY: optionalString
      .pipe(
        z
          .string()
          .regex(
            /^(true|false|[0-9a-fA-F.:/,\s]+)$/,
            "must be true, false, or proxy addresses/CIDRs",
          )
          .refine((v) => !/^\d+$/.test(v), "a hop count is not supported: name the proxies")
          .optional(),
      )
      .transform((v): boolean | string =>
        v === undefined || v === "false" ? false : v === "true" ? true : v,
      ),
    PORT: z.preprocess(blankAsUnset, wholeNumber(1, 65535).default(3000)),
    LOG_LEVEL: oneOf(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
    /** A mongodb:// URI, or "memory" for the in-memory store (nothing persists). */
    MONGODB_URI: z
      .string({ error: "is required (a mongodb:// URI, or memory)" })
      .refine((v) => v === "memory" || /^mongodb(\+srv)?:\/\//.test(v), {
        message: 'must be a mongodb:// or mongodb+srv:// URI, or "memory"',
      }),
    REDIS_URL: urlLike(
      /^rediss?$/,
      "a redis:// or rediss:// URL such as redis://127.0.0.1:6379",
    ).default("redis://127.0.0.1:6379"),
    /**
     * Where users and GitHub reach this app: links in comments and emails, Stripe return URLs,
     * the App's webhook. Unset: http://localhost:PORT (the transform at the end).
     */
    PUBLIC_URL: optionalString.pipe(
      httpUrl("https://jasper.example.com")
        // Normalised once, so every link built from it is `${PUBLIC_URL}/billing`, never `//billing`.
        .transform((url) => url.replace(/\/+$/, ""))
        .optional(),
    ),
    /** The name people mention (@jasper) and command (/jasper). */
    BOT_NAME: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/,
        "expected a GitHub-style name: letters, digits and -, at most 39, such as jasper",
      )
      .default("jasper"),
    FREE_REVIEWS_PER_MONTH: z.preprocess(blankAsUnset, wholeNumber(0, 10_000).default(3)),
    /**
     * The most failed webhook deliveries one run of the redelivery job asks GitHub to
     * redeliver (the rest wait for the next run, 5 minutes later); 0 turns the job off.
     */
    REDELIVER_PER_RUN: z.preprocess(blankAsUnset, wholeNumber(0, 1_000).default(50)),
    /** web: webhooks and API; worker: the queues; all: both in one process. */
    JASPER_ROLE: oneOf(["web", "worker", "all"]).default("all"),
    /** An OpenAI-compatible chat API; unset: the built-in rule-based reviewer. */
    AI_BASE_URL: optionalString.pipe(httpUrl("https://api.openai.com/v1").optional()),
    AI_API_KEY: optionalString,
    AI_MODEL: optionalString,
    /** The model's context window in tokens (prompt and answer): what a review's prompt fits. */
    AI_CONTEXT_TOKENS: z.preprocess(
      blankAsUnset,
      wholeNumber(2_000, 10_000_000, "a number of tokens").default(128_000),
    ),
    /** Stripe: without the secret key, checkout answers 503 and everything else works. */
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Points the Stripe client at another host, e.g. a local Stripe-compatible server. */
    STRIPE_API_BASE: optionalString.pipe(
      httpUrl("http://localhost:12111")
        // stripe-node always requests /v1/...; a path here would be silently dropped.
        .refine(
          (v) => /^https?:\/\/[^/?#]+\/?$/.test(v),
          "must be a bare origin like http://localhost:12111",
        )
        .optional(),
    ),
    /**
     * Stripe Tax on checkouts: "true" has Stripe calculate tax from the buyer's billing
     * address, collected in Checkout with their tax ID (src/billing/checkout-tax.ts). Off by
     * default, so nothing changes for who does not set it (Stripe Tax must be set up first).
     */
    STRIPE_AUTOMATIC_TAX: oneOf(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    /**
     * Credit packages as JSON, replacing the defaults (Starter, Growth, Scale): an array of
     * { "id", "name", "description", "credits", "priceCents" }. Parsed here, at boot, with the
     * rules of src/billing/packages.ts: a bad price list stops the process instead of selling.
     */
    CREDIT_PACKAGES: optionalString.transform((json, ctx) => {
      try {
        return parsePackages(json);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: (err as Error).message.replace(/^CREDIT_PACKAGES: /, ""),
        });
        return z.NEVER;
      }
    }),
    /**
     * The paid subscription plans as JSON, replacing the defaults (Pro, Team): an array of
     * { "id", "name", "creditsPerMonth", "monthlyCents", "annualCents", "seatLimit"? }, checked
     * at boot with the rules of src/billing/plans.ts. Free is the free tier, always there.
     */
    PLANS: optionalString.transform((json, ctx) => {
      try {
        return parsePlans(json);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message.replace(/^PLANS: /, "") });
        return z.NEVER;
      }
    }),
    /**
     * The operators' credential for /api/operator/v1 (Bearer). Unset: those endpoints do not
     * exist (404). A secret: never logged, only said to be set. At least 32 characters, so
     * that it cannot be guessed through the endpoint.
     */
    OPERATOR_TOKEN: optionalString.pipe(
      z
        .string()
        .min(32, "must be at least 32 characters")
        .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
        .optional(),
    ),
    /** Where alert emails go out (Mailpit in docker-compose). */
    SMTP_URL: urlLike(
      /^smtps?$/,
      "an smtp:// or smtps:// URL such as smtp://127.0.0.1:1025",
    ).default("smtp://127.0.0.1:1025"),
    MAIL_FROM: z
      .string()
      .min(3, "expected a sender such as Jasper <jasper@example.com>")
      .default("Jasper <jasper@localhost>"),
    /**
     * The dashboard's "Sign in with GitHub": the App's OAuth client id and secret (its
     * settings page, "Client ID" and "Client secrets"). Without them the dashboard pages say
     * sign-in is not set up, and everything else runs.
     */
    GITHUB_CLIENT_ID: optionalString,
    GITHUB_CLIENT_SECRET: optionalString,
    /**
     * Encrypts the dashboard's session cookie (which holds the user's GitHub token). Required
     * with the client id and secret, and no default: a default secret is a published one.
     */
    SESSION_SECRET: optionalString.pipe(
      z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)").optional(),
    ),
    /** First-run setup (no APP_ID): register the App under this organization (Probot's name). */
    GH_ORG: optionalString,
    /**
     * First-run setup: a webhook proxy channel (Probot's name; e.g. https://smee.io/new) that
     * the new App sends its events to instead of PUBLIC_URL, for a Jasper GitHub cannot reach.
     * Jasper does not run the proxy's client: `npx smee-client` forwards to it (docs/operations.md).
     */
    WEBHOOK_PROXY_URL: optionalString.pipe(httpUrl("https://smee.io/your-channel").optional()),
    /** How long a dashboard sign-in lasts, in hours (the session cookie's expiry). */
    SESSION_HOURS: z.preprocess(
      blankAsUnset,
      wholeNumber(1, 720, "a whole number of hours").default(8),
    ),
    /** Where the dashboard's built files are (npm run build puts them in dist/web). */
    WEB_DIST: z.string().min(1, "expected a folder such as dist/web").default("dist/web"),
  })
  .refine(
    (env) =>
      [env.AI_BASE_URL, env.AI_API_KEY, env.AI_MODEL].every((v) => v === undefined) ||
      [env.AI_BASE_URL, env.AI_API_KEY, env.AI_MODEL].every((v) => v !== undefined),
    {
      message: "set AI_BASE_URL, AI_API_KEY and AI_MODEL together, or none of them",
      path: ["AI_BASE_URL"],
      params: COMBINATION,
    },
  )
  .refine((env) => !(env.PRIVATE_KEY && env.PRIVATE_KEY_PATH), {
    message: "set PRIVATE_KEY or PRIVATE_KEY_PATH, not both",
    path: ["PRIVATE_KEY"],
    params: COMBINATION,
  })
  .refine(
    (env) =>
      !(env.GITHUB_CLIENT_ID || env.GITHUB_CLIENT_SECRET) ||
      Boolean(env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET && env.SESSION_SECRET),
    {
      message:
        "the dashboard's sign-in needs GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and SESSION_SECRET together",
      path: ["SESSION_SECRET"],
      params: COMBINATION,
    },
  )
  .transform((env) => ({
    ...env,
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    github: githubUrls(env.GHE_HOST, env.GHE_PROTOCOL),
  }));

/** The settings the dashboard's sign-in still lacks; empty when it is set up. */
export function missingSignInSettings(config: Config): string[] {
  return (["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "SESSION_SECRET"] as const).filter(
    (name) => !config[name],
  );
}

/**
 * Where GitHub is: its REST API and the web pages links point at. Built here only, so that
 * GitHub Enterprise Server (GHE_HOST) is honoured everywhere or nowhere.
 */
export interface GitHubUrls {
  /** REST API base, e.g. https://api.github.com or https://ghe.example.com/api/v3 */
  api: string;
  /** Web base for links to pull requests, e.g. https://github.com */
  web: string;
}

function githubUrls(host: string | undefined, protocol: "http" | "https"): GitHubUrls {
  if (!host) return { api: "https://api.github.com", web: "https://github.com" };
  return { api: `${protocol}://${host}/api/v3`, web: `${protocol}://${host}` };
}

export type Config = Readonly<z.output<typeof envSchema>>;

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    /** A line after the problems: where the settings were read from. */
    note?: string,
  ) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}${note ? `\n${note}` : ""}`,
    );
    this.name = "ConfigError";
  }
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const { issues } = result.error;
    throw new ConfigError(
      zodIssues(result.error, "environment").map((issue, i) =>
        formatIssueGiven(issue, shownValue(issues[i]!, env)),
      ),
    );
  }
  return Object.freeze(result.data);
}

/**
 * The variables whose value a message may show back ("got ..."): none is a secret. Left out:
 * the secrets, MONGODB_URI, REDIS_URL and SMTP_URL (a mistyped one may carry its password
 * where redactUrl does not find it), PRIVATE_KEY_PATH, CREDIT_PACKAGES and PLANS (their own messages
 * say what is wrong).
 */
const SHOWN: ReadonlySet<string> = new Set([
  "NODE_ENV",
  "APP_ID",
  "GHE_HOST",
  "GHE_PROTOCOL",
  "HOST",
  "TRUST_PROXY",
  "PORT",
  "LOG_LEVEL",
  "PUBLIC_URL",
  "BOT_NAME",
  "FREE_REVIEWS_PER_MONTH",
  "REDELIVER_PER_RUN",
  "JASPER_ROLE",
  "AI_BASE_URL",
  "AI_MODEL",
  "AI_CONTEXT_TOKENS",
  "STRIPE_API_BASE",
  "STRIPE_AUTOMATIC_TAX",
  "MAIL_FROM",
  "GH_ORG",
  "WEBHOOK_PROXY_URL",
  "SESSION_HOURS",
  "WEB_DIST",
]);

/** What `issue`'s variable was set to, if it may be shown: shortened, without URL credentials. */
function shownValue(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string | undefined {
  const [name, ...rest] = issue.path;
  if (typeof name !== "string" || rest.length > 0 || !SHOWN.has(name)) return undefined;
  if (issue.code === "custom" && issue.params?.combination) return undefined;
  const value = env[name];
  if (value === undefined) return undefined;
  const safe = redactUrl(value);
  return safe.length > 80 ? `${safe.slice(0, 80)}…` : safe;
}

/** The GitHub App's credentials, as a process that receives webhooks and calls GitHub needs them. */
export interface AppCredentials {
  appId: string;
  /** PEM text. */
  privateKey: string;
  webhookSecret: string;
}

/**
 * The App credentials, or a ConfigError naming each one missing. Separate from parseConfig
 * because the operator commands (ledger:verify) run without them.
 */
export function requireAppCredentials(config: Config): AppCredentials {
  const missing = missingAppCredentials(config);
  if (missing.length > 0) {
    throw new ConfigError([
      `${missing.join(", ")}: not set. Jasper needs its GitHub App settings: register a GitHub ` +
        "App from app.yml (docs/operations.md, Registering the GitHub App) and put its id, private key and " +
        "webhook secret in .env.",
    ]);
  }
  return {
    appId: config.APP_ID!,
    privateKey: privateKey(config),
    webhookSecret: config.WEBHOOK_SECRET!,
  };
}

/** The App credentials not set; all three missing means a first run (src/setup). */
export function missingAppCredentials(config: Config): string[] {
  const missing: string[] = [];
  if (!config.APP_ID) missing.push("APP_ID");
  if (!config.PRIVATE_KEY && !config.PRIVATE_KEY_PATH)
    missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH");
  if (!config.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET");
  return missing;
}

/**
 * PEM text from PRIVATE_KEY (escaped newlines allowed, as .env files need) or from a file,
 * refused here unless it is an RSA private key node:crypto reads: otherwise the process would
 * start and every call to GitHub fail on signing its token. The message never holds the key.
 */
function privateKey(config: Config): string {
  const name = config.PRIVATE_KEY ? "PRIVATE_KEY" : "PRIVATE_KEY_PATH";
  let pem: string;
  if (config.PRIVATE_KEY) {
    pem = config.PRIVATE_KEY.replace(/\\n/g, "\n");
  } else {
    try {
      pem = readFileSync(config.PRIVATE_KEY_PATH!, "utf8");
    } catch (err) {
      throw new ConfigError([
        `PRIVATE_KEY_PATH: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      ]);
    }
  }
  const problem = privateKeyProblem(pem);
  if (problem) {
    throw new ConfigError([
      `${name}: ${problem}. Accepted: the PEM text of the App's private key (the .pem file ` +
        "its settings page gives, starting -----BEGIN RSA PRIVATE KEY-----) on several lines, " +
        'or on one line with \\n between the lines, quoted (PRIVATE_KEY="-----BEGIN ...\\n...")' +
        ", as .env needs; or PRIVATE_KEY_PATH naming the .pem file",
    ]);
  }
  return pem;
}

/** Why `pem` is not a key the App can sign with, or undefined. */
function privateKeyProblem(pem: string): string | undefined {
  // Checked by name: universal-github-app-jwt, which signs the App's tokens, refuses this format.
  if (pem.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) {
    return "an OpenSSH key, not the PEM key GitHub gives an App";
  }
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    return "not a PEM private key that can be read";
  }
  if (key.asymmetricKeyType !== "rsa") {
    return `a ${key.asymmetricKeyType ?? "non-RSA"} key; a GitHub App's key is RSA`;
  }
  return undefined;
}

/**
 * Reads `path` (.env in the working directory) into process.env under what the environment
 * sets already: the environment wins, as with Docker's env_file. Returns whether there was
 * one. Node's own parser (process.loadEnvFile), the same one first-run setup writes for.
 */
export function loadDotEnv(path = ".env"): boolean {
  if (!existsSync(path)) return false;
  try {
    process.loadEnvFile(path);
  } catch (err) {
    throw new ConfigError([
      `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    ]);
  }
  return true;
}

/**
 * For the process entry points, the app's and every operator command's alike, so they read
 * the same settings: .env under the environment, parsed; or what is wrong printed, and exit.
 */
export function loadConfigOrExit(): Config {
  return orExit(() => {
    const found = loadDotEnv();
    try {
      return parseConfig(process.env);
    } catch (err) {
      if (!(err instanceof ConfigError) || found) throw err;
      throw new ConfigError(
        err.problems,
        `(no .env in ${resolve(".")}: these settings come from the environment alone)`,
      );
    }
  });
}

/** Runs a configuration check; a ConfigError is printed and ends the process. */
export function orExit<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const SECRETS = [
  "PRIVATE_KEY",
  "WEBHOOK_SECRET",
  "AI_API_KEY",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "OPERATOR_TOKEN",
  "GITHUB_CLIENT_SECRET",
  "SESSION_SECRET",
] as const;

/** The configuration as it may be logged: secrets replaced by whether they are set. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRETS) out[key] = config[key] ? "(set)" : "(unset)";
  // A MongoDB or Redis URI may carry a password.
  out.MONGODB_URI = redactUrl(config.MONGODB_URI);
  out.REDIS_URL = redactUrl(config.REDIS_URL);
  out.SMTP_URL = redactUrl(config.SMTP_URL);
  return out;
}

function redactUrl(value: string): string {
  return value.replace(/\/\/([^@/]*)@/, "//***@");
}
