import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { date } from "../../shared/format";
import { PagedTable } from "../../shared/paged-table";
import { ErrorNote } from "../../shared/states";
import { usePages } from "../../shared/use-pages";
import { deleteLearning, getLearningsPage, type Learning } from "./api";

/**
 * What the team taught the reviewer (`/jasper learn`, `don't flag this`), all in one place:
 * searched, paged by cursor, each deletable (audited).
 */
export function LearningsPage() {
  const { org } = useAccount();
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const list = usePages((cursor) => getLearningsPage(org, search, cursor), [org, search]);

  async function remove(l: Learning) {
    if (!window.confirm(`Delete the learning "${l.text}"? Later reviews no longer follow it.`)) {
      return;
    }
    setProblem(null);
    try {
      await deleteLearning(org, l.id);
      list.reload();
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  return (
    <>
      <h1>Learnings</h1>
      <p>
        What people with write access taught Jasper's reviewer in {org}'s pull requests. The AI
        reviewer is told the ones that apply to a repository; one that names a built-in rule and
        paths silences that rule there. Deleting one is recorded in the audit log.
      </p>
      {problem && <ErrorNote message={problem} />}
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(typed.trim());
        }}
      >
        <label for="learning-search">Search</label>
        <input
          id="learning-search"
          type="search"
          value={typed}
          maxLength={100}
          onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
      </form>
      <PagedTable
        list={list}
        what="learnings"
        empty={
          search
            ? "No learning matches this search."
            : "Nothing learned yet: reply `don't flag this` to one of Jasper's comments, or comment `/jasper learn <text>`."
        }
        caption="Learnings, newest first"
        columns={["Learned", "Where", "Text", "Silences", "Taught by", ""]}
        testId="learnings"
        more="Older learnings"
        row={(l) => (
          <tr key={l.id} data-learning={l.id}>
            <td>{date(l.createdAt)}</td>
            <td>{l.scope === "organization" ? "Every repository" : l.repository}</td>
            <td>{l.text}</td>
            <td>{l.rule ? `${l.rule} in ${l.paths ?? ""}` : "—"}</td>
            <td>{l.author.login}</td>
            <td>
              <button type="button" onClick={() => void remove(l)}>
                Delete
              </button>
            </td>
          </tr>
        )}
      />
    </>
  );
}
