import type { ChangedFile, PreparedDiff, SkippedFile } from "./engine.js";

export interface DiffBudget {
  /** Most files reviewed in one pull request. Default 50. */
  maxFiles?: number;
  /** Most patch characters reviewed, summed over the files included. Default 60_000. */
  maxPatchChars?: number;
  /** Whether a path is left out by the repository's configuration (reason "excluded"). */
  excluded?: (path: string) => boolean;
  /** For a re-review: whether a file did not change since the last review (reason "unchanged"). */
  unchanged?: (path: string) => boolean;
}

const LOCK_FILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "cargo.lock",
  "gemfile.lock",
  "poetry.lock",
  "composer.lock",
  "go.sum",
  "pipfile.lock",
]);

/** Directories whose contents are built, downloaded or generated rather than written. */
const GENERATED_DIRS = new Set(["dist", "build", "vendor", "node_modules", "__generated__"]);
const GENERATED_NAMES = [
  /\.min\.(js|css)$/,
  /\.map$/,
  /\.pb\.go$/,
  /_pb2(_grpc)?\.py$/,
  /\.generated\./,
  /\.snap$/,
];

/** The blob id Git gives every empty file. */
const EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

const BINARY_EXTENSIONS = new Set(
  "png jpg jpeg gif webp ico pdf zip gz tgz jar woff woff2 ttf eot mp4 mov exe dll so dylib".split(
    " ",
  ),
);

/**
 * Chooses what a review reads: lock files, generated, binary and removed files are left out,
 * then files are taken in GitHub's order while they fit the budget. A file that does not fit
 * is left out whole (a cut patch would be reviewed as if the file ended there) and later,
 * smaller files may still fit. Every file left out is listed with its reason.
 */
export function prepareDiff(files: ChangedFile[], budget: DiffBudget = {}): PreparedDiff {
  const maxFiles = budget.maxFiles ?? 50;
  const maxPatchChars = budget.maxPatchChars ?? 60_000;
  const included: ChangedFile[] = [];
  const skipped: SkippedFile[] = [];
  let chars = 0;
  for (const file of files) {
    const reason = budget.excluded?.(file.filename)
      ? "excluded"
      : (skipReason(file) ?? (budget.unchanged?.(file.filename) ? "unchanged" : null));
    if (reason) {
      skipped.push({ filename: file.filename, reason });
      continue;
    }
    const size = file.patch?.length ?? 0;
    if (included.length >= maxFiles || chars + size > maxPatchChars) {
      skipped.push({ filename: file.filename, reason: "over_budget" });
      continue;
    }
    included.push(file);
    chars += size;
  }
  return {
    files: included,
    skipped,
    totalAdditions: files.reduce((n, f) => n + f.additions, 0),
    totalDeletions: files.reduce((n, f) => n + f.deletions, 0),
  };
}

function skipReason(file: ChangedFile): SkippedFile["reason"] | null {
  const path = file.filename;
  const name = (path.split("/").pop() ?? path).toLowerCase();
  if (file.status === "removed") return "removed";
  if (LOCK_FILES.has(name) || name.endsWith(".lock")) return "lock_file";
  if (
    path
      .split("/")
      .slice(0, -1)
      .some((dir) => GENERATED_DIRS.has(dir))
  )
    return "generated";
  if (GENERATED_NAMES.some((re) => re.test(name))) return "generated";
  const dot = name.lastIndexOf(".");
  if (dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1))) return "binary";
  if (!file.patch) {
    // GitHub sends no patch for a binary file, a diff too large to show, a rename or copy
    // without edits and an empty new file alike; the line counts and the blob tell them apart.
    if (file.additions + file.deletions > 0) return "no_patch";
    if (file.status === "renamed" || file.status === "copied") return "renamed";
    if (file.sha === EMPTY_BLOB) return "empty";
    return file.status === "unchanged" ? "no_patch" : "binary";
  }
  return null;
}
