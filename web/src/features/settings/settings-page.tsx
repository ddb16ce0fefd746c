import { useAccount } from "../../shared/account";
import { getSettings, type Settings } from "../../shared/account-settings";
import { SavedNote } from "../../shared/saved-note";
import { Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { useSettingsSave } from "../../shared/use-settings-save";

/** How the account is charged for reviews and whom Jasper answers: the account's own settings. */
export function SettingsPage() {
  const { org } = useAccount();
  const [settings, reload] = useLoad(() => getSettings(org), [org]);
  return (
    <>
      <h1>Account settings</h1>
      <Loaded value={settings} what="settings" retry={reload}>
        {(s) => <SettingsForm org={org} initial={s} />}
      </Loaded>
    </>
  );
}

function SettingsForm({ org, initial }: { org: string; initial: Settings }) {
  const { settings: s, saved, problem, save } = useSettingsSave(org, initial);
  return (
    <>
      <SavedNote saved={saved} problem={problem} />
      <fieldset>
        <legend>Review charging</legend>
        <label class="check">
          <input
            type="radio"
            name="reviewCharging"
            checked={s.reviewCharging === "pull_request"}
            onChange={() =>
              void save({ reviewCharging: "pull_request" }, "Charging one credit per pull request.")
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
      <fieldset>
        <legend>Chat</legend>
        <label class="check">
          <input
            type="checkbox"
            checked={s.chatFromNonWriters}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              void save(
                { chatFromNonWriters: on },
                on
                  ? "Chat from people without write access is answered."
                  : "Chat from people without write access is not answered.",
              );
            }}
          />
          Answer chat (@mentions) from people without write access (commands never are)
        </label>
      </fieldset>
    </>
  );
}
