import { useAccount } from "../../shared/account";
import { accountPath } from "../../shared/dashboard-path";
import { credits, date, money, utcDay } from "../../shared/format";
import { onLinkClick } from "../../shared/navigate";
import { getSpend, SpendFigures } from "../../shared/spend-figures";
import { Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { getAutoTopUp, getPackages, transactionsSince } from "./api";
import { AutoTopUpCard } from "./auto-top-up-card";
import { CheckoutCancelled, CheckoutSuccess } from "./checkout-result";
import { PackageCards } from "./package-cards";
import { RunwayNote } from "./runway-note";
import { UsageChart } from "./usage-chart";
import { usagePerDay } from "./usage-per-day";

export function BillingPage({ query }: { query: URLSearchParams }) {
  const { org, summary, refreshSummary } = useAccount();
  const [packages, reloadPackages] = useLoad(() => getPackages(), []);
  const [spend, reloadSpend] = useLoad(() => getSpend(org), [org]);
  const [autoTopUp, reloadAutoTopUp] = useLoad(() => getAutoTopUp(org), [org]);
  const [usage, reloadUsage] = useLoad(async () => {
    const today = new Date();
    const from = utcDay(new Date(today.getTime() - 29 * 86_400_000));
    return usagePerDay(await transactionsSince(org, ["usage", "refund"], from), today);
  }, [org]);
  const checkout = query.get("checkout");

  return (
    <>
      <h1>Billing for {org}</h1>
      {checkout === "success" && <CheckoutSuccess sessionId={query.get("session_id")} />}
      {checkout === "cancelled" && <CheckoutCancelled />}
      <Loaded value={summary} what="the balance" retry={refreshSummary}>
        {(s) => (
          <section aria-labelledby="balance-title">
            <h2 id="balance-title">Balance</h2>
            <dl class="figures" data-testid="billing-figures">
              <div>
                <dt>Balance</dt>
                <dd data-figure="balance">{credits(s.balance)}</dd>
              </div>
              {s.balanceValue && (
                <div>
                  <dt>Worth</dt>
                  <dd
                    data-figure="balanceValue"
                    title={`At ${money(s.balanceValue.perCredit, s.currency)} a credit, the price of your latest purchase`}
                  >
                    {money(s.balanceValue.amount, s.currency)}
                  </dd>
                </div>
              )}
              <div>
                <dt>Free</dt>
                <dd data-figure="free">{credits(s.buckets.free)}</dd>
              </div>
              <div>
                <dt>Plan</dt>
                <dd data-figure="plan">{credits(s.buckets.plan)}</dd>
              </div>
              <div>
                <dt>Bonus</dt>
                <dd data-figure="bonus">{credits(s.buckets.bonus)}</dd>
              </div>
              <div>
                <dt>Purchased</dt>
                <dd data-figure="purchased">{credits(s.buckets.purchased)}</dd>
              </div>
              <div>
                <dt>Next free credits</dt>
                <dd data-figure="nextFreeReset">{date(s.nextFreeReset)}</dd>
              </div>
              <div>
                <dt>Used this month</dt>
                <dd data-figure="usageThisMonth">{credits(s.usageThisMonth)}</dd>
              </div>
            </dl>
            {s.runway && <RunwayNote runway={s.runway} balance={s.balance} />}
          </section>
        )}
      </Loaded>
      <Loaded value={spend} what="spend" retry={reloadSpend}>
        {(sp) => <SpendFigures spend={sp} />}
      </Loaded>
      <p>
        <a href={accountPath(org, "invoices")} onClick={onLinkClick} data-testid="invoices-link">
          Invoices
        </a>{" "}
        for every purchase, with tax, as Stripe issued them.
      </p>
      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Usage, last 30 days</h2>
        <Loaded value={usage} what="usage" retry={reloadUsage}>
          {(days) => <UsageChart days={days} />}
        </Loaded>
      </section>
      <Loaded value={packages} what="packages" retry={reloadPackages}>
        {(p) => (
          <PackageCards
            org={org}
            packages={p.packages}
            currency={summary.state === "ready" ? summary.data.currency : "usd"}
            fixed={summary.state === "ready" ? summary.data.currencyFixed : false}
          />
        )}
      </Loaded>
      <Loaded value={autoTopUp} what="auto top-up" retry={reloadAutoTopUp}>
        {(a) =>
          packages.state === "ready" && (
            <AutoTopUpCard
              org={org}
              initial={a}
              packages={packages.data.packages}
              currency={summary.state === "ready" ? summary.data.currency : "usd"}
            />
          )
        }
      </Loaded>
    </>
  );
}
