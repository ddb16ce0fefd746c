// Prints the mutation score of each folder of a mutation run's JSON report
// (reports/mutation/mutation.json), as `mutation score <folder>: N %`. The score counts a
// mutant no test reaches as a survivor, as Stryker's own does, and a timeout as a kill once
// check-timeouts.js has confirmed it (<report>.timeouts.json: a test failed or the run hung); a
// timeout it found passing counts as a survivor, and one not checked yet as a kill, as Stryker
// counts it, but the line says how many are unchecked.
// Several reports (one per group of `npm run mutation`, or pieces run by hand) are combined: a
// mutant reported more than once counts as in the last report naming it. `--file <path>` adds a
// line for that file alone (mutation/run.js passes the files a group names on their own).
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

const reports = [];
const alone = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === "--file") alone.push(process.argv[++i]);
  else reports.push(process.argv[i]);
}
if (reports.length === 0) reports.push("reports/mutation/mutation.json");
// Per file, the mutants by place and change: a later report's result for the same mutant
// replaces an earlier one, and pieces of a file (line ranges run apart) add up.
const files = new Map();
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  const checks = file.replace(/\.json$/, ".timeouts.json");
  const verdicts = existsSync(checks) ? JSON.parse(readFileSync(checks, "utf8")).verdicts : {};
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const name = path.replaceAll("\\", "/").replace(/^.*?(?=src\/)/, "");
    const byPlace = files.get(name) ?? new Map();
    for (const m of mutants) {
      const { start, end } = m.location;
      const place = `${start.line}:${start.column}-${end.line}:${end.column} ${m.mutatorName} ${m.replacement ?? ""}`;
      // check-timeouts.js keys its verdicts by the file and the place.
      const verdict = m.status === "Timeout" ? verdicts[`${name}:${place}`]?.verdict : undefined;
      byPlace.set(place, { ...m, verdict });
    }
    files.set(name, byPlace);
  }
}

const folders = new Map();
for (const [path, byPlace] of files) {
  const mutants = [...byPlace.values()];
  for (const name of [dirname(path), ...(alone.includes(path) ? [path] : [])]) {
    const counts = folders.get(name) ?? {};
    for (const m of mutants) {
      const status =
        m.status !== "Timeout"
          ? m.status
          : m.verdict === "failed" || m.verdict === "hung"
            ? "Timeout"
            : m.verdict === "passed"
              ? "Survived"
              : "Unchecked";
      counts[status] = (counts[status] ?? 0) + 1;
      if (m.verdict === "passed") counts.TimeoutPassed = (counts.TimeoutPassed ?? 0) + 1;
    }
    folders.set(name, counts);
  }
}

for (const [folder, c] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const killed = (c.Killed ?? 0) + (c.Timeout ?? 0) + (c.Unchecked ?? 0);
  const survived = c.Survived ?? 0;
  const unreached = c.NoCoverage ?? 0;
  const valid = killed + survived + unreached;
  const pct = valid === 0 ? "n/a" : `${((killed / valid) * 100).toFixed(1)} %`;
  const timeouts = (c.Timeout ?? 0) + (c.Unchecked ?? 0) + (c.TimeoutPassed ?? 0);
  const unchecked = c.Unchecked ? `, ${c.Unchecked} unchecked (counted as kills)` : "";
  const timeoutsPart =
    timeouts === 0
      ? ""
      : `; ${timeouts} timeouts: ${c.Timeout ?? 0} confirmed, ${c.TimeoutPassed ?? 0} passed when checked (survivors)${unchecked}`;
  console.log(
    `mutation score ${folder}: ${pct} (${killed} of ${valid} killed${timeoutsPart}; ${survived} survived; ${unreached} reached by no test)`,
  );
}
