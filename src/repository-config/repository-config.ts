/**
 * A repository's Jasper configuration: `.github/jasper.yml`, read with Probot's config loader
 * (the repository's file on its default branch; without one, the organization's `.github`
 * repository; `_extends` chains), validated here key by key. docs/repository-config.md documents the keys.
 *
 * Files are merged per top-level key: the first file of the chain (the repository's own, then
 * what it extends) that sets a key decides it, so a repository file that `_extends: .github`
 * overrides the organization's defaults one key at a time. Each effective value keeps the file
 * it came from (`/jasper config` shows it).
 *
 * A file that does not parse, or has an unknown key or a value of the wrong type, never
 * crashes a review and is never ignored silently: the whole configuration falls back to the
 * built-in defaults, and `problems` says what was wrong and where (the check run shows it).
 */
import { z } from "zod";

const patterns = z.array(z.string().trim().min(1).max(300)).max(200);

/** One file's keys; every key optional, nothing else allowed. */
const configFileSchema = z
  .strictObject({
    auto_review: z.boolean(),
    review_drafts: z.boolean(),
    base_branches: patterns,
    skip_authors: z.array(z.string().trim().min(1).max(100)).max(200),
    skip_labels: z.array(z.string().trim().min(1).max(100)).max(200),
    required_labels: z.array(z.string().trim().min(1).max(100)).max(200),
    skip_title_keywords: z.array(z.string().trim().min(1).max(100)).max(100),
    exclude_paths: patterns,
    path_instructions: z
      .record(z.string().trim().min(1).max(300), z.string().trim().min(1).max(2_000))
      .refine((r) => Object.keys(r).length <= 50, "at most 50 patterns"),
    review_on_push: z.boolean(),
    language: z.string().trim().min(1).max(40),
    block_merge: z.boolean(),
  })
  .partial();

export type RepositoryConfigValues = Required<z.output<typeof configFileSchema>>;
export type ConfigKey = keyof RepositoryConfigValues;

export const DEFAULT_REPOSITORY_CONFIG: Readonly<RepositoryConfigValues> = {
  auto_review: true,
  review_drafts: false,
  base_branches: [],
  skip_authors: [],
  skip_labels: [],
  required_labels: [],
  skip_title_keywords: ["WIP", "[skip review]"],
  exclude_paths: [],
  path_instructions: {},
  review_on_push: true,
  language: "English",
  block_merge: false,
};

export const CONFIG_KEYS = Object.keys(DEFAULT_REPOSITORY_CONFIG) as ConfigKey[];

/** The configuration's name in a repository, for Probot's loader and for messages. */
export const CONFIG_PATH = ".github/jasper.yml";

/** One file the loader looked at, in the chain's order (the repository's own first). */
export interface ConfigFile {
  /** Where it lives, for people: `owner/repo:.github/jasper.yml`. */
  source: string;
  /** What its YAML holds; null when the file does not exist. */
  content: unknown;
}

/** What the host read: the files, or why the loader could not read them. */
export interface ConfigRead {
  files: ConfigFile[];
  /** The loader's failure (YAML that does not parse, with where; a file GitHub would not give). */
  error: string | null;
}

export interface RepositoryConfig {
  values: RepositoryConfigValues;
  /** Per key: the file that set it, or "default". */
  sources: Record<ConfigKey, string>;
  /** What was wrong, each naming its file; empty when the configuration was used as written. */
  problems: string[];
}

/** The built-in configuration, with nothing wrong: for tests and when no file exists. */
export function defaultRepositoryConfig(problems: string[] = []): RepositoryConfig {
  return {
    values: { ...DEFAULT_REPOSITORY_CONFIG },
    sources: Object.fromEntries(CONFIG_KEYS.map((k) => [k, "default"])) as Record<
      ConfigKey,
      string
    >,
    problems,
  };
}

/** The effective configuration of what the loader read. */
export function resolveRepositoryConfig(read: ConfigRead): RepositoryConfig {
  if (read.error) return defaultRepositoryConfig([read.error]);
  const problems: string[] = [];
  const parsed: { source: string; values: Partial<RepositoryConfigValues> }[] = [];
  for (const file of read.files) {
    if (file.content === null || file.content === undefined) continue;
    const content =
      typeof file.content === "object" && !Array.isArray(file.content)
        ? withoutExtends(file.content as Record<string, unknown>)
        : file.content;
    const result = configFileSchema.safeParse(content);
    if (result.success) parsed.push({ source: file.source, values: result.data });
    else problems.push(...result.error.issues.map((i) => `${file.source}: ${describe(i)}`));
  }
  if (problems.length > 0) return defaultRepositoryConfig(problems.slice(0, 20));
  const config = defaultRepositoryConfig();
  for (const key of CONFIG_KEYS) {
    const from = parsed.find((p) => p.values[key] !== undefined);
    if (!from) continue;
    (config.values as Record<ConfigKey, unknown>)[key] = from.values[key];
    config.sources[key] = from.source;
  }
  return config;
}

