/**
 * Credits used per day, as an SVG drawn here: a chart library would outweigh the rest of the
 * dashboard for 30 bars. Screen readers get a summary label and the numbers as a table.
 */
import { date } from "../../shared/format";
import type { DayUsage } from "./usage-per-day";

const WIDTH = 600;
const HEIGHT = 160;
const PAD = { top: 10, right: 8, bottom: 22, left: 30 };

export function UsageChart({ days }: { days: DayUsage[] }) {
  const max = Math.max(1, ...days.map((d) => d.used));
  const total = days.reduce((n, d) => n + d.used, 0);
  const inner = { w: WIDTH - PAD.left - PAD.right, h: HEIGHT - PAD.top - PAD.bottom };
  const step = inner.w / days.length;
  const label = `Credits used per day, last ${days.length} days: ${total} in total, at most ${max} in a day.`;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={label}
        data-testid="usage-chart"
        preserveAspectRatio="none"
      >
        <title>{label}</title>
        <line
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={PAD.top + inner.h}
          y2={PAD.top + inner.h}
          class="axis"
        />
        <text x={PAD.left - 4} y={PAD.top + 8} class="tick" text-anchor="end">
          {max}
        </text>
        <text x={PAD.left - 4} y={PAD.top + inner.h} class="tick" text-anchor="end">
          0
        </text>
        {days.map((d, i) => {
          const h = (d.used / max) * inner.h;
          return (
            <rect
              key={d.day}
              class="bar"
              data-day={d.day}
              data-used={d.used}
              x={PAD.left + i * step + step * 0.15}
              y={PAD.top + inner.h - h}
              width={step * 0.7}
              height={h}
            >
              <title>{`${date(d.day)}: ${d.used}`}</title>
            </rect>
          );
        })}
        <text x={PAD.left} y={HEIGHT - 6} class="tick">
          {date(days[0]?.day ?? "")}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} class="tick" text-anchor="end">
          {date(days[days.length - 1]?.day ?? "")}
        </text>
      </svg>
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
