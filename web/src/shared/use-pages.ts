import { useEffect, useRef, useState } from "preact/hooks";
import { ApiProblem } from "../api/client";

/** One page of a list the API pages by cursor: its rows, and the cursor of the next (older) page. */
export interface CursorPage<T> {
  rows: T[];
  next: string | null;
}

export type Pages<T> =
  | { state: "loading" }
  | { state: "error"; message: string; status: number }
  | { state: "ready"; rows: T[]; next: string | null; more: boolean };

export interface PagedList<T> {
  pages: Pages<T>;
  loadMore(): void;
  reload(): void;
}

/**
 * A cursor-paged list: the first page when `deps` change, then `loadMore` appends the next.
 * Errors keep the API's status, so a page can tell "not allowed" from "try again".
 */
export function usePages<T>(
  load: (cursor?: string) => Promise<CursorPage<T>>,
  deps: unknown[],
): PagedList<T> {
  const [pages, setPages] = useState<Pages<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  // Which first page is showing: a next page that arrives after the filters changed is dropped.
  const generation = useRef(0);
  const fail = (err: unknown) =>
    setPages({
      state: "error",
      message: err instanceof Error ? err.message : "Something went wrong.",
      status: err instanceof ApiProblem ? err.status : 0,
    });

  useEffect(() => {
    const mine = ++generation.current;
    const live = () => generation.current === mine;
    setPages({ state: "loading" });
    load().then(
      (p) => live() && setPages({ state: "ready", rows: p.rows, next: p.next, more: false }),
      (err: unknown) => live() && fail(err),
    );
  }, [...deps, round]);

  function loadMore() {
    if (pages.state !== "ready" || !pages.next || pages.more) return;
    const before = pages;
    const mine = generation.current;
    setPages({ ...before, more: true });
    load(before.next ?? undefined).then(
      (p) =>
        generation.current === mine &&
        setPages({ state: "ready", rows: [...before.rows, ...p.rows], next: p.next, more: false }),
      (err: unknown) => generation.current === mine && fail(err),
    );
  }

  return { pages, loadMore, reload: () => setRound((r) => r + 1) };
}
