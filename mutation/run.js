// `npm run mutation [-- <group>... ] [--force] [--concurrency N]`: StrykerJS over the money
// core, one run per group of mutation/groups.js (its files, with only its suites), one after the
// other, each writing its report to reports/mutation/<group>.json; then the per-folder scores of
// the groups run (mutation/folder-scores.js). docs/development.md, "Mutation testing", says how
// to read them. Plain Node, no dependency: it spawns the project's own Stryker.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { GROUPS } from "./groups.js";

const USAGE = `usage: npm run mutation -- [group ...] [--no-incremental] [--force] [--concurrency N] [--mutate P] [--no-timeout-check] [--list]
groups: ${GROUPS.map((g) => g.name).join(", ")} (all of them when none is named)
incremental    on by default: each group reuses its last results (reports/mutation/incremental/
               <group>.json) for mutants whose code and tests did not change; --force retests them
               all and rewrites the file, --no-incremental neither reads nor writes it
--concurrency  Stryker's test runners at once (default 2, for an idle two-core machine; 1 on a shared one)
--mutate       with one group: mutate these comma-separated files or line ranges of its files
               instead (src/billing/stripe-events.ts:176-341), still with the group's suites
--no-timeout-check  skip confirming the group's timeouts (check-timeouts.js) after its run
MUTATION_TESTS (comma-separated globs) replaces every named group's suites, for a quick run.`;

function parse(argv) {
  const options = {
    names: [],
    // On by default: a whole run takes hours on two cores (docs/development.md), a rerun after
    // a change to a few money files or their suites only minutes.
    incremental: true,
    force: false,
    concurrency: 2,
    list: false,
    mutate: undefined,
    timeoutCheck: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--incremental") options.incremental = true;
    else if (arg === "--no-incremental") options.incremental = false;
    else if (arg === "--force") options.force = true;
    else if (arg === "--list") options.list = true;
    else if (arg === "--no-timeout-check") options.timeoutCheck = false;
    else if (arg === "--mutate" || arg.startsWith("--mutate=")) {
      options.mutate = arg.includes("=") ? arg.slice("--mutate=".length) : argv[++i];
    } else if (arg === "--concurrency" || arg.startsWith("--concurrency=")) {
      const value = arg.includes("=") ? arg.split("=")[1] : argv[++i];
      options.concurrency = Number(value);
      if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
        throw new Error(`--concurrency takes a whole number of 1 or more, not ${value}`);
      }
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else options.names.push(arg);
  }
  return options;
}

/**
 * A group's report and incremental file: reports/mutation/<name>.json. A run of some lines
 * (--mutate) has its own, named by them, so that it neither replaces the group's whole report
 * nor spoils its incremental file; folder-scores.js adds the pieces up.
 */
function reportName(group, options) {
  if (options.mutate === undefined) return group.name;
  const lines = options.mutate.replace(/[^A-Za-z0-9.-]+/g, "_").replace(/^_+|_+$/g, "");
  // A file name holds 255 bytes: a long list of pieces is named by its hash instead.
  if (lines.length <= 120) return `${group.name}.${lines}`;
  const hash = createHash("sha256").update(options.mutate).digest("hex").slice(0, 12);
  return `${group.name}.pieces-${hash}`;
}

function strykerRun(group, options) {
  const args = [
    "run",
    "mutation/stryker.config.js",
    "--mutate",
    options.mutate ?? group.files.join(","),
    "--concurrency",
    String(options.concurrency),
  ];
  if (options.incremental) args.push("--incremental");
  if (options.force) args.push("--force");
  const env = {
    ...process.env,
    MUTATION_GROUP: reportName(group, options),
    MUTATION_TESTS: process.env.MUTATION_TESTS || group.tests.join(","),
    // A property runs once per mutant it reaches: 10 cases each (test/support/property-runs.ts).
    PROPERTY_RUNS: process.env.PROPERTY_RUNS || "10",
  };
  return new Promise((resolve, reject) => {
    const child = spawn("node_modules/.bin/stryker", args, { stdio: "inherit", env });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(signal ? 128 : (code ?? 1)));
  });
}

function runNode(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

const runScores = (reports, files) =>
  runNode(["mutation/folder-scores.js", ...reports, ...files.flatMap((f) => ["--file", f])]);

// A timeout counts as a kill once confirmed: each is applied again alone and its suites run.
const checkTimeouts = (report, options) =>
  runNode(["mutation/check-timeouts.js", report, "--concurrency", String(options.concurrency)]);

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.list) {
  for (const g of GROUPS)
    console.log(`${g.name}: ${g.files.join(" ")}\n  suites: ${g.tests.join(" ")}`);
  process.exit(0);
}
const unknown = options.names.filter((n) => !GROUPS.some((g) => g.name === n));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(", ")}\n${USAGE}`);
  process.exit(2);
}
const groups =
  options.names.length === 0 ? GROUPS : GROUPS.filter((g) => options.names.includes(g.name));
if (options.mutate !== undefined && groups.length !== 1) {
  console.error(`--mutate needs exactly one group\n${USAGE}`);
  process.exit(2);
}

const times = [];
for (const group of groups) {
  console.log(`\n=== mutation group ${group.name}: ${group.files.join(" ")}`);
  const started = Date.now();
  const code = await strykerRun(group, options);
  const minutes = (Date.now() - started) / 60000;
  const report = `reports/mutation/${reportName(group, options)}.json`;
  let check = { minutes: 0, code: 0 };
  if (code === 0 && options.timeoutCheck && existsSync(report)) {
    const checkStarted = Date.now();
    const checkCode = await checkTimeouts(report, options);
    check = { minutes: (Date.now() - checkStarted) / 60000, code: checkCode };
  }
  times.push({ group: group.name, minutes, code, check });
  console.log(`=== mutation group ${group.name}: ${minutes.toFixed(1)} min, exit ${code}`);
}

console.log("");
for (const t of times) {
  const check = options.timeoutCheck
    ? `, timeouts checked in ${t.check.minutes.toFixed(1)} min${t.check.code === 0 ? "" : " (some could not be checked)"}`
    : "";
  console.log(
    `group ${t.group}: ${t.minutes.toFixed(1)} min${t.code === 0 ? "" : ` (Stryker exited ${t.code})`}${check}`,
  );
}
const reports = groups
  .map((g) => `reports/mutation/${reportName(g, options)}.json`)
  .filter((file) => existsSync(file));
// A file a group names on its own (not a folder glob) gets its own score line too: the money
// core of src/billing and src/reviews is some of their files, not the whole folder.
const alone = groups.flatMap((g) => g.files.filter((f) => !f.includes("*")));
const scores = reports.length > 0 ? await runScores(reports, alone) : 0;
process.exit(times.some((t) => t.code !== 0 || t.check.code !== 0) || scores !== 0 ? 1 : 0);
