// `node mutation/check-timeouts.js [report.json ...] [--concurrency N]`: confirms each mutant a
// mutation run reported as a timeout. Stryker counts a timeout as a kill (the mutant made a test
// loop or wait forever), but on a loaded machine a mutant that only makes the tests slower times
// out too. So each one is applied again, alone, in a copy of the project, and the suites holding
// the tests that reach it are run with Jest and a generous limit:
// - "failed": a test failed (or a suite could not run): a kill;
// - "hung": the run passed the limit (five times the same suites' unmutated time, at least a
//   minute): a kill, an endless loop or a wait that never ends;
// - "passed": every test passed: not a kill; mutation/folder-scores.js counts it as a survivor.
// The verdicts go beside the report (<report>.timeouts.json), where folder-scores.js reads them;
// a kill found before for the same source and change is kept, a pass is checked again (a new
// test may kill it). mutation/run.js runs this after each group. Plain Node, no dependency.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { isAbsolute, join, relative } from "node:path";

const ROOT = process.cwd();
// What a copy of the project leaves out: installed packages (linked instead) and run output.
const NOT_COPIED = new Set([
  "node_modules",
  ".git",
  "reports",
  ".stryker-tmp",
  "dist",
  "coverage",
  "artifacts",
]);
const MIN_LIMIT_SECONDS = 60;
const LIMIT_FACTOR = 5;

function parse(argv) {
  const options = { reports: [], concurrency: 2 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--concurrency" || arg.startsWith("--concurrency=")) {
      const value = arg.includes("=") ? arg.split("=")[1] : argv[++i];
      options.concurrency = Number(value);
      if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
        throw new Error(`--concurrency takes a whole number of 1 or more, not ${value}`);
      }
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else options.reports.push(arg);
  }
  if (options.reports.length === 0) {
    const dir = "reports/mutation";
    options.reports = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".json") && !f.endsWith(".timeouts.json"))
          .map((f) => join(dir, f))
      : [];
  }
  return options;
}

