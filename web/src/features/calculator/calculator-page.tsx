import { useState } from "preact/hooks";
import { credits, currencyName, money } from "../../shared/format";
import { inputValue } from "../../shared/input-value";
import { ErrorNote } from "../../shared/states";
import { estimateCost, type CostEstimate, type Workload } from "./api";

const DEFAULT_WORKLOAD: Workload = {
  pullRequestsPerMonth: 50,
  pushesPerPullRequest: 1,
  charging: "pull_request",
  currency: "usd",
};

/**
 * The cost calculator: a workload in, what it costs a month out (the arithmetic is the
 * server's, POST /billing/calculator). Public: the app shows it signed out too.
 */
export function CalculatorPage({ prefill, note }: { prefill?: Workload; note?: string }) {
  const [workload, setWorkload] = useState<Workload>(prefill ?? DEFAULT_WORKLOAD);
  const [estimate, setEstimate] = useState<CostEstimate | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<Workload>) => setWorkload((w) => ({ ...w, ...change }));

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      setEstimate(await estimateCost(workload));
    } catch (err) {
      setEstimate(null);
      setProblem(err instanceof Error ? err.message : "Could not price this workload.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Cost calculator</h1>
      <p>What a month of reviews costs in credits, and the cheapest way to buy them.</p>
      {note && <p class="state">{note}</p>}
      <form aria-label="Workload" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="calc-prs">Pull requests a month</label>
          <input
            id="calc-prs"
            type="number"
            min={0}
            max={100000}
            step={1}
            required
            value={workload.pullRequestsPerMonth}
            onInput={(e) => set({ pullRequestsPerMonth: Number(inputValue(e)) })}
          />
        </div>
        <fieldset>
          <legend>Review charging</legend>
          <label class="check">
            <input
              type="radio"
              name="charging"
              checked={workload.charging === "pull_request"}
              onChange={() => set({ charging: "pull_request" })}
            />
            One credit per pull request (later pushes are re-reviewed free)
          </label>
          <label class="check">
            <input
              type="radio"
              name="charging"
              checked={workload.charging === "review_run"}
              onChange={() => set({ charging: "review_run" })}
            />
            One credit per review run
          </label>
        </fieldset>
        <div class="field">
          <label for="calc-pushes">Review runs per pull request (pushes, the first included)</label>
          <input
            id="calc-pushes"
            type="number"
            min={1}
            max={1000}
            step={1}
            required
            disabled={workload.charging !== "review_run"}
            value={workload.pushesPerPullRequest}
            onInput={(e) => set({ pushesPerPullRequest: Number(inputValue(e)) })}
          />
        </div>
        <div class="field">
          <label for="calc-currency">Currency</label>
          <select
            id="calc-currency"
            value={workload.currency}
            onChange={(e) =>
              set({ currency: (e.target as HTMLSelectElement).value as Workload["currency"] })
            }
          >
            <option value="usd">US dollars</option>
            <option value="eur">Euros</option>
            <option value="gbp">Pounds sterling</option>
          </select>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Calculate
        </button>
      </form>
      {problem && <ErrorNote message={problem} />}
      {estimate && <Answer e={estimate} />}
    </>
  );
}

function Answer({ e }: { e: CostEstimate }) {
  const mix = e.cheapest.packages.map((p) => `${p.count} × ${p.name}`).join(" + ");
  return (
    <section aria-labelledby="calc-answer" aria-live="polite" data-testid="calculator-answer">
      <h2 id="calc-answer">
        <span data-testid="monthly-cost">{money(e.monthlyCost, e.currency)}</span> a month
      </h2>
      <p>
        {credits(e.creditsPerMonth)} a month ({e.reviewsPerMonth.toLocaleString("en-US")} charged
        reviews); the free tier pays {credits(e.freeCredits)}, so{" "}
        <strong>{credits(e.creditsToBuy)}</strong> to buy.
      </p>
      <p data-testid="cheapest-mix">
        {e.creditsToBuy === 0
          ? "Nothing to buy: the free credits cover it."
          : `Cheapest: ${mix} (${credits(e.cheapest.credits)}; what is left carries over), ${money(e.perReview, e.currency)} per review.`}
      </p>
      <table>
        <caption>Each package on its own (prices in {currencyName(e.currency)})</caption>
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Per review</th>
            <th scope="col">Needed a month</th>
            <th scope="col">Cost a month</th>
          </tr>
        </thead>
        <tbody>
          {e.options.map((o) => (
            <tr key={o.id} data-package={o.id}>
              <th scope="row">{o.name}</th>
              <td>{money(o.perReview, e.currency)}</td>
              <td>{o.count.toLocaleString("en-US")}</td>
              <td>{money(o.price, e.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
