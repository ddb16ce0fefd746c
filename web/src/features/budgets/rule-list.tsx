import { useState } from "preact/hooks";
import { inputValue } from "../../shared/input-value";

/** A named cap as typed: a repository pattern or a login, and its credits (text until saved). */
export interface DraftRule {
  name: string;
  credits: string;
}

/**
 * The rules of one kind (repository caps, author caps) with Remove on each and a row to add
 * one. Changes stay in the form's draft until it is saved.
 */
export function RuleList({
  id,
  rules,
  nameLabel,
  capLabel,
  addLabel,
  onChange,
}: {
  id: string;
  rules: DraftRule[];
  nameLabel: string;
  capLabel: string;
  addLabel: string;
  onChange(rules: DraftRule[]): void;
}) {
  const [next, setNext] = useState<DraftRule>({ name: "", credits: "" });
  return (
    <>
      <ul class="rules" data-testid={`${id}-rules`}>
        {rules.map((r, i) => (
          <li key={r.name}>
            <span>
              <code>{r.name}</code>: {r.credits} credits
            </span>
            <button
              type="button"
              aria-label={`Remove ${r.name}`}
              onClick={() => onChange(rules.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div class="inline">
        <label for={`${id}-name`}>{nameLabel}</label>
        <input
          id={`${id}-name`}
          value={next.name}
          onInput={(e) => setNext({ ...next, name: inputValue(e) })}
        />
        <label for={`${id}-credits`}>{capLabel}</label>
        <input
          id={`${id}-credits`}
          inputMode="numeric"
          value={next.credits}
          onInput={(e) => setNext({ ...next, credits: inputValue(e) })}
        />
        <button
          type="button"
          onClick={() => {
            onChange([...rules, { ...next, name: next.name.trim() }]);
            setNext({ name: "", credits: "" });
          }}
        >
          {addLabel}
        </button>
      </div>
    </>
  );
}
