import { describe, expect, it } from "@jest/globals";
import { randomInt } from "node:crypto";
import type { ChangedFile, PreparedDiff } from "../../src/engine/engine.js";
import { addedLines } from "../../src/engine/parse-patch.js";
import { conflictMarkers } from "../../src/engine/rules/conflict-markers.js";
import { debugLeftovers } from "../../src/engine/rules/debug-leftovers.js";
import type { Finding } from "../../src/engine/rules/finding.js";
import { riskyPatterns } from "../../src/engine/rules/risky-patterns.js";
import { secrets } from "../../src/engine/rules/secrets.js";
import { oversizedFile, sizeNote } from "../../src/engine/rules/size.js";

/**
 * Runs a rule over a modified file whose hunk keeps `context` before the added lines, as a
 * real patch would. Returns the findings' lines and severities for short assertions.
 */
function run<R extends Finding[] | Promise<Finding[]>>(
  rule: (file: ChangedFile, added: ReturnType<typeof addedLines>) => R,
  filename: string,
  added: string[],
  context = ["// unchanged"],
): R {
  const start = 10;
  const patch = [
    `@@ -${start},${context.length} +${start},${context.length + added.length} @@`,
    ...context.map((l) => ` ${l}`),
    ...added.map((l) => `+${l}`),
  ].join("\n");
  const file: ChangedFile = {
    filename,
    status: "modified",
    additions: added.length,
    deletions: 0,
    patch,
  };
  return rule(file, addedLines(patch));
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.line}:${f.severity}:${f.rule}`);

/** Runs the secrets rule (asynchronous: secretlint) the way `run` runs the others. */
function scan(filename: string, added: string[], context = ["// unchanged"]): Promise<Finding[]> {
  return run(secrets, filename, added, context);
}

/**
 * Random characters from `set`: every credential below is made at test time in its provider's
 * shape, so this file holds none (secret scanners and push protection would rightly stop it).
 */
const pick = (set: string, n: number) =>
  Array.from({ length: n }, () => set[randomInt(set.length)]).join("");
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = ALNUM + "+/";
const URL_SAFE = ALNUM + "-_";
const PEM_BEGIN = "-----BEGIN " + "RSA PRIVATE KEY-----";

/** [format, file, line holding it, the secret itself, severity], 21 common formats. */
type Made = [string, string, string, string, string];
function made(
  name: string,
  path: string,
  secret: string,
  line: (s: string) => string,
  severity = "high",
): Made {
  return [name, path, line(secret), secret, severity];
}
const FORMATS: (() => Made)[] = [
  () =>
    made(
      "AWS access key id",
      "src/config.js",
      "AKIA" + pick(UPPER + DIGITS, 16),
      (s) => `  accessKeyId: "${s}",`,
    ),
  () =>
    made(
      "AWS secret access key",
      "config/aws.yml",
      // Ends in a letter or digit: one ending in "+", "/" or "=" (about 1 in 21) is caught by
      // the credential-name rule at medium severity instead of secretlint's AWS rule, whose
      // pattern ends on a word boundary, so a random last character made this test flaky.
      pick(B64, 39) + pick(ALNUM, 1),
      (s) => `aws_secret_access_key: ${s}`,
    ),
  () =>
    made(
      "GitHub token",
      "scripts/release.sh",
      "ghp" + "_" + pick(ALNUM, 36),
      (s) => `export GH_TOKEN=${s}`,
    ),
  () =>
    made(
      "GitHub fine-grained token",
      "src/gh.ts",
      "github" + "_pat_" + pick(ALNUM, 22) + "_" + pick(ALNUM, 59),
      (s) => `const token = "${s}";`,
    ),
  () =>
    made(
      "Slack token",
      "app/notify.py",
      "xox" + "b-" + pick(DIGITS, 12) + "-" + pick(DIGITS, 13) + "-" + pick(ALNUM, 24),
      (s) => `client = WebClient(token="${s}")`,
    ),
  () =>
    made(
      "Slack webhook",
      "src/alert.ts",
      "https://hooks.slack" +
        ".com/services/T" +
        pick(UPPER + DIGITS, 8) +
        "/B" +
        pick(UPPER + DIGITS, 10) +
        "/" +
        pick(ALNUM, 24),
      (s) => `const hook = "${s}";`,
    ),
  () =>
    made(
      "Stripe live key",
      "src/billing.ts",
      "sk" + "_live_" + pick(ALNUM, 99),
      (s) => `const stripe = new Stripe("${s}");`,
    ),
  () =>
    made(
      "Stripe restricted live key",
      "src/billing.py",
      "rk" + "_live_" + pick(ALNUM, 24),
      (s) => `STRIPE_KEY = "${s}"`,
    ),
  () =>
    made(
      "Stripe test key",
      "src/billing.ts",
      "sk" + "_test_" + pick(ALNUM, 24),
      (s) => `const stripe = new Stripe("${s}");`,
      "low",
    ),
  () =>
    made(
      "Google API key",
      "web/maps.ts",
      "AI" + "za" + pick(URL_SAFE, 35),
      (s) => `const MAPS = "${s}";`,
    ),
  () =>
    made(
      "OpenAI key",
      "src/ai.ts",
      "sk-" + "proj-" + pick(URL_SAFE, 74) + "T3Blbk" + "FJ" + pick(URL_SAFE, 74),
      (s) => `const ai = new OpenAI({ apiKey: "${s}" });`,
    ),
  () =>
    made(
      "Anthropic key",
      "app/llm.py",
      "sk-" + "ant-api03-" + pick(URL_SAFE, 93) + "AA",
      (s) => `client = Anthropic(api_key="${s}")`,
    ),
  () =>
    made(
      "npm token",
      ".npmrc",
      "npm" + "_" + pick(ALNUM, 36),
      (s) => `//registry.npmjs.org/:_authToken=${s}`,
    ),
  () =>
    made(
      "database URL with a password",
      "config/prod.yml",
      "postgres://app:" + pick(ALNUM, 16) + "@db.internal:5432/app",
      (s) => `database_url: ${s}`,
    ),
  () =>
    made(
      "MongoDB URL with a password",
      "src/db.ts",
      "mongodb+srv://app:" + pick(ALNUM, 16) + "@cluster0.mongodb.net/app",
      (s) => `connect("${s}");`,
    ),
  () =>
    made(
      "unquoted YAML password",
      "deploy/values.yaml",
      pick(ALNUM, 6) + "!" + pick(ALNUM, 8),
      (s) => `  password: ${s}`,
      "medium",
    ),
  () =>
    made(
      "Azure storage key",
      "src/blob.ts",
      "AccountKey=" + pick(B64, 86) + "==",
      (s) =>
        `const conn = "DefaultEndpointsProtocol=https;AccountName=acme;${s};EndpointSuffix=core.windows.net";`,
    ),
  () =>
    made(
      "GitLab token",
      ".gitlab-ci.yml",
      "glpat" + "-" + pick(URL_SAFE, 20),
      (s) => `  GITLAB_TOKEN: ${s}`,
    ),
  () =>
    made(
      "SendGrid key",
      "app/mail.py",
      "SG" + "." + pick(URL_SAFE, 22) + "." + pick(URL_SAFE, 43),
      (s) => `SENDGRID_API_KEY = "${s}"`,
    ),
  () =>
    made(
      "Hugging Face token",
      "app/hf.py",
      "hf" + "_" + pick(ALNUM, 34),
      (s) => `login(token="${s}")`,
    ),
  () =>
    made(
      "DigitalOcean token",
      "infra/do.tf",
      "dop" + "_v1_" + pick(HEX, 64),
      (s) => `  token = "${s}"`,
    ),
  () =>
    made(
      "Shopify token",
      "src/shop.ts",
      "shp" + "at_" + pick(HEX, 32),
      (s) => `const shop = "${s}";`,
    ),
];

