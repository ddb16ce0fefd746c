import { api, unwrap, type Schemas } from "../api/client";
import { credits, currencyName, money, monthName } from "./format";

/** Money paid for credits this month and last month, in the account's billing currency. */
export const getSpend = (org: string) =>
  unwrap(api.GET("/api/v1/organizations/{org}/billing/spend", { params: { path: { org } } }));

type MonthSpend = Schemas["Spend"]["thisMonth"];

function Month(props: { label: string; m: MonthSpend; figure: string; currency: string }) {
  const { label, m, figure, currency } = props;
  return (
    <div>
      <dt>
        {label} ({monthName(m.month)})
      </dt>
      <dd data-figure={figure}>
        {money(m.paid, currency)}
        {m.credits > 0 && m.perReview !== null && (
          <>
            {" "}
            for {credits(m.credits)}, {money(m.perReview, currency)} per review
          </>
        )}
      </dd>
    </div>
  );
}

/**
 * Money beside credits: what was paid for credits (purchases and top-ups), and so what a
 * review cost, in the account's billing currency. On the Billing and the Usage pages.
 */
export function SpendFigures({ spend }: { spend: Schemas["Spend"] }) {
  return (
    <section aria-labelledby="spend-title">
      <h2 id="spend-title">Spent on credits ({currencyName(spend.currency)})</h2>
      <dl class="figures" data-testid="spend-figures">
        <Month
          label="This month"
          m={spend.thisMonth}
          figure="spentThisMonth"
          currency={spend.currency}
        />
        <Month
          label="Last month"
          m={spend.lastMonth}
          figure="spentLastMonth"
          currency={spend.currency}
        />
      </dl>
    </section>
  );
}