/** `_extends` is the loader's, not a key of Jasper's (it removes it; older versions may not). */
function withoutExtends(content: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...content };
  delete rest._extends;
  return rest;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `\`${k}\``).join(", ");
    return `unknown key${issue.keys.length === 1 ? "" : "s"} ${keys} (known keys: ${CONFIG_KEYS.join(", ")})`;
  }
  const path = issue.path.map(String).join(".");
  if (issue.code === "invalid_type" && issue.path.length === 0) {
    return "the file must be a mapping of keys to values";
  }
  return `\`${path || "(file)"}\`: ${issue.message}`;
}

/** The pull request as the configuration's skip rules read it. */
export interface PullRequestFacts {
  /** The webhook's action: "synchronize" is a push. */
  action: string;
  draft: boolean;
  baseRef: string | null;
  author: string | null;
  labels: string[];
  title: string;
}

/**
 * Why the configuration keeps an automatic review away from this pull request, or null.
 * Drafts are skipped unless `review_drafts`; the rest are the configuration's own rules.
 */
export function configSkipReason(config: RepositoryConfig, pr: PullRequestFacts): string | null {
  const v = config.values;
  if (!v.auto_review) return "configuration: `auto_review` is off";
  if (pr.draft && !v.review_drafts) return "draft";
  if (pr.action === "synchronize" && !v.review_on_push) {
    return "configuration: `review_on_push` is off";
  }
  if (v.base_branches.length > 0 && pr.baseRef !== null) {
    if (!v.base_branches.some((p) => globMatches(p, pr.baseRef!, { basename: false }))) {
      return `configuration: base branch \`${pr.baseRef}\` is not in \`base_branches\``;
    }
  }
  if (pr.author) {
    const author = pr.author.toLowerCase();
    if (v.skip_authors.some((a) => a.toLowerCase() === author)) {
      return `configuration: author \`${pr.author}\` is in \`skip_authors\``;
    }
  }
  const labels = new Set(pr.labels.map((l) => l.toLowerCase()));
  const skipLabel = v.skip_labels.find((l) => labels.has(l.toLowerCase()));
  if (skipLabel) return `configuration: label \`${skipLabel}\` is in \`skip_labels\``;
  if (v.required_labels.length > 0 && !v.required_labels.some((l) => labels.has(l.toLowerCase()))) {
    return `configuration: none of \`required_labels\` is on the pull request`;
  }
  const keyword = v.skip_title_keywords.find((k) => titleHolds(pr.title, k));
  if (keyword) return `configuration: the title holds \`${keyword}\` (\`skip_title_keywords\`)`;
  return null;
}

/** A keyword in a title, any case, not inside a longer word ("WIP" is not in "wipe"). */
function titleHolds(title: string, keyword: string): boolean {
  const t = title.toLowerCase();
  const k = keyword.toLowerCase();
  for (let at = t.indexOf(k); at >= 0; at = t.indexOf(k, at + 1)) {
    const before = at === 0 ? "" : t[at - 1]!;
    const after = t[at + k.length] ?? "";
    const edgeOk = (edge: string, c: string) => !/\w/.test(edge) || !/\w/.test(c);
    if (edgeOk(k[0]!, before) && edgeOk(k[k.length - 1]!, after)) return true;
  }
  return false;
}

/**
 * Whether `path` matches a glob: `*` and `?` within one path segment, `**` across segments,
 * `{a,b}` alternatives. With `basename` (paths), a pattern without a "/" also matches a
 * file's name in any folder, as in .gitignore (`*.md`).
 */
export function globMatches(pattern: string, path: string, { basename = true } = {}): boolean {
  const re = globToRegExp(pattern);
  if (re.test(path)) return true;
  return basename && !pattern.includes("/") && re.test(path.split("/").pop() ?? path);
}

const globCache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  let re = "";
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) re += "|";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const compiled = new RegExp(`^${re}${")".repeat(braces)}$`);
  if (globCache.size > 1000) globCache.clear();
  globCache.set(pattern, compiled);
  return compiled;
}

/** The files a set of patterns leaves out. */
export const excludedBy = (patternsList: readonly string[], path: string): boolean =>
  patternsList.some((p) => globMatches(p, path.replace(/^\/+/, "")));

/** The instructions whose pattern matches at least one of `paths`, with the files it matched. */
export function instructionsFor(
  config: RepositoryConfig,
  paths: readonly string[],
): { pattern: string; text: string; files: string[] }[] {
  return Object.entries(config.values.path_instructions)
    .map(([pattern, text]) => ({
      pattern,
      text,
      files: paths.filter((p) => globMatches(pattern, p)),
    }))
    .filter((i) => i.files.length > 0);
}
