import { useState } from "preact/hooks";
import { inputValue } from "../../shared/input-value";
import { ErrorNote } from "../../shared/states";
import { saveBudgets, type BudgetRules } from "./api";
import { RuleList, type DraftRule } from "./rule-list";

/** A cap as typed: "" is no cap. Kept as text until saved, so a half-typed value stays. */
type Cap = string;
interface Draft {
  account: Cap;
  repositories: DraftRule[];
  authorDefault: Cap;
  authors: DraftRule[];
  pullRequestRuns: Cap;
  warnAtPercent: string;
}

const text = (n: number | null): string => (n === null ? "" : String(n));

const draftOf = (r: BudgetRules): Draft => ({
  account: text(r.account),
  repositories: r.repositories.map((x) => ({ name: x.pattern, credits: String(x.credits) })),
  authorDefault: text(r.authorDefault),
  authors: r.authors.map((x) => ({ name: x.login, credits: String(x.credits) })),
  pullRequestRuns: text(r.pullRequestRuns),
  warnAtPercent: String(r.warnAtPercent),
});

/**
 * A whole number, or an error naming the field. Only what JSON cannot carry as a number is
 * caught here; the limits and everything else are the API's to judge (its 400 is shown).
 */
function numberOf(s: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(s)) throw new Error(`${what}: enter a whole number.`);
  return Number(s);
}
const capOf = (s: string, what: string): number | null =>
  s.trim() === "" ? null : numberOf(s, what);

const rulesOf = (d: Draft): BudgetRules => ({
  account: capOf(d.account, "Account cap"),
  repositories: d.repositories.map((x) => ({
    pattern: x.name,
    credits: numberOf(x.credits, `Cap of ${x.name}`),
  })),
  authorDefault: capOf(d.authorDefault, "Each author's cap"),
  authors: d.authors.map((x) => ({
    login: x.name,
    credits: numberOf(x.credits, `Cap of ${x.name}`),
  })),
  pullRequestRuns: capOf(d.pullRequestRuns, "Review runs per pull request"),
  warnAtPercent: numberOf(d.warnAtPercent, "Warning share"),
});

export function BudgetsForm({
  org,
  initial,
  onSaved,
}: {
  org: string;
  initial: BudgetRules;
  onSaved(): void;
}) {
  const [d, setD] = useState(() => draftOf(initial));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const set = (change: Partial<Draft>) => {
    setSaved(false);
    setD({ ...d, ...change });
  };

  async function save(e: Event) {
    e.preventDefault();
    setProblem(null);
    setSaved(false);
    try {
      setD(draftOf((await saveBudgets(org, rulesOf(d))).rules));
      setSaved(true);
      onSaved();
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  return (
    <form
      aria-labelledby="rules-title"
      data-testid="budget-rules"
      onSubmit={(e) => void save(e)}
      noValidate
    >
      <h2 id="rules-title">Rules</h2>
      <p>Leave a cap empty for no cap; 0 means nothing may be spent there.</p>
      <CapField
        id="cap-account"
        label="Account cap (credits a month)"
        value={d.account}
        onInput={(v) => set({ account: v })}
      />

      <fieldset>
        <legend>Repository caps</legend>
        <p>
          By name or glob (<code>api-*</code>, <code>{"{web,app}"}</code>); an exact name wins over
          globs.
        </p>
        <RuleList
          id="repository"
          rules={d.repositories}
          nameLabel="Repository or glob"
          capLabel="Repository cap (credits)"
          addLabel="Add repository cap"
          onChange={(repositories) => set({ repositories })}
        />
      </fieldset>

      <fieldset>
        <legend>Author caps</legend>
        <CapField
          id="cap-author-default"
          label="Each author (credits a month)"
          value={d.authorDefault}
          onInput={(v) => set({ authorDefault: v })}
        />
        <RuleList
          id="author"
          rules={d.authors}
          nameLabel="GitHub login"
          capLabel="Author cap (credits)"
          addLabel="Add author cap"
          onChange={(authors) => set({ authors })}
        />
      </fieldset>

      <CapField
        id="cap-runs"
        label="Review runs per pull request a month"
        value={d.pullRequestRuns}
        onInput={(v) => set({ pullRequestRuns: v })}
      />
      <CapField
        id="warn-at"
        label="Warn the billing contacts at (% of a budget)"
        value={d.warnAtPercent}
        onInput={(v) => set({ warnAtPercent: v })}
      />

      <button type="submit" class="primary">
        Save budgets
      </button>
      <div aria-live="polite">{saved && <p class="state ok">Budgets saved.</p>}</div>
      {problem && <ErrorNote message={problem} />}
    </form>
  );
}

function CapField({
  id,
  label,
  value: v,
  onInput,
}: {
  id: string;
  label: string;
  value: string;
  onInput(v: string): void;
}) {
  return (
    <p class="field">
      <label for={id}>{label}</label>
      <input id={id} inputMode="numeric" value={v} onInput={(e) => onInput(inputValue(e))} />
    </p>
  );
}
