import { useState } from "preact/hooks";
import type { Schemas } from "../../api/client";
import { ErrorNote } from "../../shared/states";
import { credits, money } from "../../shared/format";
import { startCheckout, type Currency } from "./api";

type Package = Schemas["CreditPackage"];

/** Percent saved per credit against the reference package (Starter), in whole percent. */
export function saving(p: Package, reference: Package): number {
  const own = p.priceCents * reference.credits;
  const ref = reference.priceCents * p.credits;
  return ref === 0 ? 0 : Math.round((1 - own / ref) * 100);
}

/** The package's price and price per review in `currency` (the USD ones if it is not sold in it). */
export function priceIn(p: Package, currency: string): { price: string; perReview: string } {
  return p.prices.find((x) => x.currency === currency) ?? p;
}

/**
 * The packages at their prices in the account's billing currency (USD until its first
 * payment fixes one), bought in it: the API refuses another once it is fixed.
 */
export function PackageCards(props: {
  org: string;
  packages: Package[];
  /** The account's billing currency, and whether its first payment fixed it. */
  currency: Currency;
  fixed: boolean;
}) {
  const { org, packages, fixed } = props;
  const [picked, setPicked] = useState<Currency>(props.currency);
  const currency = fixed ? props.currency : picked;
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const reference = packages.find((p) => p.id === "starter") ?? packages[0];

  async function buy(p: Package) {
    setBusy(p.id);
    setProblem(null);
    try {
      const { url } = await startCheckout(org, p.id, crypto.randomUUID(), currency);
      window.location.assign(url);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "Could not start the purchase.");
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="packages-title" id="packages">
      <h2 id="packages-title">Buy credits</h2>
      {!fixed && (
        <p>
          <label>
            Pay in{" "}
            <select
              data-testid="checkout-currency"
              value={picked}
              onChange={(e) => setPicked((e.target as HTMLSelectElement).value as Currency)}
            >
              <option value="usd">US dollars</option>
              <option value="eur">Euros</option>
              <option value="gbp">Pounds sterling</option>
            </select>
          </label>{" "}
          (your first payment fixes it: later purchases and top-ups are in the same currency)
        </p>
      )}
      {problem && <ErrorNote message={problem} />}
      <ul class="cards">
        {packages.map((p) => {
          const off = reference && p !== reference ? saving(p, reference) : 0;
          const shown = priceIn(p, currency);
          return (
            <li class="card" key={p.id} data-package={p.id}>
              <h3>{p.name}</h3>
              <p class="desc">{p.description}</p>
              <p class="big">{credits(p.credits)}</p>
              <p>
                <span class="price">{money(shown.price, currency)}</span> ·{" "}
                <span class="per">{money(shown.perReview, currency)} per review</span>
              </p>
              {off > 0 && reference && (
                <p class="saving">
                  Save {off} % vs {reference.name}
                </p>
              )}
              <button
                type="button"
                class="primary"
                disabled={busy !== null}
                aria-label={`Buy ${p.name}: ${credits(p.credits)} for ${money(shown.price, currency)}`}
                onClick={() => void buy(p)}
              >
                {busy === p.id ? "Opening checkout…" : "Buy"}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
