/**
 * Credits used per day, as an SVG drawn here: a chart library would outweigh the rest of the
 * dashboard for 30 bars. Screen readers get a summary label and the numbers as a table.
 */
import { date } from "../../shared/format";
import type { DayUsage } from "./usage-per-day";

export function UsageChart({ days }: { days: DayUsage[] }) {
  const max = Math.max(1, ...days.map((d) => d.used));
  const total = days.reduce((n, d) => n + d.used, 0);
  const label = `Credits used per day, last ${days.length} days: ${total} in total, at most ${max} in a day.`;
  return (
    <figure class="chart">
      {/* The bars scale with the page (one unit a day, one a credit); the labels are text
          beside them, so they keep their size at any width. */}
      <div class="plot">
        <div class="y-axis" aria-hidden="true">
          <span class="tick">{max}</span>
          <span class="tick">0</span>
        </div>
        <svg
          viewBox={`0 0 ${days.length} ${max}`}
          role="img"
          aria-label={label}
          data-testid="usage-chart"
          preserveAspectRatio="none"
        >
          <title>{label}</title>
          {days.map((d, i) => (
            <rect
              key={d.day}
              class="bar"
              data-day={d.day}
              data-used={d.used}
              x={i + 0.15}
              y={max - d.used}
              width={0.7}
              height={d.used}
            >
              <title>{`${date(d.day)}: ${d.used}`}</title>
            </rect>
          ))}
        </svg>
        <div class="x-axis" aria-hidden="true">
          <span class="tick">{date(days[0]?.day ?? "")}</span>
          <span class="tick">{date(days[days.length - 1]?.day ?? "")}</span>
        </div>
      </div>
      <figcaption>Credits used per day (UTC), net of refunds</figcaption>
      <details>
        <summary>The numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Credits used</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{date(d.day)}</td>
                <td>{d.used}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
