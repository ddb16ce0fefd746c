import { useCallback, useEffect, useState } from "preact/hooks";

export type Load<T> =
  { state: "loading" } | { state: "error"; message: string } | { state: "ready"; data: T };

/** Runs `load` when `deps` change; `reload` runs it again. Errors become a message. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [value, setValue] = useState<Load<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setValue((v) => (v.state === "ready" ? v : { state: "loading" }));
    load().then(
      (data) => live && setValue({ state: "ready", data }),
      (err: unknown) =>
        live &&
        setValue({
          state: "error",
          message: err instanceof Error ? err.message : "Something went wrong.",
        }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [value, reload];
}
