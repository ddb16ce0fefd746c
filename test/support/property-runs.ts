// How many cases a property test tries. `npm test` tries each property's full number; a
// mutation run (mutation/run.js) sets PROPERTY_RUNS lower, because it runs a property once for
// every mutant the property reaches, and a mutant of the ledger breaks an invariant on almost
// any sequence of commands: the first few cases find it, the other hundreds only cost minutes.
export function propertyRuns(runs: number): number {
  const cap = Number(process.env.PROPERTY_RUNS);
  return Number.isInteger(cap) && cap > 0 ? Math.min(runs, cap) : runs;
}