/** A path of the report (absolute, in Stryker's sandbox, or relative) as one under the project. */
function projectPath(path) {
  const plain = path.replaceAll("\\", "/").replace(/^.*\/\.stryker-tmp\/sandbox-[^/]+\//, "");
  return isAbsolute(plain) ? relative(ROOT, plain) : plain;
}

function offsetOf(source, { line, column }) {
  // Stryker's positions count lines and columns from one; the end is just past the mutated code.
  let offset = 0;
  for (let l = 1; l < line; l++) offset = source.indexOf("\n", offset) + 1;
  return offset + column - 1;
}

const hash = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** The timeouts of one report, each with its mutated source and the suite files to run. */
function timeoutsOf(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const fileOfTest = new Map();
  const nameOfTest = new Map();
  for (const [path, { tests }] of Object.entries(report.testFiles ?? {})) {
    for (const test of tests) {
      fileOfTest.set(test.id, projectPath(path));
      nameOfTest.set(test.id, test.name);
    }
  }
  const allFiles = [...new Set(fileOfTest.values())].sort();
  const timeouts = [];
  for (const [path, { source, mutants }] of Object.entries(report.files)) {
    const file = projectPath(path);
    // A mutant of an older source, run against today's tests, would answer for neither: the
    // report must be made again (Stryker's incremental run is quick for a changed file).
    const stale = !existsSync(file) || readFileSync(file, "utf8") !== source;
    if (stale) console.warn(`${file} changed since ${reportFile}: its timeouts are not checked`);
    for (const m of mutants.filter((mutant) => mutant.status === "Timeout")) {
      const { start, end } = m.location;
      const from = offsetOf(source, start);
      const to = offsetOf(source, end);
      const replacement = m.replacement ?? "";
      // A static mutant (coveredBy empty) runs with every test, as Stryker ran it.
      const covered = (m.coveredBy ?? []).map((id) => fileOfTest.get(id)).filter(Boolean);
      const names = (m.coveredBy ?? []).map((id) => nameOfTest.get(id)).filter(Boolean);
      timeouts.push({
        key: `${file}:${start.line}:${start.column}-${end.line}:${end.column} ${m.mutatorName} ${replacement}`,
        file,
        original: source.slice(from, to),
        replacement,
        mutated: source.slice(0, from) + replacement + source.slice(to),
        sourceHash: hash(source),
        stale,
        tests: covered.length > 0 ? [...new Set(covered)].sort() : allFiles,
        names: names.length > 0 ? names : undefined,
      });
    }
  }
  return { timeouts, allFiles };
}

function makeSandbox(index) {
  const dir = join(ROOT, ".stryker-tmp", `timeout-check-${process.pid}-${index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(ROOT)) {
    if (!NOT_COPIED.has(entry)) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Runs the suite files in the sandbox, only the tests named in `names` when given (as Stryker
 * ran the mutant: by name); resolves { outcome: "passed"|"failed"|"hung"|"error", seconds, detail }.
 * With `json`, the whole run, without --bail, writes Jest's result there.
 */
function runJest(sandbox, tests, limitSeconds, { names, json } = {}) {
  const args = [
    "--experimental-vm-modules",
    "node_modules/jest/bin/jest.js",
    "--config",
    "mutation/timeout-check.jest.config.js",
    "--ci",
    "--maxWorkers=1",
    // Jest's --json result is not written when --bail stops a run: its report on stderr is read.
    ...(json ? ["--json", "--outputFile", json] : ["--bail"]),
    ...(names ? ["--testNamePattern", `^(?:${names.map(escapeRegExp).join("|")})$`] : []),
    "--runTestsByPath",
    ...tests,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so that a hung run is stopped with Jest's workers.
    const child = spawn(process.execPath, args, {
      cwd: sandbox,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      // As in the mutation run (mutation/run.js): 10 cases per property.
      env: { ...process.env, PROPERTY_RUNS: process.env.PROPERTY_RUNS || "10", FORCE_COLOR: "0" },
    });
    // Jest's report, kept to its first 200 kB: the first failure is near its start.
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 200_000) stderr += chunk;
    });
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      process.kill(-child.pid, "SIGKILL");
    }, limitSeconds * 1000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (hung) return resolve({ outcome: "hung", seconds, detail: `over ${limitSeconds} s` });
      // A pass counts only if the tests ran: a name pattern that matched none passes too.
      if (code === 0 && !/^Tests:.*\b[1-9]\d* passed/m.test(stderr)) {
        return resolve({ outcome: "error", seconds, detail: "no test ran" });
      }
      if (code === 0) return resolve({ outcome: "passed", seconds, detail: "" });
      resolve({ outcome: "failed", seconds, detail: failureOf(stderr, code) });
    });
  });
}

/** The first failing test Jest's report names ("FAIL <file>", then "● <test>"), or its last lines. */
function failureOf(stderr, code) {
  const file = /^FAIL (\S+)/m.exec(stderr)?.[1];
  const test = /^\s*● (.+)$/m.exec(stderr)?.[1];
  if (file && test) return `${file}: ${test}`;
  const last = stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
  return `Jest exited ${code}: ${last}`;
}

function writeVerdicts(verdictFile, reportFile, verdicts) {
  writeFileSync(verdictFile, `${JSON.stringify({ report: reportFile, verdicts }, null, 2)}\n`);
}

async function checkReport(reportFile, concurrency) {
  const verdictFile = reportFile.replace(/\.json$/, ".timeouts.json");
  const before = existsSync(verdictFile)
    ? JSON.parse(readFileSync(verdictFile, "utf8")).verdicts
    : {};
  const { timeouts, allFiles } = timeoutsOf(reportFile);
  const verdicts = {};
  const todo = [];
  for (const t of timeouts) {
    const kept = before[t.key];
    // A kill stays a kill while the source and the change are the same; a pass is retried.
    if (kept && kept.sourceHash === t.sourceHash && kept.verdict !== "passed") {
      verdicts[t.key] = kept;
    } else todo.push(t);
  }
  console.log(
    `${reportFile}: ${timeouts.length} timeouts, ${timeouts.length - todo.length} confirmed before, ${todo.length} to check`,
  );
  if (todo.length > 0) {
    const sandboxes = Array.from({ length: Math.min(concurrency, todo.length) }, (_, i) =>
      makeSandbox(i),
    );
    // One run of every suite unmutated: each must pass, and its time sets the limit of the
    // mutants whose tests it holds (five times the time of their files, at least a minute).
    const baselineFile = join(sandboxes[0], "timeout-check-baseline.json");
    const base = await runJest(sandboxes[0], allFiles, 3600, { json: baselineFile });
    const fileSeconds = new Map();
    const failing = new Set();
    if (existsSync(baselineFile)) {
      for (const r of JSON.parse(readFileSync(baselineFile, "utf8")).testResults ?? []) {
        const file = relative(sandboxes[0], r.name);
        fileSeconds.set(file, (r.endTime - r.startTime) / 1000);
        if (r.status !== "passed") failing.add(file);
      }
    }
    console.log(
      `  the suites unmutated: ${base.outcome} in ${base.seconds.toFixed(0)} s${failing.size ? `; failing: ${[...failing].join(", ")}` : ""}`,
    );
    let next = 0;
    await Promise.all(
      sandboxes.map(async (sandbox) => {
        while (next < todo.length) {
          const t = todo[next++];
          let verdict;
          const bad = t.tests.filter((f) => failing.has(f) || !fileSeconds.has(f));
          if (t.stale) {
            verdict = { verdict: "error", detail: "the file changed since the report" };
          } else if (bad.length > 0) {
            verdict = {
              verdict: "error",
              detail: `fails or did not run unmutated: ${bad.join(", ")}`,
            };
          } else {
            const seconds = t.tests.reduce((sum, f) => sum + fileSeconds.get(f), 0);
            const limit = Math.max(MIN_LIMIT_SECONDS, Math.ceil(seconds * LIMIT_FACTOR));
            const target = join(sandbox, t.file);
            const original = readFileSync(target, "utf8");
            writeFileSync(target, t.mutated);
            try {
              const run = await runJest(sandbox, t.tests, limit, { names: t.names });
              verdict = { verdict: run.outcome, detail: run.detail, seconds: run.seconds };
            } finally {
              writeFileSync(target, original);
            }
          }
          verdicts[t.key] = { ...verdict, sourceHash: t.sourceHash };
          // Kept as it goes, so that a check stopped halfway keeps what it found.
          writeVerdicts(verdictFile, reportFile, verdicts);
          console.log(
            `  ${verdict.verdict.padEnd(6)} ${t.key} (was ${JSON.stringify(t.original)})${verdict.detail ? `: ${verdict.detail}` : ""}`,
          );
        }
      }),
    );
    for (const sandbox of sandboxes) rmSync(sandbox, { recursive: true, force: true });
  }
  writeVerdicts(verdictFile, reportFile, verdicts);
  const counts = {};
  for (const v of Object.values(verdicts)) counts[v.verdict] = (counts[v.verdict] ?? 0) + 1;
  const confirmed = (counts.failed ?? 0) + (counts.hung ?? 0);
  console.log(
    `timeouts confirmed: ${confirmed} of ${timeouts.length} (${counts.failed ?? 0} failed a test, ${counts.hung ?? 0} hung); ${counts.passed ?? 0} passed, not kills; ${counts.error ?? 0} not checkable`,
  );
  return counts.error ?? 0;
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  console.error(
    `${error.message}\nusage: node mutation/check-timeouts.js [report.json ...] [--concurrency N]`,
  );
  process.exit(2);
}
let errors = 0;
for (const report of options.reports) errors += await checkReport(report, options.concurrency);
process.exit(errors > 0 ? 1 : 0);
