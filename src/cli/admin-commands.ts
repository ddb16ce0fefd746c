/**
 * The commands of `jasper-admin` (src/cli/jasper-admin.ts), apart from opening the store, so
 * tests run them on any Operators. Arguments are parsed with node:util parseArgs; every
 * command prints a short human summary, or JSON with --json.
 */
import { parseArgs } from "node:util";
import { InvalidInputError } from "../shared/errors.js";
import type { Operator } from "../operators/operator.js";
import type { OperatorWriteResult } from "../operators/grant-bonus.js";
import type { Operators } from "../operators/operators.js";
import {
  presentAccountLine,
  presentAccountView,
  presentAuditEntry,
  presentLedgerEntry,
} from "../operators/present-operator.js";
import { formatVerifyReport } from "../ledger/verify-report.js";
import type { AuditLog } from "../audit/audit-log.js";
import { AUDIT_ACTIONS, type AuditAction } from "../audit/types.js";
import { findAccount } from "../operators/find-account.js";
import { LIST_LIMIT } from "../operators/list-accounts.js";
import type { AccountStore } from "../accounts/account-store.js";

/** What the process exits with; docs/operations.md, "Operators", lists them. */
export const EXIT = {
  ok: 0,
  /** verify: the ledger has problems. */
  problems: 1,
  /** The command could not run (database down, a bug). */
  failed: 2,
  /** Bad usage or input: nothing was written. */
  usage: 3,
  /** No such account: nothing was written. */
  unknownAccount: 4,
  /** The idempotency key was used for another grant or adjustment: nothing was written. */
  keyReused: 5,
  /** enterprise-plan: the account holds a Stripe subscription; nothing was written. */
  hasSubscription: 6,
} as const;

export const USAGE = `Usage: node dist/cli/jasper-admin.js <command> [flags]

Commands:
  grant <account> --amount N --reason TEXT [--expires-at DATE] [--key KEY]
                      bonus credits (an account is a GitHub login or an account id)
  adjust <account> --amount N --reason TEXT [--bucket free|bonus|purchased] [--key KEY]
                      up or down (write a negative amount as --amount=-5); never below zero
  enterprise-plan <account> --credits N --price-cents N --days-until-due N --reason TEXT
                  [--name TEXT]
                      put the account on a custom plan billed by invoice (or change its
                      terms): N credits a month from now, granted month by month for a year
  show <account>      balance, buckets, open runs, last entries, settings, status
  list [--by balance|activity] [--limit N] [--cursor C]
                      accounts at the warning level or below, or by last activity, a
                      page at a time (--cursor: the "more:" of the page before)
  repair-listings     bring every account's listed balance and last activity up to its
                      ledger (accounts from before they were kept, or left behind)
  sweep <account> [--stale-minutes N]
                      what the sweep does, now, for this account's runs unfinished for N
                      minutes (default 15; 0: all of them)
  audit <account> [--action A] [--limit N]
                      the account's audit log, newest first
  verify              the ledger check, read-only

Flags: --operator NAME (who you are, for the audit log; default $USER), --json`;

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
}

export interface AdminDeps {
  operators: Operators;
  audit: Pick<AuditLog, "list">;
  accounts: Pick<AccountStore, "get" | "findByLogin">;
  /** The default operator name (the CLI passes the OS user). */
  defaultOperator: string;
}

const OPTIONS = {
  amount: { type: "string" },
  reason: { type: "string" },
  "expires-at": { type: "string" },
  key: { type: "string" },
  bucket: { type: "string" },
  by: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  action: { type: "string" },
  "stale-minutes": { type: "string" },
  credits: { type: "string" },
  "price-cents": { type: "string" },
  "days-until-due": { type: "string" },
  name: { type: "string" },
  operator: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The commands that read only: the CLI opens the store read-only for them. */
export const READ_ONLY_COMMANDS = new Set(["verify", "list", "audit"]);

type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;

/**
 * The arguments, before anything is opened: --help (anywhere) prints the usage on stdout and
 * ends with 0, so it works without configuration; flags the commands do not take, or no
 * command, print the usage on stderr and end with EXIT.usage. Otherwise the command.
 */
export function readAdminArgs(
  argv: string[],
  io: AdminIo,
): { exit: number } | { command: string; parsed: Parsed } {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // --help wins over a mistake elsewhere: whoever asks for it is finding out the flags.
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(USAGE);
      return { exit: EXIT.ok };
    }
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return { exit: EXIT.usage };
  }
  if (parsed.values.help) {
    io.out(USAGE);
    return { exit: EXIT.ok };
  }
  const command = parsed.positionals[0];
  if (!command) {
    io.err(USAGE);
    return { exit: EXIT.usage };
  }
  return { command, parsed };
}

