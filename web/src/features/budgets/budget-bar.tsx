import { credits } from "../../shared/format";
import type { BudgetMeter } from "./api";

/**
 * One budget's use this month: a bar (warning colour from the account's warning share, full
 * at the cap) and the same in words, which is what a screen reader gets.
 */
export function BudgetBar({
  label,
  meter,
  unit,
}: {
  label: string;
  meter: BudgetMeter;
  unit: "credits" | "runs";
}) {
  const { used, cap, level } = meter;
  const share = cap === null ? null : cap === 0 ? 100 : Math.min(100, (used / cap) * 100);
  const amount = (n: number) =>
    unit === "credits" ? credits(n) : `${n.toLocaleString("en-US")} ${n === 1 ? "run" : "runs"}`;
  const words =
    cap === null
      ? `${amount(used)}, no cap`
      : `${used.toLocaleString("en-US")} of ${amount(cap)}` +
        (level === "used_up" ? ", used up" : level === "warning" ? ", nearly used" : "");
  return (
    <div class="budget" data-budget={label} data-level={level ?? "none"}>
      <span class="budget-label">{label}</span>
      <span class="budget-words">{words}</span>
      {share !== null && (
        // SVG, as the usage chart: the page's CSP allows no inline styles to size a bar with.
        <svg
          class={`budget-bar level-${level ?? "ok"}`}
          viewBox="0 0 100 1"
          preserveAspectRatio="none"
          aria-hidden="true"
        >
          <rect class="track" width="100" height="1" />
          <rect class="fill" width={share} height="1" />
        </svg>
      )}
    </div>
  );
}
