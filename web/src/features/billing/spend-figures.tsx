import type { Schemas } from "../../api/client";
import { credits, dollars, monthName } from "../../shared/format";

type MonthSpend = Schemas["Spend"]["thisMonth"];

function Month({ label, m, figure }: { label: string; m: MonthSpend; figure: string }) {
  return (
    <div>
      <dt>
        {label} ({monthName(m.month)})
      </dt>
      <dd data-figure={figure}>
        {dollars(m.paid)}
        {m.credits > 0 && m.perReview !== null && (
          <>
            {" "}
            for {credits(m.credits)}, {dollars(m.perReview)} per review
          </>
        )}
      </dd>
    </div>
  );
}

/** Money beside credits: what was paid for credits, and so what a review cost. */
export function SpendFigures({ spend }: { spend: Schemas["Spend"] }) {
  return (
    <section aria-labelledby="spend-title">
      <h2 id="spend-title">Spent on credits (US dollars)</h2>
      <dl class="figures" data-testid="spend-figures">
        <Month label="This month" m={spend.thisMonth} figure="spentThisMonth" />
        <Month label="Last month" m={spend.lastMonth} figure="spentLastMonth" />
      </dl>
    </section>
  );
}