/** Harmless lines that look like credentials: [what, file, line]. */
const LOOK_ALIKES: [string, string, string][] = [
  ["an i18n label", "locales/de.json", '  "password": "Passwort",'],
  ["an i18n label with spaces", "locales/en.yml", "  reset_password: Reset your password"],
  ["a route name", "src/routes.ts", 'export const RESET_PASSWORD = "/account/reset-password";'],
  ["an error code", "src/errors.ts", '  INVALID_TOKEN: "auth/invalid-token",'],
  ["an error code constant", "src/errors.py", 'ERR_TOKEN = "ERR_TOKEN_EXPIRED"'],
  ["a placeholder", "config/app.yml", "  api_key: your-api-key-here"],
  ["a key placeholder", "src/ai.ts", 'const apiKey = "sk-xxxxxxxxxxxxxxxxxxxx";'],
  ["an environment lookup", "config/db.yml", "  password: ${DB_PASSWORD}"],
  ["a class name", "src/vault.ts", 'const secret = "SecretManagerClient";'],
  ["a documented URL", "docs/setup.md", "DATABASE_URL=postgres://user:password@localhost:5432/app"],
];

describe("secrets", () => {
  const caught: string[] = [];
  const flagged: string[] = [];

  it.each(FORMATS.map((f) => [f()[0], f] as const))(
    "finds the format %s, showing at most 4 characters of it",
    async (_name, make) => {
      const [name, path, line, secret, severity] = make();
      const findings = await scan(path, ["", line]);
      if (findings.length > 0) caught.push(name);
      expect(summary(findings)).toEqual([`12:${severity}:possible secret`]);
      const message = findings[0]?.message ?? "";
      expect(message).not.toContain(secret);
      expect(message).not.toContain(secret.slice(0, 5));
    },
  );

  it.each(LOOK_ALIKES)("leaves alone %s", async (name, path, line) => {
    const findings = await scan(path, [line]);
    if (findings.length > 0) flagged.push(name);
    expect(findings).toEqual([]);
  });

  it(`catches all ${FORMATS.length} common formats and flags none of the ${LOOK_ALIKES.length} look-alikes`, () => {
    expect({ caught: caught.length, flagged }).toEqual({ caught: FORMATS.length, flagged: [] });
  });

  it("still finds a generic password or secret with a random-looking value", async () => {
    const password = pick(LOWER, 4) + pick(DIGITS, 2) + "&" + pick(UPPER, 3);
    expect(summary(await scan("src/db.ts", [`const DB_PASSWORD = "${password}";`]))).toEqual([
      "11:medium:possible secret",
    ]);
    const hex = pick(HEX, 16);
    expect(summary(await scan("config/prod.json", [`  "client_secret": "${hex}",`]))).toEqual([
      "11:medium:possible secret",
    ]);
    const env = pick(LOWER, 6) + pick(DIGITS, 3) + pick(UPPER, 3);
    expect(summary(await scan(".env.production", [`SESSION_SECRET=${env}`]))).toEqual([
      "11:medium:possible secret",
    ]);
    expect(await scan(".env.example", [`SESSION_SECRET=${env}`])).toEqual([]);
  });

  it("finds a private key only when key material follows the header", async () => {
    const pem = [PEM_BEGIN, pick(B64, 64), "-----END RSA PRIVATE KEY-----"];
    expect(summary(await scan("deploy/key.pem", pem))).toEqual(["11:high:possible secret"]);
    const inline = `PRIVATE_KEY="${PEM_BEGIN}\\n${pick(B64, 40)}"`;
    expect(summary(await scan("deploy/app.env", [inline]))).toEqual(["11:high:possible secret"]);
    // Code that checks for the header, and docs that show the format, hold no key.
    expect(
      await scan("src/keys.ts", [`if (pem.startsWith("${PEM_BEGIN}")) {`, "  return pem;"]),
    ).toEqual([]);
    expect(
      await scan("docs/setup.md", [PEM_BEGIN, "...", "-----END RSA PRIVATE KEY-----"]),
    ).toEqual([]);
  });

  it("stays quiet on placeholders, environment lookups and look-alike names", async () => {
    const lines = [
      'const accessKeyId = "AKIAIOSFODNN7EXAMPLE"; // from the AWS docs',
      'password = "changeme123"',
      "const apiKey = process.env.API_KEY;",
      'const tokenizer = "bert-base-uncased";',
      'const secretName = "jasper/prod/stripe";',
      'DB_PASSWORD: "${DB_PASSWORD}"',
      'api_key = "<your-api-key-here>"',
      'const password = "password";',
      'if (token === "undefined-token") return;',
      'const placeholder = "sk_live_...";',
    ];
    expect(await scan("src/config.ts", lines)).toEqual([]);
  });

  it("skips generic assignments in test files, but not provider tokens", async () => {
    const key = "AKIA" + pick(UPPER + DIGITS, 16);
    const lines = ['  const password = "hunter2hunter2";', `  const key = "${key}";`];
    expect(summary(await scan("test/login.test.ts", lines))).toEqual(["12:high:possible secret"]);
  });

  it("scans one path many times at once without secretlint's profiler marking anything", async () => {
    const before = performance.getEntriesByType("mark").length;
    const lines = [`const hook = "${FORMATS[5]!()[3]}";`];
    const all = await Promise.all(Array.from({ length: 20 }, () => scan("src/a.ts", lines)));
    expect(all.every((f) => f.length === 1)).toBe(true);
    expect(performance.getEntriesByType("mark").length).toBe(before);
  });

  it("looks only at added lines", async () => {
    const key = "AKIA" + pick(UPPER + DIGITS, 16);
    expect(await scan("src/config.js", ["// rotated"], [`accessKeyId: "${key}",`])).toEqual([]);
  });
});

