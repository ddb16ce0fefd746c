import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { getSettings, type Settings } from "../../shared/account-settings";
import { SavedNote } from "../../shared/saved-note";
import { Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { useSettingsSave } from "../../shared/use-settings-save";

/** Like the server's rule, roughly: the server decides, this only catches typos early. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function NotificationsPage() {
  const { org } = useAccount();
  const [settings, reload] = useLoad(() => getSettings(org), [org]);
  return (
    <>
      <h1>Notification settings</h1>
      <Loaded value={settings} what="settings" retry={reload}>
        {(s) => <NotificationsForm org={org} initial={s} />}
      </Loaded>
    </>
  );
}

function NotificationsForm({ org, initial }: { org: string; initial: Settings }) {
  const { settings: s, saved, problem, save } = useSettingsSave(org, initial);
  const [email, setEmail] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);

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
      <SavedNote saved={saved} problem={problem} />
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
        <h2 id="emails-title">Emails</h2>
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
      </section>
    </>
  );
}
