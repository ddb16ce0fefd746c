import { useState } from "preact/hooks";
import type { Schemas } from "../../api/client";
import { credits, currencyName, dateTime, money } from "../../shared/format";
import { inputValue } from "../../shared/input-value";
import { SavedNote } from "../../shared/saved-note";
import { priceIn } from "./package-cards";
import { putAutoTopUp, startCardSetup, type AutoTopUp, type AutoTopUpChange } from "./api";

type Package = Schemas["CreditPackage"];
type Attempt = NonNullable<AutoTopUp["lastAttempt"]>;

/**
 * "$30.00", "€114.00" of integer cents: packages and limits are in the account's billing
 * currency (the one top-ups are charged in).
 */
export const centsIn = (cents: number, currency: string): string =>
  money((cents / 100).toFixed(2), currency);

const OUTCOME: Record<Attempt["status"], string> = {
  in_flight: "being paid",
  paid: "paid",
  declined: "declined by the card's bank",
  authentication_required: "waiting for the cardholder to confirm it",
  failed: "not made (Stripe could not take it)",
};

/**
 * What went wrong, said where the settings are: auto top-up switched off after declines (or
 * with its card), or the last attempt declined or waiting for the cardholder. Null when all
 * is well.
 */
export function autoTopUpProblem(a: AutoTopUp): string | null {
  if (a.switchedOffBecause === "declined") {
    return "Auto top-up is off: the card was declined three times in a row. Save another card and switch it on again.";
  }
  if (a.switchedOffBecause === "card_removed") {
    return "Auto top-up is off: its card was removed. Save a card and switch it on again.";
  }
  const last = a.lastAttempt;
  if (last?.status === "declined" && a.enabled) {
    return `The last automatic top-up (${dateTime(last.at)}) was declined. Jasper tries the card at most once an hour; after three declines in a row it switches auto top-up off.`;
  }
  if (last?.status === "authentication_required") {
    return `The card's bank wants the cardholder to confirm the last automatic top-up (${dateTime(last.at)}): the billing contacts were emailed a link to pay it.`;
  }
  return null;
}

/** An amount typed by a person ("90", "90.50", "€90") as cents; NaN when it is not one. */
const amountToCents = (text: string): number => {
  const t = text.trim().replace(/^[$€£]/, "");
  return /^\d{1,7}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN;
};

/**
 * The Billing page's auto top-up card: the settings form, the card it pays with (or saving
 * one in Stripe Checkout), this month's top-ups against the limit, the last attempt and its
 * outcome, and a banner when something went wrong. Changing it is for admins: the API says
 * so when someone else tries.
 */
export function AutoTopUpCard({
  org,
  initial,
  packages,
  currency,
}: {
  org: string;
  initial: AutoTopUp;
  packages: Package[];
  /** The account's billing currency: what top-ups charge and the limit counts in. */
  currency: string;
}) {
  const cents = (n: number) => centsIn(n, currency);
  const [current, setCurrent] = useState(initial);
  const [form, setForm] = useState({
    enabled: initial.enabled,
    package: initial.package,
    threshold: String(initial.thresholdCredits),
    count: String(initial.monthlyMaxCount),
    money: (initial.monthlyMaxCents / 100).toFixed(2),
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const banner = autoTopUpProblem(current);
  const last = current.lastAttempt;

  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    setProblem(null);
    const change: AutoTopUpChange = {
      enabled: form.enabled,
      package: form.package,
      thresholdCredits: Number(form.threshold),
      monthlyMaxCount: Number(form.count),
      monthlyMaxCents: amountToCents(form.money),
    };
    if (Number.isNaN(change.monthlyMaxCents)) {
      setProblem(
        `The money limit must be an amount in ${currencyName(currency)}, such as 90 or 90.50.`,
      );
      return;
    }
    setBusy(true);
    try {
      setCurrent(await putAutoTopUp(org, change));
      setSaved(change.enabled ? "Auto top-up is on." : "Auto top-up is off.");
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function saveCard() {
    setBusy(true);
    setProblem(null);
    try {
      const { url } = await startCardSetup(org, crypto.randomUUID());
      window.location.assign(url);
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  const field = (id: string, label: string, value: string, key: keyof typeof form) => (
    <p class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        inputMode="decimal"
        value={value}
        onInput={(e) => setForm({ ...form, [key]: inputValue(e) })}
      />
    </p>
  );

  return (
    <section aria-labelledby="auto-top-up-title" data-testid="auto-top-up">
      <h2 id="auto-top-up-title">Auto top-up</h2>
      {banner && (
        <div class="banner banner-critical" role="alert" data-testid="auto-top-up-banner">
          <p>{banner}</p>
        </div>
      )}
      <dl class="figures">
        <div>
          <dt>Card</dt>
          <dd data-figure="card">
            {current.paymentMethod
              ? `${current.paymentMethod.brand} ending in ${current.paymentMethod.last4}`
              : "No card saved"}
          </dd>
        </div>
        <div>
          <dt>This month</dt>
          <dd data-figure="topUpsThisMonth">
            {current.thisMonth.count} of {current.monthlyMaxCount} top-ups,{" "}
            {cents(current.thisMonth.amountCents)} of {cents(current.monthlyMaxCents)}
          </dd>
        </div>
        <div>
          <dt>Last top-up</dt>
          <dd data-figure="lastTopUp">
            {last
              ? `${dateTime(last.at)}: ${credits(last.credits)} for ${cents(last.amountCents)}, ${OUTCOME[last.status]}`
              : "None yet"}
          </dd>
        </div>
      </dl>
      <button type="button" disabled={busy} onClick={() => void saveCard()}>
        {current.paymentMethod ? "Replace the card" : "Save a card"}
      </button>
      <form onSubmit={(e) => void save(e)}>
        <p class="field">
          <label>
            <input
              type="checkbox"
              checked={form.enabled}
              onChange={(e) =>
                setForm({ ...form, enabled: (e.currentTarget as HTMLInputElement).checked })
              }
            />{" "}
            Buy credits automatically when the balance runs low
          </label>
        </p>
        <p class="field">
          <label for="auto-top-up-package">Package</label>
          <select
            id="auto-top-up-package"
            value={form.package}
            onChange={(e) => setForm({ ...form, package: inputValue(e) })}
          >
            {packages.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}: {credits(p.credits)} for {money(priceIn(p, currency).price, currency)}
              </option>
            ))}
          </select>
        </p>
        {field(
          "auto-top-up-threshold",
          "When the balance is at or below (credits)",
          form.threshold,
          "threshold",
        )}
        {field("auto-top-up-count", "At most this many top-ups a month", form.count, "count")}
        {field(
          "auto-top-up-money",
          `At most this much a month (${currencyName(currency)})`,
          form.money,
          "money",
        )}
        <button type="submit" class="primary" disabled={busy}>
          Save auto top-up
        </button>
      </form>
      <SavedNote saved={saved} problem={problem} />
    </section>
  );
}
