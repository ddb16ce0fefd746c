import { useState } from "preact/hooks";
import { ApiProblem } from "../../api/client";
import { useAccount } from "../../shared/account";
import { credits, date } from "../../shared/format";
import { ErrorNote, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import {
  cancelPlan,
  changePlan,
  getBillingStatus,
  openPortal,
  reactivatePlan,
  startSubscription,
  type BillingStatus,
  type Interval,
  type PlanOffer,
} from "./api";
import {
  cancelWords,
  changeKind,
  changeWords,
  type ChangeKind,
  intervalText,
  priceText,
  reactivateWords,
  scheduledWords,
  subscribed,
} from "./plan-words";

/** What the admin asked for and has not confirmed yet. */
type Pending =
  | { kind: "change"; plan: PlanOffer; interval: Interval }
  | { kind: "cancel" }
  | { kind: "reactivate" };

/** A plan card's button; its accessible name starts with these words, as screen readers read it. */
const BUTTON: Record<ChangeKind, string> = {
  current: "Current plan",
  subscribe: "Subscribe",
  upgrade: "Upgrade",
  downgrade: "Downgrade",
};

/** The API's refusals that the general messages (api/client.ts) would not explain. */
const REFUSALS: Record<number, string> = {
  402: "The prorated payment did not go through: the plan is unchanged. Check the card in Manage billing.",
  409: "This no longer applies: the plan changed meanwhile. The page shows it as it is now.",
};

const problemText = (err: unknown): string =>
  err instanceof ApiProblem && REFUSALS[err.status]
    ? REFUSALS[err.status]!
    : err instanceof Error
      ? err.message
      : "Something went wrong. Try again.";

/**
 * The Plan page: the plan and its billing, this month's plan credits left, the period's end and
 * the seats; changing the plan (monthly or annual), cancelling, reactivating and the Stripe
 * billing portal. Each change says what it does and when before the admin confirms it. Changing
 * is for admins: the API says so when someone else tries.
 */
export function PlanPage() {
  const { org } = useAccount();
  const [status, reload] = useLoad(() => getBillingStatus(org), [org]);
  return (
    <>
      <h1>Plan for {org}</h1>
      <Loaded value={status} what="the plan" retry={reload}>
        {(s) => <PlanView org={org} s={s} reload={reload} />}
      </Loaded>
    </>
  );
}

function PlanView({ org, s, reload }: { org: string; s: BillingStatus; reload(): void }) {
  const { summary, refreshSummary } = useAccount();
  const [interval, setInterval] = useState<Interval>(s.interval ?? "month");
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const held = subscribed(s);
  const end = s.currentPeriod ? date(s.currentPeriod.end) : null;
  const scheduled = held ? scheduledWords(s) : null;

  async function run(work: () => Promise<string | null>) {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      const said = await work();
      setPending(null);
      if (said === null) return; // Leaving for Stripe.
      setDone(said);
      reload();
      refreshSummary();
    } catch (err) {
      setProblem(problemText(err));
      if (err instanceof ApiProblem && err.status === 409) reload();
    } finally {
      setBusy(false);
    }
  }

  const confirm = (p: Pending) => async () => {
    if (p.kind === "cancel") {
      await run(async () => {
        await cancelPlan(org);
        return `Cancelled: ${s.plan.name} stays until ${end ?? "the period's end"}.`;
      });
    } else if (p.kind === "reactivate") {
      await run(async () => {
        await reactivatePlan(org);
        return `Reactivated: ${s.plan.name} renews on ${end ?? "the period's end"}.`;
      });
    } else if (!held) {
      await run(async () => {
        const { url } = await startSubscription(org, p.plan.id, p.interval, crypto.randomUUID());
        window.location.assign(url);
        return null;
      });
    } else {
      await run(async () => {
        const r = await changePlan(org, p.plan.id, p.interval, crypto.randomUUID());
        return r.scheduledChange
          ? `Scheduled: ${p.plan.name} (${intervalText(p.interval).toLowerCase()}) from ${date(r.scheduledChange.at)}.`
          : `Changed: the account is on ${p.plan.name} (${intervalText(p.interval).toLowerCase()}).`;
      });
    }
  };

  async function manage() {
    await run(async () => {
      const { url } = await openPortal(org);
      window.location.assign(url);
      return null;
    });
  }

  const planLeft =
    summary.state === "ready"
      ? credits(summary.data.buckets.plan)
      : summary.state === "loading"
        ? "…"
        : "unavailable";

  return (
    <>
      {s.banner && (
        <div class="banner banner-critical" role="alert" data-testid="payment-failed-banner">
          <p>{s.banner.message}</p>
          <button type="button" class="primary" disabled={busy} onClick={() => void manage()}>
            Manage billing
          </button>
        </div>
      )}
      {problem && <ErrorNote message={problem} />}
      {done && (
        <p class="state ok" role="status">
          {done}
        </p>
      )}
      <section aria-labelledby="current-plan-title">
        <h2 id="current-plan-title">Current plan</h2>
        <dl class="figures" data-testid="plan-figures">
          <div>
            <dt>Plan</dt>
            <dd data-figure="plan">{s.plan.name}</dd>
          </div>
          <div>
            <dt>Billing</dt>
            <dd data-figure="interval">
              {s.custom
                ? `By invoice: $${s.custom.price} a month, due in ${s.custom.daysUntilDue} days`
                : held
                  ? intervalText(s.interval)
                  : "None"}
            </dd>
          </div>
          <div>
            <dt>Plan credits left this month</dt>
            <dd data-figure="planCredits">
              {held ? `${planLeft} of ${credits(s.plan.creditsPerMonth)}` : "None"}
            </dd>
          </div>
          <div>
            <dt>{s.cancelAtPeriodEnd ? "Ends on" : "Renews on"}</dt>
            <dd data-figure="periodEnd">{held && end ? end : "None"}</dd>
          </div>
          <div>
            <dt>Seats used this month</dt>
            <dd data-figure="seats">
              {s.seats.limit === null ? s.seats.used : `${s.seats.used} of ${s.seats.limit}`}
            </dd>
          </div>
        </dl>
        {s.custom && (
          <p class="notice" data-testid="enterprise-note">
            An enterprise plan, set up with Jasper: its terms change through your Jasper contact,
            not here. Its credits are granted each month until {end}.
          </p>
        )}
        <p class="actions">
          <button type="button" disabled={busy} onClick={() => void manage()}>
            Manage billing
          </button>
          {held && !s.custom && !s.cancelAtPeriodEnd && (
            <button type="button" disabled={busy} onClick={() => setPending({ kind: "cancel" })}>
              Cancel plan
            </button>
          )}
          {held && s.cancelAtPeriodEnd && (
            <button
              type="button"
              disabled={busy}
              onClick={() => setPending({ kind: "reactivate" })}
            >
              Reactivate plan
            </button>
          )}
        </p>
        {held && s.cancelAtPeriodEnd && (
          <p class="notice" data-testid="cancelled-note">
            Cancelled: {s.plan.name} stays until {end}; then the account is on Free.
          </p>
        )}
        {scheduled && (
          <p class="notice" data-testid="scheduled-note">
            {scheduled}
          </p>
        )}
        {pending && pending.kind !== "change" && (
          <Confirm
            words={pending.kind === "cancel" ? cancelWords(s) : reactivateWords(s)}
            label={pending.kind === "cancel" ? "Confirm cancelling" : "Confirm reactivating"}
            busy={busy}
            onConfirm={confirm(pending)}
            onBack={() => setPending(null)}
          />
        )}
      </section>
      {/* An enterprise plan changes through the operator, not here. */}
      {!s.custom && (
        <section aria-labelledby="change-plan-title">
          <h2 id="change-plan-title">{held ? "Change plan" : "Choose a plan"}</h2>
          <fieldset class="actions">
            <legend>Billed</legend>
            {(["month", "year"] as const).map((i) => (
              <label key={i}>
                <input
                  type="radio"
                  name="interval"
                  checked={interval === i}
                  onChange={() => {
                    setInterval(i);
                    setPending(null);
                  }}
                />{" "}
                {intervalText(i)}
              </label>
            ))}
          </fieldset>
          <ul class="cards">
            {s.plans.map((p) => {
              const kind = changeKind(s, p, interval);
              return (
                <li class="card" key={p.id} data-plan={p.id}>
                  <h3>{p.name}</h3>
                  <p class="big">{credits(p.creditsPerMonth)} a month</p>
                  <p>
                    <span class="price">{priceText(p, interval, s.currency)}</span>
                    {p.seatLimit !== null && <> · up to {p.seatLimit} seats</>}
                  </p>
                  <button
                    type="button"
                    class={kind === "current" ? "" : "primary"}
                    disabled={busy || kind === "current"}
                    aria-label={`${BUTTON[kind]} ${p.name}, ${priceText(p, interval, s.currency)}`}
                    onClick={() => setPending({ kind: "change", plan: p, interval })}
                  >
                    {BUTTON[kind]}
                  </button>
                </li>
              );
            })}
          </ul>
          {pending?.kind === "change" && (
            <Confirm
              words={changeWords(s, pending.plan, pending.interval)}
              label={
                held
                  ? `Confirm ${pending.plan.name}`
                  : `Continue to Stripe for ${pending.plan.name}`
              }
              busy={busy}
              onConfirm={confirm(pending)}
              onBack={() => setPending(null)}
            />
          )}
        </section>
      )}
    </>
  );
}

/** What the change does and when, with the button that makes it. */
function Confirm(props: {
  words: string;
  label: string;
  busy: boolean;
  onConfirm(): Promise<void>;
  onBack(): void;
}) {
  return (
    <div class="notice" role="region" aria-label="What happens" data-testid="confirm-change">
      <p>{props.words}</p>
      <p class="actions">
        <button
          type="button"
          class="primary"
          disabled={props.busy}
          onClick={() => void props.onConfirm()}
        >
          {props.busy ? "Working…" : props.label}
        </button>
        <button type="button" disabled={props.busy} onClick={props.onBack}>
          Go back
        </button>
      </p>
    </div>
  );
}
