import { useState } from "preact/hooks";
import type { Schemas } from "../../api/client";
import { ErrorNote } from "../../shared/states";
import { credits, dollars } from "../../shared/format";
import { startCheckout } from "./api";

type Package = Schemas["CreditPackage"];

/** Percent saved per credit against the reference package (Starter), in whole percent. */
export function saving(p: Package, reference: Package): number {
  const own = p.priceCents * reference.credits;
  const ref = reference.priceCents * p.credits;
  return ref === 0 ? 0 : Math.round((1 - own / ref) * 100);
}

export function PackageCards({ org, packages }: { org: string; packages: Package[] }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const reference = packages.find((p) => p.id === "starter") ?? packages[0];

  async function buy(p: Package) {
    setBusy(p.id);
    setProblem(null);
    try {
      const { url } = await startCheckout(org, p.id, crypto.randomUUID());
      window.location.assign(url);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "Could not start the purchase.");
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="packages-title" id="packages">
      <h2 id="packages-title">Buy credits</h2>
      {problem && <ErrorNote message={problem} />}
      <ul class="cards">
        {packages.map((p) => {
          const off = reference && p !== reference ? saving(p, reference) : 0;
          return (
            <li class="card" key={p.id} data-package={p.id}>
              <h3>{p.name}</h3>
              <p class="desc">{p.description}</p>
              <p class="big">{credits(p.credits)}</p>
              <p>
                <span class="price">{dollars(p.price)}</span> ·{" "}
                <span class="per">{dollars(p.perReview)} per review</span>
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
                aria-label={`Buy ${p.name}: ${credits(p.credits)} for ${dollars(p.price)}`}
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