/** Runs one command; returns the exit code. Never throws for expected outcomes. */
export async function runAdmin(argv: string[], deps: AdminDeps, io: AdminIo): Promise<number> {
  const args = readAdminArgs(argv, io);
  if ("exit" in args) return args.exit;
  const { command } = args;
  const { values: v, positionals } = args.parsed;
  const rest = positionals.slice(1);
  const operator: Operator = { name: v.operator ?? deps.defaultOperator, interface: "cli" };
  const print = (json: unknown, text: string) =>
    io.out(v.json ? JSON.stringify(json, null, 2) : text);
  const needAccount = (): string => {
    if (rest.length !== 1) throw new UsageError(`${command}: give exactly one account`);
    return rest[0]!;
  };

  try {
    switch (command) {
      case "grant": {
        const result = await deps.operators.grantBonus(operator, {
          account: needAccount(),
          amount: integer("amount", v.amount),
          reason: v.reason as string,
          ...(v["expires-at"] !== undefined
            ? { expiresAt: date("expires-at", v["expires-at"]) }
            : {}),
          ...(v.key !== undefined ? { idempotencyKey: v.key } : {}),
        });
        return reportWrite(result, "granted", print, io);
      }
      case "adjust": {
        const bucket = v.bucket;
        if (bucket !== undefined && !["free", "bonus", "purchased"].includes(bucket)) {
          throw new UsageError("--bucket: must be free, bonus or purchased");
        }
        const result = await deps.operators.adjustBalance(operator, {
          account: needAccount(),
          amount: integer("amount", v.amount),
          reason: v.reason as string,
          ...(bucket !== undefined ? { bucket: bucket as "free" | "bonus" | "purchased" } : {}),
          ...(v.key !== undefined ? { idempotencyKey: v.key } : {}),
        });
        return reportWrite(result, "adjusted", print, io);
      }
      case "enterprise-plan": {
        const result = await deps.operators.enterprisePlan(operator, {
          account: needAccount(),
          creditsPerMonth: integer("credits", v.credits),
          priceCents: integer("price-cents", v["price-cents"]),
          daysUntilDue: integer("days-until-due", v["days-until-due"]),
          reason: v.reason as string,
          ...(v.name !== undefined ? { name: v.name } : {}),
        });
        if (result.status === "unknown_account") return unknownAccount(io, rest[0]!);
        if (result.status === "has_subscription") {
          io.err(
            `the account holds the Stripe subscription ${result.subscription}: cancel it first; nothing was written`,
          );
          return EXIT.hasSubscription;
        }
        const s = result.state;
        const granted = result.grant?.status ?? "nothing";
        print(
          {
            status: "set",
            account: result.accountLogin,
            plan: s.plan,
            terms: s.custom,
            periodEnd: s.currentPeriodEnd.toISOString(),
            thisMonth: granted,
          },
          `enterprise plan set: ${result.accountLogin} ${s.custom!.name}, ${s.custom!.creditsPerMonth} credits a month to ${s.currentPeriodEnd.toISOString().slice(0, 10)}, ${s.custom!.priceCents} cents a month due in ${s.custom!.daysUntilDue} days (this month: ${granted})`,
        );
        return EXIT.ok;
      }
      case "show": {
        const view = await deps.operators.showAccount(needAccount());
        if (!view) return unknownAccount(io, rest[0]!);
        const p = presentAccountView(view);
        print(
          p,
          [
            `${p.account.login} (${p.account.id}, ${p.account.type}, ${p.account.status})`,
            `balance ${p.balance} (free ${p.buckets.free}, plan ${p.buckets.plan}, bonus ${p.buckets.bonus}, purchased ${p.buckets.purchased}), alert ${p.alertLevel}${p.paused ? ", paused" : ""}`,
            `used this month: ${p.usageThisMonth}`,
            `settings: ${JSON.stringify(p.settings)}`,
            `open runs: ${p.openRuns.length}`,
            ...p.openRuns.map((r) => `  ${r.status} ${r.repository}#${r.number} ${r.runKey}`),
            `last entries:`,
            ...p.lastEntries.map(
              (e) =>
                `  ${e.createdAt} #${e.seq} ${e.type} ${e.amount} -> ${e.balanceAfter}  ${e.description}`,
            ),
          ].join("\n"),
        );
        return EXIT.ok;
      }
      case "list": {
        if (rest.length > 0) throw new UsageError("list: takes no account");
        const by = v.by ?? "balance";
        if (by !== "balance" && by !== "activity") {
          throw new UsageError("--by: must be balance or activity");
        }
        const limit = v.limit === undefined ? LIST_LIMIT.default : integer("limit", v.limit);
        if (limit < 1 || limit > LIST_LIMIT.max) {
          throw new UsageError(`--limit: must be 1 to ${LIST_LIMIT.max}`);
        }
        const page = await deps.operators.listAccounts(by, limit, v.cursor);
        const lines = page.lines.map(presentAccountLine);
        print(
          { accounts: lines, next: page.next },
          [
            ...(lines.length === 0 ? ["no accounts"] : []),
            ...lines.map(
              (l) =>
                `${l.login} (${l.id}, ${l.status})  balance ${l.balance} (${l.alertLevel})  last activity ${l.lastActivity ?? "never"}`,
            ),
            ...(page.next ? [`more: --cursor ${page.next}`] : []),
          ].join("\n"),
        );
        return EXIT.ok;
      }
      case "repair-listings": {
        if (rest.length > 0) throw new UsageError("repair-listings: takes no account");
        const report = await deps.operators.repairListings();
        print(
          { repair: report },
          `listing copies: ${report.repaired} repaired of ${report.accounts} accounts`,
        );
        return EXIT.ok;
      }
      case "sweep": {
        const minutes = v["stale-minutes"];
        const report = await deps.operators.sweepAccount(
          needAccount(),
          minutes === undefined ? undefined : integer("stale-minutes", minutes) * 60_000,
        );
        if (!report) return unknownAccount(io, rest[0]!);
        print(
          { sweep: report },
          `swept ${rest[0]}: ${report.resumed} resumed, ${report.requeued} requeued, ${report.failed} failed, ${report.settled} refunds settled, ${report.errors} errors`,
        );
        return report.errors > 0 ? EXIT.failed : EXIT.ok;
      }
      case "audit": {
        const account = await findAccount(deps.accounts, needAccount());
        if (!account) return unknownAccount(io, rest[0]!);
        const action = v.action;
        if (action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(action)) {
          throw new UsageError(`--action: must be one of ${AUDIT_ACTIONS.join(", ")}`);
        }
        const page = await deps.audit.list(account.id, {
          actions: action ? [action as AuditAction] : undefined,
          limit: v.limit === undefined ? 25 : integer("limit", v.limit),
        });
        const entries = page.entries.map(presentAuditEntry);
        print(
          { entries },
          entries
            .map(
              (e) =>
                `${e.at} ${e.action} by ${JSON.stringify(e.actor)} via ${e.interface} ${JSON.stringify(e.details)}`,
            )
            .join("\n") || "no entries",
        );
        return EXIT.ok;
      }
      case "verify": {
        if (rest.length > 0) throw new UsageError("verify: takes no account");
        const report = await deps.operators.verifyLedger();
        print(report, formatVerifyReport(report));
        return report.problemCount === 0 ? EXIT.ok : EXIT.problems;
      }
      default:
        io.err(`unknown command "${command}"\n\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidInputError) {
      io.err(`${command}: ${err.message}; nothing was written`);
      return EXIT.usage;
    }
    throw err;
  }
}

class UsageError extends Error {}

function integer(flag: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${flag}: must be a whole number`);
  return Number(value);
}

function date(flag: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag}: must be a date (2026-12-31)`);
  return d;
}

function unknownAccount(io: AdminIo, ref: string): number {
  io.err(`no account "${ref}" (a GitHub login or an account id); nothing was written`);
  return EXIT.unknownAccount;
}

function reportWrite(
  result: OperatorWriteResult,
  verb: string,
  print: (json: unknown, text: string) => void,
  io: AdminIo,
): number {
  if (result.status === "unknown_account") {
    io.err("no such account (a GitHub login or an account id); nothing was written");
    return EXIT.unknownAccount;
  }
  if (result.status === "key_reused") {
    io.err("this --key was used for another grant or adjustment; nothing was written");
    return EXIT.keyReused;
  }
  const e = presentLedgerEntry(result.entry);
  const uncollected =
    e.uncollected !== 0 ? ` (${-e.uncollected} could not be taken: recorded as uncollected)` : "";
  print(
    { status: result.status, account: result.accountLogin, entry: e },
    `${result.status === "replayed" ? "already " : ""}${verb}: ${result.accountLogin} ${e.amount > 0 ? "+" : ""}${e.amount}${uncollected}, balance ${e.balanceAfter} (entry ${e.id})`,
  );
  return EXIT.ok;
}