describe("debugLeftovers", () => {
  it("finds console.log and debugger in source, not in tests, scripts or comments", () => {
    const lines = [
      "  console.log('user', user);",
      "  debugger;",
      "  // console.log(user);",
      "  console.error(err);",
    ];
    expect(summary(run(debugLeftovers, "src/users/load.ts", lines))).toEqual([
      "11:low:debug leftover",
      "12:medium:debug leftover",
    ]);
    expect(run(debugLeftovers, "src/users/load.test.ts", [lines[0] ?? ""])).toEqual([]);
    expect(run(debugLeftovers, "scripts/seed.ts", [lines[0] ?? ""])).toEqual([]);
    expect(run(debugLeftovers, "src/users/load.ts", ["const debuggerEnabled = false;"])).toEqual(
      [],
    );
  });

  it("finds Python breakpoints but not print()", () => {
    const lines = ["import pdb", "    pdb.set_trace()", "    breakpoint()", '    print("done")'];
    expect(summary(run(debugLeftovers, "app/jobs.py", lines, ["def run():"]))).toEqual([
      "11:medium:debug leftover",
      "12:medium:debug leftover",
      "13:medium:debug leftover",
    ]);
    expect(run(debugLeftovers, "app/jobs.py", ["    # breakpoint()"])).toEqual([]);
  });

  it("finds Ruby and PHP breakpoints, not look-alikes", () => {
    expect(
      summary(run(debugLeftovers, "app/models/user.rb", ["    binding.pry", "    byebug"])),
    ).toEqual(["11:medium:debug leftover", "12:medium:debug leftover"]);
    expect(run(debugLeftovers, "Gemfile", ['  gem "byebug"'])).toEqual([]);
    expect(
      summary(run(debugLeftovers, "app/Http/UserController.php", ["        dd($user);"])),
    ).toEqual(["11:medium:debug leftover"]);
    expect(
      run(debugLeftovers, "app/Cart.php", ["        $this->add($item);", "        odd($n);"]),
    ).toEqual([]);
  });

  it("finds a focused test as high, and only in test files", () => {
    // Built from parts so that tools grepping for focused tests do not take this data for one.
    const only = ".only";
    const lines = [
      `  it${only}("charges once", async () => {`,
      `  describe${only}("refunds", () => {`,
    ];
    expect(summary(run(debugLeftovers, "test/ledger/charge.test.ts", lines))).toEqual([
      "11:high:focused test",
      "12:high:focused test",
    ]);
    expect(
      run(debugLeftovers, "test/ledger/charge.test.ts", ['  it("only charges once", () => {']),
    ).toEqual([]);
  });

  it("finds a TODO in a comment, not in code or docs", () => {
    expect(summary(run(debugLeftovers, "src/queue.ts", ["  // TODO: retry with backoff"]))).toEqual(
      ["11:low:todo"],
    );
    expect(summary(run(debugLeftovers, "app/jobs.py", ["    # FIXME handle timeouts"]))).toEqual([
      "11:low:todo",
    ]);
    expect(run(debugLeftovers, "src/status.ts", ["enum Status { TODO, DONE }"])).toEqual([]);
    expect(run(debugLeftovers, "README.md", ["# TODO list app"])).toEqual([]);
  });
});

