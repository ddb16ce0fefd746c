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
    setProblem(null);
    setSaved(null);
    try {
      setSettings(await saveSettings(org, change));
      setSaved(what);
      return true;
    } catch (err) {
      setProblem((err as Error).message);
      return false;
    }
  }
  return { settings, saved, problem, save };
}
