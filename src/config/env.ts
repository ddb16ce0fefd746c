/**
 * Configuration, parsed once at boot from the environment and frozen. Nothing else reads
 * process.env. Names follow Probot's own where they overlap, since users script against them.
 * Error messages name the variable and the rule, never the value: some values are secrets.
 */
import { z } from "zod";
import { formatIssue, zodIssues } from "../zod-issues.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** GitHub App id (Probot). */
    APP_ID: optionalString.pipe(z.string().regex(/^\d+$/, "must be a number").optional()),
    /** The App's private key as PEM text, or PRIVATE_KEY_PATH to a .pem file (Probot). */
    PRIVATE_KEY: optionalString,
    PRIVATE_KEY_PATH: optionalString,
    /** Secret GitHub signs webhooks with (Probot). */
    WEBHOOK_SECRET: optionalString,
    /** GitHub Enterprise Server host and protocol (Probot); unset for github.com. */
    GHE_HOST: optionalString,
    GHE_PROTOCOL: z.enum(["http", "https"]).default("https"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
    /** A mongodb:// URI, or "memory" for the in-memory store (nothing persists). */
    MONGODB_URI: z
      .string({ error: "is required (a mongodb:// URI, or memory)" })
      .refine((v) => v === "memory" || /^mongodb(\+srv)?:\/\//.test(v), {
        message: 'must be a mongodb:// or mongodb+srv:// URI, or "memory"',
      }),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379"),
    /** Where users reach this app: links in comments and emails, Stripe return URLs. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:3000"),
    /** The name people mention (@jasper) and command (/jasper). */
    BOT_NAME: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "must be a GitHub-style name")
      .default("jasper"),
    FREE_REVIEWS_PER_MONTH: z.coerce.number().int().min(0).max(10_000).default(3),
    /** web: webhooks and API; worker: the queues; all: both in one process. */
    JASPER_ROLE: z.enum(["web", "worker", "all"]).default("all"),
    /** An OpenAI-compatible chat API; unset: the built-in rule-based reviewer. */
    AI_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    AI_API_KEY: optionalString,
    AI_MODEL: optionalString,
    /** Stripe: without the secret key, checkout answers 503 and everything else works. */
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Points the Stripe client at another host, e.g. a local Stripe-compatible server. */
    STRIPE_API_BASE: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /**
     * Credit packages as JSON, replacing the defaults (Starter, Growth, Scale): an array of
     * { "id", "name", "description", "credits", "priceCents" }. Parsed by src/billing/packages.ts.
     */
    CREDIT_PACKAGES: optionalString,
    /** Where alert emails go out (Mailpit in docker-compose). */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).default("smtp://127.0.0.1:1025"),
    MAIL_FROM: z.string().min(3).default("Jasper <jasper@localhost>"),
  })
  .refine(
    (env) =>
      [env.AI_BASE_URL, env.AI_API_KEY, env.AI_MODEL].every((v) => v === undefined) ||
      [env.AI_BASE_URL, env.AI_API_KEY, env.AI_MODEL].every((v) => v !== undefined),
    {
      message: "set AI_BASE_URL, AI_API_KEY and AI_MODEL together, or none of them",
      path: ["AI_BASE_URL"],
    },
  )
  .refine((env) => !(env.PRIVATE_KEY && env.PRIVATE_KEY_PATH), {
    message: "set PRIVATE_KEY or PRIVATE_KEY_PATH, not both",
    path: ["PRIVATE_KEY"],
  });

export type Config = Readonly<z.output<typeof envSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(zodIssues(result.error, "environment").map(formatIssue));
  }
  return Object.freeze(result.data);
}

/** For the process entry points: parse, or print what is wrong and exit. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
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