describe("conflictMarkers", () => {
  it("finds all three markers of a committed conflict as high", () => {
    const lines = [
      "<<<<<<< HEAD",
      "  return a + b;",
      "=======",
      "  return sum(a, b);",
      ">>>>>>> feature/sum",
    ];
    expect(summary(run(conflictMarkers, "src/math.ts", lines))).toEqual([
      "11:high:conflict marker",
      "13:high:conflict marker",
      "15:high:conflict marker",
    ]);
  });

  it("leaves a heading underline alone, and markers that are not at the line start", () => {
    expect(run(conflictMarkers, "docs/guide.rst", ["Installation", "======="])).toEqual([]);
    expect(
      run(conflictMarkers, "src/diff.ts", ['const marker = "<<<<<<< HEAD";', " ======="]),
    ).toEqual([]);
  });
});

describe("riskyPatterns", () => {
  const cases: [string, string, string, string][] = [
    ["eval", "src/calc.js", "  return eval(expression);", "code injection"],
    ["new Function", "src/calc.ts", "  const fn = new Function('a', body);", "code injection"],
    [
      "exec with a template",
      "src/git.ts",
      "  await exec(`git checkout ${branch}`);",
      "command injection",
    ],
    ["execSync concatenated", "src/git.ts", '  execSync("rm -rf " + dir);', "command injection"],
    [
      "SQL template",
      "src/users.ts",
      "  db.query(`SELECT * FROM users WHERE id = ${id}`);",
      "SQL injection",
    ],
    [
      "SQL concatenation",
      "src/users.js",
      '  const q = "DELETE FROM sessions WHERE user = \'" + user + "\'";',
      "SQL injection",
    ],
    [
      "SQL f-string",
      "app/db.py",
      '    cur.execute(f"SELECT name FROM users WHERE id = {uid}")',
      "SQL injection",
    ],
    [
      "dangerouslySetInnerHTML",
      "web/Post.tsx",
      "  <div dangerouslySetInnerHTML={{ __html: post.body }} />",
      "unescaped HTML",
    ],
    ["innerHTML", "web/chat.ts", "  el.innerHTML = `<b>${msg.author}</b>`;", "unescaped HTML"],
    [
      "rejectUnauthorized",
      "src/http.ts",
      "  const agent = new https.Agent({ rejectUnauthorized: false });",
      "TLS verification off",
    ],
    [
      "NODE_TLS_REJECT_UNAUTHORIZED",
      "Dockerfile",
      "ENV NODE_TLS_REJECT_UNAUTHORIZED=0",
      "TLS verification off",
    ],
    [
      "verify=False",
      "app/client.py",
      "    r = requests.get(url, verify=False)",
      "TLS verification off",
    ],
    [
      "InsecureSkipVerify",
      "pkg/client/http.go",
      "\t\tTLSClientConfig: &tls.Config{InsecureSkipVerify: true},",
      "TLS verification off",
    ],
    ["chmod 777", "scripts/setup.sh", "chmod -R 777 /var/app/uploads", "world-writable"],
    ["0o777", "src/files.ts", "  fs.chmodSync(path, 0o777);", "world-writable"],
    ["pickle.loads", "app/cache.py", "    return pickle.loads(payload)", "unsafe deserialization"],
    ["yaml.load", "app/config.py", "    cfg = yaml.load(open(path))", "unsafe deserialization"],
    [
      "Math.random token",
      "src/auth.ts",
      "  const resetToken = Math.random().toString(36).slice(2);",
      "weak randomness",
    ],
  ];

  it.each(cases)("finds %s", (_name, path, line, rule) => {
    expect(run(riskyPatterns, path, [line]).map((f) => f.rule)).toEqual([rule]);
  });

  it.each([
    ["a method named eval", "src/model.ts", "  model.eval();"],
    ["eval in a comment", "src/calc.ts", "  // never eval(user input)"],
    ["execFile with arguments", "src/git.ts", '  await execFile("git", ["checkout", branch]);'],
    ["RegExp.prototype.exec", "src/parse.ts", '  const m = pattern.exec(line + "\\n");'],
    ["a tagged sql template", "src/users.ts", "  await sql`SELECT * FROM users WHERE id = ${id}`;"],
    [
      "a constant table name",
      "src/users.ts",
      "  db.query(`SELECT * FROM ${USERS_TABLE} WHERE id = $1`, [id]);",
    ],
    [
      "a parameterized Python query",
      "app/db.py",
      '    cur.execute("SELECT name FROM users WHERE id = %s", (uid,))',
    ],
    ["English with a value", "web/ui.ts", "  label = `Select ${n} files from the list`;"],
    [
      "sanitized HTML",
      "web/Post.tsx",
      "  <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(body) }} />",
    ],
    ["clearing innerHTML", "web/chat.ts", '  el.innerHTML = "";'],
    ["TLS checks on", "src/http.ts", "  new https.Agent({ rejectUnauthorized: true });"],
    [
      "reading the TLS variable",
      "src/http.ts",
      '  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === "0") warn();',
    ],
    ["TLS off in a test", "test/http.test.ts", "  new https.Agent({ rejectUnauthorized: false });"],
    ["chmod 755", "scripts/setup.sh", "chmod 755 /usr/local/bin/jasper"],
    ["json.loads", "app/cache.py", "    return json.loads(payload)"],
    ["yaml with SafeLoader", "app/config.py", "    cfg = yaml.load(f, Loader=yaml.SafeLoader)"],
    ["yaml.safe_load", "app/config.py", "    cfg = yaml.safe_load(f)"],
    ["a React key", "web/List.tsx", "  <Item key={Math.random()} />"],
  ])("leaves alone %s", (_name, path, line) => {
    expect(run(riskyPatterns, path, [line])).toEqual([]);
  });

  it.each([
    [
      "document.write of a value",
      "web/legacy.js",
      "  document.write(banner.html);",
      "unescaped HTML",
    ],
    ["outerHTML +=", "web/chat.js", "  row.outerHTML += `<td>${cell}</td>`;", "unescaped HTML"],
    [
      "insertAdjacentHTML",
      "web/chat.ts",
      '  list.insertAdjacentHTML("beforeend", item);',
      "unescaped HTML",
    ],
    [
      "child_process.exec",
      "src/run.ts",
      "  child_process.exec('tar xf ' + archive);",
      "command injection",
    ],
    [
      "TLS off by the environment",
      "src/http.ts",
      '  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";',
      "TLS verification off",
    ],
    [
      "SQL concatenated over a call",
      "src/users.ts",
      '  db.query("SELECT * FROM users WHERE name = \'" + req.query.name + "\'");',
      "SQL injection",
    ],
  ])("finds %s on the syntax tree", (_name, path, line, rule) => {
    expect(run(riskyPatterns, path, [line]).map((f) => f.rule)).toEqual([rule]);
  });

  it.each([
    ["eval in a string", "src/docs.ts", '  const help = "never call eval(input) on user data";'],
    ["eval in a template literal", "src/docs.ts", "  const help = `do not eval(${name}) at home`;"],
    ["eval after code on a line", "src/calc.ts", "  run(); // then eval(x) was removed"],
    ["eval in a block comment", "src/calc.ts", "  /* eval(expression) is gone */ run();"],
    ["innerHTML in a string", "web/lint.ts", '  const rule = "el.innerHTML = value is unsafe";'],
    [
      "innerHTML in JSX text",
      "web/Help.tsx",
      "  <p>Never set el.innerHTML = userInput; use textContent.</p>",
    ],
    ["innerHTML read", "web/chat.ts", "  const html = el.innerHTML;"],
    ["a comparison with innerHTML", "web/chat.ts", '  if (el.innerHTML == "") show();'],
    ["exec in a string", "src/git.ts", '  log("exec(`git ${cmd}`) failed");'],
    [
      "rejectUnauthorized in a string",
      "src/http.ts",
      '  warn("rejectUnauthorized: false is insecure");',
    ],
    [
      "SQL words in an error message",
      "src/users.ts",
      '  throw new Error("select from the list: " + name);',
    ],
    [
      "SQL in a comment after code",
      "src/users.ts",
      '  q(); // "SELECT * FROM users WHERE id = " + id',
    ],
    [
      "a tagged multi-line sql template",
      "src/users.ts",
      "  await sql`SELECT *\n FROM users WHERE id = ${id}`;",
    ],
  ])("leaves alone %s", (_name, path, line) => {
    expect(run(riskyPatterns, path, [line])).toEqual([]);
  });

  it("reads a call split over lines, on the added line, and not a hunk that starts in a comment", () => {
    const split = ["  const out = execSync(", "    `git log ${range}`,", "  );"];
    expect(summary(run(riskyPatterns, "src/git.ts", split))).toEqual(["11:high:command injection"]);
    // Only the argument is new: the finding is on the line the diff adds.
    expect(
      summary(
        run(riskyPatterns, "src/git.ts", ["    `git log ${range}`,"], ["  const out = execSync("]),
      ),
    ).toEqual(["11:high:command injection"]);
    // A regular expression ending in ".*" then "/" does not open or close a comment.
    expect(
      summary(
        run(riskyPatterns, "src/calc.js", ["  const re = /a.*/;", "  return eval(code);"], []),
      ),
    ).toEqual(["11:medium:code injection"]);
    // JSX around the value, a template over several lines.
    expect(
      summary(
        run(riskyPatterns, "web/Post.jsx", [
          "  return <article>",
          "    <div dangerouslySetInnerHTML={{ __html: post.body }} />",
          "  </article>;",
        ]),
      ),
    ).toEqual(["12:medium:unescaped HTML"]);
    // A hunk that opens inside a JSDoc block: its text is not code.
    expect(
      run(
        riskyPatterns,
        "src/calc.ts",
        [" * el.innerHTML = html is how it worked before", " */", "run();"],
        [" * Old notes:"],
      ),
    ).toEqual([]);
  });

  it.each([
    ["eval of a value", "app/calc.py", "    return eval(expression)", "code injection"],
    [
      "os.system with an f-string",
      "app/run.py",
      '    os.system(f"tar xf {archive}")',
      "command injection",
    ],
    [
      "subprocess with shell=True and concatenation",
      "app/run.py",
      '    subprocess.run("ls " + folder, shell=True)',
      "command injection",
    ],
    [
      "SQL by % formatting",
      "app/db.py",
      "    cur.execute(\"SELECT name FROM users WHERE id = '%s'\" % uid)",
      "SQL injection",
    ],
    [
      "SQL by .format",
      "app/db.py",
      '    cur.execute("DELETE FROM sessions WHERE user = {}".format(user))',
      "SQL injection",
    ],
    ["os.chmod 0o777", "app/files.py", "    os.chmod(path, 0o777)", "world-writable"],
  ])("finds %s in Python on the syntax tree", (_name, path, line, rule) => {
    expect(run(riskyPatterns, path, [line]).map((f) => f.rule)).toEqual([rule]);
  });

  it.each([
    ["eval in a string", "app/docs.py", '    HELP = "never eval(input) from users"'],
    ["eval in a comment after code", "app/calc.py", "    run()  # eval(x) was removed"],
    ["verify=False in a string", "app/http.py", '    log.warning("verify=False is insecure")'],
    [
      "pickle.loads in an f-string's text",
      "app/docs.py",
      '    msg = f"avoid pickle.loads(data) for {name}"',
    ],
    [
      "SQL in a docstring",
      "app/db.py",
      '    """Runs cur.execute(f"SELECT * FROM users WHERE id = {uid}") safely."""',
    ],
    ["subprocess without a shell", "app/run.py", '    subprocess.run(["ls", folder])'],
    ["eval of a fixed string", "app/calc.py", '    eval("1 + 1")'],
  ])("leaves alone %s in Python", (_name, path, line) => {
    expect(run(riskyPatterns, path, [line])).toEqual([]);
  });

  it("sees a SafeLoader on the next line of a split call", () => {
    const lines = ["    cfg = yaml.load(", "        stream, Loader=yaml.SafeLoader", "    )"];
    expect(run(riskyPatterns, "app/config.py", lines)).toEqual([]);
  });
});

