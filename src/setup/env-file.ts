/**
 * Writes settings into .env, keeping everything else in it (comments, other variables, their
 * order): a variable already set on a line is replaced there, a new one is appended.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** A value as a dotenv line holds it: double-quoted, newlines as \n (PEM keys). */
const quote = (value: string) =>
  `"${value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`;

/** One line of .env: `KEY="value"`, on one line whatever the value holds. */
export function envLine(key: string, value: string): string {
  return `${key}=${quote(value)}`;
}

export function updateEnvFile(path: string, values: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  const pending = new Map(Object.entries(values));
  const out = lines.map((line) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    const key = m?.[1];
    if (!key || !pending.has(key)) return line;
    const value = pending.get(key)!;
    pending.delete(key);
    return envLine(key, value);
  });
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  for (const [key, value] of pending) out.push(envLine(key, value));
  // Secrets: readable by the owner only.
  writeFileSync(path, `${out.join("\n")}\n`, { mode: 0o600 });
}
