import { useAccount } from "../../shared/account";
import { getSettings } from "../../shared/account-settings";
import { Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { CalculatorPage } from "./calculator-page";

/**
 * The calculator inside an account, filled in from what the dashboard already loads: the
 * header's balance summary (the last 14 days' pace, 30 days of it) and the account's charging.
 */
export function AccountCalculatorPage() {
  const { org, summary } = useAccount();
  const [settings, reload] = useLoad(() => getSettings(org), [org]);
  if (summary.state === "loading") return <CalculatorPage />;
  const dailySpend = summary.state === "ready" ? summary.data.runway?.dailySpend : undefined;
  return (
    <Loaded value={settings} what="settings" retry={reload}>
      {(s) =>
        dailySpend === undefined ? (
          <CalculatorPage />
        ) : (
          <CalculatorPage
            prefill={{
              pullRequestsPerMonth: Math.min(100_000, Math.round(dailySpend * 30)),
              pushesPerPullRequest: 1,
              charging: s.reviewCharging,
              // Priced in what the account pays in (USD until its first payment).
              currency: summary.state === "ready" ? summary.data.currency : "usd",
            }}
            note={`Filled in with ${org}'s pace of the last 14 days, over 30 days, and its charging.`}
          />
        )
      }
    </Loaded>
  );
}
