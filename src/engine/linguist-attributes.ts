import picomatch from "picomatch";

/**
 * What a repository's `.gitattributes` says of a path for GitHub's linguist: marked vendored
 * or generated (`linguist-vendored`, `linguist-generated=true`), marked as not (`-linguist-
 * vendored`, `linguist-generated=false`), or nothing (undefined: the built-in recognition
 * decides). The last line that matches and names the attribute wins, as in Git.
 */
export interface LinguistAttributes {
  vendored?: boolean | undefined;
  generated?: boolean | undefined;
}

export type LinguistLookup = (path: string) => LinguistAttributes;

interface Line {
  matches: (path: string) => boolean;
  vendored?: boolean | undefined;
  generated?: boolean | undefined;
}

const ATTRIBUTE = /^([-!]?)linguist-(vendored|generated)(?:=(true|false))?$/;

/** Reads `.gitattributes` text; lines it cannot use (macros, bad patterns) are ignored. */
export function parseGitattributes(text: string): LinguistLookup {
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const [pattern, ...attributes] = raw.trim().split(/\s+/);
    if (!pattern || pattern.startsWith("#") || pattern.startsWith("[")) continue;
    const line: Line = { matches: matcher(pattern) };
    for (const attribute of attributes) {
      const m = ATTRIBUTE.exec(attribute);
      if (!m) continue;
      // "-attr" and "attr=false" unset it; "!attr" returns it to unspecified.
      line[m[2] as "vendored" | "generated"] =
        m[1] === "!" ? undefined : m[1] === "-" ? false : m[3] !== "false";
    }
    if ("vendored" in line || "generated" in line) lines.push(line);
  }
  return (path) => {
    const out: LinguistAttributes = {};
    for (const line of lines) {
      if (!line.matches(path)) continue;
      if ("vendored" in line) out.vendored = line.vendored;
      if ("generated" in line) out.generated = line.generated;
    }
    return out;
  };
}

/**
 * Git's pattern rules: without a slash, the pattern matches a file's name at any depth; with
 * one, it matches from the repository's root; `**` spans directories. A trailing slash names a
 * directory, which attributes never match, so such lines match nothing.
 */
function matcher(pattern: string): (path: string) => boolean {
  if (pattern.endsWith("/")) return () => false;
  const anchored = pattern.includes("/");
  const glob = anchored ? pattern.replace(/^\//, "") : pattern;
  try {
    const test = picomatch(glob, { dot: true });
    return anchored ? test : (path) => test(path.split("/").pop() ?? path);
  } catch {
    return () => false;
  }
}
