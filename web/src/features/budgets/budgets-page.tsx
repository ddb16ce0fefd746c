import { useAccount } from "../../shared/account";
import { monthName } from "../../shared/format";
import { Empty, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { getBudgets, type Budgets } from "./api";
import { BudgetBar } from "./budget-bar";
import { BudgetsForm } from "./budgets-form";
import { StoppedReviews } from "./stopped-reviews";

export function BudgetsPage() {
  const { org, refreshSummary } = useAccount();
  const [budgets, reload] = useLoad(() => getBudgets(org), [org]);
  return (
    <>
      <h1>Budgets</h1>
      <p>
        Monthly caps on what reviews may spend (UTC months). A review a budget stops is not charged;
        the pull request says which budget stopped it.
      </p>
      <Loaded value={budgets} what="budgets" retry={reload}>
        {(b) => (
          <>
            <UseThisMonth budgets={b} />
            <StoppedReviews org={org} />
            <BudgetsForm
              org={org}
              initial={b.rules}
              onSaved={() => {
                reload();
                refreshSummary();
              }}
            />
          </>
        )}
      </Loaded>
    </>
  );
}

function UseThisMonth({ budgets }: { budgets: Budgets }) {
  const { rules, use } = budgets;
  const governed = use.repositories.flatMap((rule) =>
    rule.repositories.map((r) => ({ ...r, pattern: rule.pattern })),
  );
  return (
    <section aria-labelledby="use-title" data-testid="budget-use">
      <h2 id="use-title">Use in {monthName(use.period)}</h2>
      <p>Bars turn amber at {rules.warnAtPercent} % of a budget and are full when it is used.</p>
      <BudgetBar label="Account" meter={use.account} unit="credits" />
      <h3>Repositories</h3>
      {use.repositories.length === 0 ? (
        <Empty>No repository budgets.</Empty>
      ) : governed.length === 0 ? (
        <Empty>No repository with a budget was charged this month.</Empty>
      ) : (
        governed.map((r) => (
          <BudgetBar
            key={r.repository}
            label={`${r.repository} (${r.pattern})`}
            meter={r}
            unit="credits"
          />
        ))
      )}
      <h3>Authors</h3>
      {use.authors.length === 0 ? (
        <Empty>No pull request author was charged this month.</Empty>
      ) : (
        use.authors.map((a) => <BudgetBar key={a.login} label={a.login} meter={a} unit="credits" />)
      )}
      {rules.pullRequestRuns !== null && (
        <>
          <h3>Pull requests near their run cap</h3>
          {use.pullRequests.length === 0 ? (
            <Empty>
              No pull request has used {rules.warnAtPercent} % of its{" "}
              {rules.pullRequestRuns === 1 ? "1 run" : `${rules.pullRequestRuns} runs`}.
            </Empty>
          ) : (
            use.pullRequests.map((p) => (
              <BudgetBar key={p.pullRequest} label={p.pullRequest} meter={p} unit="runs" />
            ))
          )}
        </>
      )}
    </section>
  );
}
