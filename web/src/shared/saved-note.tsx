import { ErrorNote } from "./states";

/** What the last save did, read out politely, or why it failed. */
export function SavedNote({ saved, problem }: { saved: string | null; problem: string | null }) {
  return (
    <>
      <div aria-live="polite">{saved && <p class="state ok">{saved}</p>}</div>
      {problem && <ErrorNote message={problem} />}
    </>
  );
}
