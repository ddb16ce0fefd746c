// Prints the mutation score of each folder of a mutation run's JSON report
// (reports/mutation/mutation.json), as `mutation score <folder>: N %`. The score counts a
// timeout as a kill and a mutant no test reaches as a survivor, as Stryker's own does.
// Several reports (a run made in pieces, one --mutate each) are combined: a file reported
// more than once counts as in the last report naming it.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";

const reports =
  process.argv.length > 2 ? process.argv.slice(2) : ["reports/mutation/mutation.json"];
const files = new Map();
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  for (const [path, { mutants }] of Object.entries(report.files)) {
    files.set(path.replaceAll("\\", "/").replace(/^.*?(?=src\/)/, ""), mutants);
  }
}

const folders = new Map();
for (const [path, mutants] of files) {
  const folder = dirname(path);
  const counts = folders.get(folder) ?? {};
  for (const m of mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  folders.set(folder, counts);
}

for (const [folder, c] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  const killed = (c.Killed ?? 0) + (c.Timeout ?? 0);
  const survived = c.Survived ?? 0;
  const unreached = c.NoCoverage ?? 0;
  const valid = killed + survived + unreached;
  const pct = valid === 0 ? "n/a" : `${((killed / valid) * 100).toFixed(1)} %`;
  console.log(
    `mutation score ${folder}: ${pct} (${killed} of ${valid} killed, ${c.Timeout ?? 0} of them by timeout; ${survived} survived; ${unreached} reached by no test)`,
  );
}
