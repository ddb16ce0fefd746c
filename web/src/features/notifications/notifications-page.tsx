import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { ErrorNote, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { getSettings, saveSettings, type Settings } from "./api";

/** Like the server's rule, roughly: the server decides, this only catches typos early. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function NotificationsPage() {
  const { org } = useAccount();
  const [settings, reload] = useLoad(() => getSettings(org), [org]);
  return (
    <>
      <h1>Notification settings</h1>
      <Loaded value={settings} what="settings" retry={reload}>
        {(s) => <SettingsForm org={org} initial={s} />}
      </Loaded>
    </>
  );
}

function SettingsForm({ org, initial }: { org: string; initial: Settings }) {
  const [s, setS] = useState(initial);
  const [email, setEmail] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function save(change: Partial<Settings>, what: string) {
    setProblem(null);
    setSaved(null);
    try {
      setS(await saveSettings(org, change));
      setSaved(what);
      return true;
    } catch (err) {
      setProblem((err as Error).message);
      return false;
    }
  }

  async function add(e: Event) {
    e.preventDefault();
    const value = email.trim().toLowerCase();
    if (!EMAIL.test(value)) return setInvalid("Enter an email address, like billing@example.com.");
    if (s.billingContacts.includes(value)) return setInvalid("That address is already a contact.");
    setInvalid(null);
    if (await save({ billingContacts: [...s.billingContacts, value] }, `Added ${value}.`))
      setEmail("");
  }

  return (
    <>
      <div aria-live="polite">{saved && <p class="state ok">{saved}</p>}</div>
      {problem && <ErrorNote message={problem} />}
      <section aria-labelledby="contacts-title">
        <h2 id="contacts-title">Billing contacts</h2>
        <p>They get the low-balance emails (at 10, 3 and 0 credits).</p>
        {s.billingContacts.length === 0 ? (
          <p class="state empty">No billing contacts yet.</p>
        ) : (
          <ul class="contacts" data-testid="contacts">
            {s.billingContacts.map((c) => (
              <li key={c}>
                <span>{c}</span>
                <button
                  type="button"
                  aria-label={`Remove ${c}`}
                  onClick={() =>
                    void save(
                      { billingContacts: s.billingContacts.filter((x) => x !== c) },
                      `Removed ${c}.`,
                    )
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="inline" onSubmit={(e) => void add(e)} noValidate>
          <label for="contact-email">Add a contact</label>
          <input
            id="contact-email"
            type="email"
            autocomplete="email"
            value={email}
            aria-invalid={invalid ? "true" : undefined}
            aria-describedby={invalid ? "contact-error" : undefined}
            onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit">Add</button>
          {invalid && (
            <p id="contact-error" class="field-error">
              {invalid}
            </p>
          )}
        </form>
      </section>
      <section aria-labelledby="emails-title">
        <h2 id="emails-title">Emails and charging</h2>
        <label class="check">
          <input
            type="checkbox"
            checked={s.lowBalanceEmails}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              void save(
                { lowBalanceEmails: on },
                on ? "Low-balance emails on." : "Low-balance emails off.",
              );
            }}
          />
          Send low-balance emails
        </label>
        <fieldset>
          <legend>Review charging</legend>
          <label class="check">
            <input
              type="radio"
              name="reviewCharging"
              checked={s.reviewCharging === "pull_request"}
              onChange={() =>
                void save(
                  { reviewCharging: "pull_request" },
                  "Charging one credit per pull request.",
                )
              }
            />
            One credit per pull request (later pushes are re-reviewed free)
          </label>
          <label class="check">
            <input
              type="radio"
              name="reviewCharging"
              checked={s.reviewCharging === "review_run"}
              onChange={() =>
                void save({ reviewCharging: "review_run" }, "Charging every review run.")
              }
            />
            One credit per review run
          </label>
        </fieldset>
      </section>
    </>
  );
}
