/**
 * Net credits per repository or author as horizontal bars, drawn here for the reason the
 * billing page's chart is (a chart library would outweigh the dashboard). Each row is text,
 * a bar and text, so the labels keep their size at any width; a bar is an SVG as the budget
 * bars are (the page's CSP allows no inline style to size one with). The label sums it up
 * for screen readers; the numbers are the table beside it.
 */
import type { UsageRow } from "./api";

export function NetChart({ rows, by }: { rows: UsageRow[]; by: string }) {
  // A group refunded more than it was charged this month (a charge from last month) has no bar.
  const max = Math.max(1, ...rows.map((r) => r.net));
  const top = rows[0];
  const label =
    `Net credits by ${by}, ${rows.length} ${rows.length === 1 ? "group" : "groups"}` +
    (top ? `; the first, ${top.key}, ${top.net}.` : ".");
  return (
    <figure class="chart hbars">
      <div role="img" aria-label={label} data-testid="net-chart">
        {rows.map((r) => (
          <div class="hbar" key={r.key} title={`${r.key}: ${r.net}`}>
            <span class="tick key">{r.key}</span>
            <svg viewBox="0 0 100 1" preserveAspectRatio="none">
              <rect
                class="bar"
                data-key={r.key}
                data-net={r.net}
                width={(Math.max(0, r.net) / max) * 100}
                height="1"
              />
            </svg>
            <span class="tick num">{r.net}</span>
          </div>
        ))}
      </div>
      <figcaption>Net credits (charged less refunded) per {by}</figcaption>
    </figure>
  );
}
