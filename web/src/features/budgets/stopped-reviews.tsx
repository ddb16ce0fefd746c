import { dateTime } from "../../shared/format";
import { Empty, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { getPausedReviews, type PausedReview } from "./api";

/** What stopped a review, in the words the page uses. */
const WHY: Record<PausedReview["why"], string> = {
  account: "the account's budget",
  repository: "the repository's budget",
  author: "the author's budget",
  pull_request_runs: "the run cap per pull request",
  seats: "the plan's seat limit",
  balance: "no credits left",
};

/**
 * The dashboard's side of "nothing Jasper decides is silent": every review a budget or the
 * balance stopped this month, as the pull request shows it too.
 */
export function StoppedReviews({ org }: { org: string }) {
  const [paused, reload] = useLoad(() => getPausedReviews(org), [org]);
  return (
    <section aria-labelledby="stopped-title" data-testid="stopped-reviews">
      <h2 id="stopped-title">Reviews stopped this month</h2>
      <Loaded value={paused} what="stopped reviews" retry={reload}>
        {({ reviews }) =>
          reviews.length === 0 ? (
            <Empty>No review was stopped this month.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Reviews stopped this month</caption>
                <thead>
                  <tr>
                    <th scope="col">Pull request</th>
                    <th scope="col">Stopped by</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {reviews.map((r) => (
                    <tr key={`${r.repository}#${r.number}@${r.headSha}:${r.at}`}>
                      <td>
                        <a href={r.url} rel="noreferrer" target="_blank">
                          {r.repository}#{r.number}
                        </a>
                      </td>
                      <td>{WHY[r.why]}</td>
                      <td>{dateTime(r.at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}
