import { useState } from "preact/hooks";
import { saveSettings, type Settings } from "./account-settings";

/**
 * The settings as last saved, and a save that says what it did ("Added …") or what went wrong:
 * every settings page saves a change at once, one field at a time.
 */
export function useSettingsSave(org: string, initial: Settings) {
  const [settings, setSettings] = useState(initial);
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function save(change: Partial<Settings>, what: string): Promise<boolean> {
    const before = settings;
    setProblem(null);
    setSaved(null);
    // Shown at once, as the control was clicked (a controlled box that waited for the server
    // would flip back on the next render); put back if the server refuses.
    setSettings({ ...before, ...change });
    try {
      setSettings(await saveSettings(org, change));
      setSaved(what);
      return true;
    } catch (err) {
      setSettings(before);
      setProblem((err as Error).message);
      return false;
    }
  }
  return { settings, saved, problem, save };
}
