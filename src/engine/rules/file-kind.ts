/**
 * What the rules need to know about a file from its path alone: its language, and whether it
 * is a test. Rules use these to stay quiet where a pattern is normal (console.log in a test,
 * `#` starting a private field in JavaScript rather than a comment).
 */

const JS_TS = new Set(["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte"]);
const HASH_COMMENTS = new Set(["py", "rb", "sh", "bash", "zsh", "yml", "yaml", "toml", "r"]);

export function extensionOf(path: string): string {
  const name = path.split("/").pop() ?? path;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export const isJsTs = (path: string): boolean => JS_TS.has(extensionOf(path));
export const isPython = (path: string): boolean => extensionOf(path) === "py";
export const isRuby = (path: string): boolean => extensionOf(path) === "rb";
export const isPhp = (path: string): boolean => extensionOf(path) === "php";
export const isGo = (path: string): boolean => extensionOf(path) === "go";
/** Prose, where code-looking words are usually examples. */
export const isDocs = (path: string): boolean =>
  ["md", "mdx", "markdown", "rst", "txt", "adoc"].includes(extensionOf(path));

const TEST_DIR = /(^|\/)(test|tests|__tests__|spec|specs|__mocks__|e2e|cypress)\//i;
const TEST_NAME =
  /(\.(test|spec|e2e|cy)\.[^.]+$)|(_test\.(go|py)$)|(^test_[^/]*\.py$)|(_spec\.rb$)|(^conftest\.py$)/i;

export function isTestFile(path: string): boolean {
  return TEST_DIR.test(path) || TEST_NAME.test(path.split("/").pop() ?? path);
}

/** A line that only holds a comment, so code patterns in it do not run. */
export function isCommentLine(path: string, text: string): boolean {
  const t = text.trimStart();
  if (t.startsWith("//") || t.startsWith("/*") || t.startsWith("*")) return true;
  return t.startsWith("#") && HASH_COMMENTS.has(extensionOf(path));
}
