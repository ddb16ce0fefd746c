/** Query-string pieces several routes parse the same way. */
import { z } from "zod";

/** A date ("2026-11-01", midnight UTC) or a date-time with Z or an offset. */
export const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((s) => new Date(s))
  .pipe(z.date());

/** `x=a,b` or `x=a&x=b` of these values; duplicates dropped. */
export function listFilter<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string().max(500), z.array(z.string().max(200)).max(values.length * 2)])
    .transform((v) => [
      ...new Set(
        (Array.isArray(v) ? v : [v])
          .flatMap((s) => s.split(","))
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      ),
    ])
    .pipe(z.array(z.enum(values)))
    .describe(`Comma-separated or repeated: ${values.join(", ")}`);
}
