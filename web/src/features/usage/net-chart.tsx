/**
 * Net credits per repository or author as horizontal SVG bars, drawn here for the reason the
 * billing page's chart is (a chart library would outweigh the dashboard). The label sums it
 * up for screen readers; the numbers are the table beside it.
 */
import type { UsageRow } from "./api";

const WIDTH = 600;
const ROW = 26;
const LABEL = 190;
const NUMBER = 50;
const MAX_LABEL_CHARS = 28;

const shorten = (s: string) =>
  s.length > MAX_LABEL_CHARS ? `${s.slice(0, MAX_LABEL_CHARS - 1)}…` : s;

export function NetChart({ rows, by }: { rows: UsageRow[]; by: string }) {
  // A group refunded more than it was charged this month (a charge from last month) has no bar.
  const max = Math.max(1, ...rows.map((r) => r.net));
  const height = rows.length * ROW + 4;
  const inner = WIDTH - LABEL - NUMBER;
  const top = rows[0];
  const label =
    `Net credits by ${by}, ${rows.length} ${rows.length === 1 ? "group" : "groups"}` +
    (top ? `; the first, ${top.key}, ${top.net}.` : ".");
  return (
    <figure class="chart hbars">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label} data-testid="net-chart">
        <title>{label}</title>
        {rows.map((r, i) => {
          const w = (Math.max(0, r.net) / max) * inner;
          const y = i * ROW + 2;
          return (
            <g key={r.key}>
              <text x={LABEL - 8} y={y + ROW / 2 + 4} class="tick" text-anchor="end">
                {shorten(r.key)}
              </text>
              <rect
                class="bar"
                data-key={r.key}
                data-net={r.net}
                x={LABEL}
                y={y + 3}
                width={w}
                height={ROW - 6}
              >
                <title>{`${r.key}: ${r.net}`}</title>
              </rect>
              <text x={LABEL + w + 6} y={y + ROW / 2 + 4} class="tick">
                {r.net}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>Net credits (charged less refunded) per {by}</figcaption>
    </figure>
  );
}