describe("size", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const c${i} = ${i};`);

  it("flags a file adding more than 500 lines, once, on its first added line", () => {
    expect(summary(run(oversizedFile, "src/constants.ts", lines(501)))).toEqual([
      "11:low:large file change",
    ]);
    expect(run(oversizedFile, "src/constants.ts", lines(500))).toEqual([]);
  });

  const file = (filename: string, additions: number): ChangedFile => ({
    filename,
    status: "modified",
    additions,
    deletions: 0,
    patch: "@@ -1,1 +1,2 @@\n a\n+b",
  });
  const diff = (files: ChangedFile[], skipped: PreparedDiff["skipped"] = []): PreparedDiff => ({
    files,
    skipped,
    totalAdditions: files.reduce((n, f) => n + f.additions, 0),
    totalDeletions: 0,
  });

  it("notes a pull request over 1,000 changed lines or 40 files", () => {
    expect(sizeNote(diff([file("a.ts", 600), file("b.ts", 401)]))).toContain("1001 changed lines");
    expect(sizeNote(diff([file("a.ts", 600), file("b.ts", 400)]))).toBeNull();
    const files = Array.from({ length: 41 }, (_, i) => file(`src/f${i}.ts`, 1));
    expect(sizeNote(diff(files))).toContain("41 files");
    expect(sizeNote(diff(files.slice(1)))).toBeNull();
  });

  it("does not count lock files and generated files as size", () => {
    const skipped = Array.from({ length: 60 }, (_, i) => ({
      filename: `gen/f${i}.ts`,
      reason: "generated" as const,
    }));
    const small = diff(
      [file("src/a.ts", 10)],
      [{ filename: "package-lock.json", reason: "lock_file" }, ...skipped],
    );
    small.totalAdditions = 25_000;
    expect(sizeNote(small)).toBeNull();
  });

  it("notes a pull request that went over the review budget", () => {
    const note = sizeNote(diff([file("a.ts", 300)], [{ filename: "b.ts", reason: "over_budget" }]));
    expect(note).toContain("more than 300 changed lines");
  });
});
