/**
 * The command line of an operator command that takes no arguments (ledger:verify, migrate,
 * api:types), read with node:util parseArgs before anything else, so that --help works
 * without configuration: --help (-h) prints the usage on stdout and exits 0; anything else
 * prints what is wrong and the usage on stderr and exits with the command's usage code.
 */
import { parseArgs } from "node:util";

export function takeNoArguments(
  usage: string,
  usageExit: number,
  argv: string[] = process.argv.slice(2),
): void {
  let help: boolean | undefined;
  try {
    help = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" } },
      allowPositionals: false,
      strict: true,
    }).values.help;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(usageExit);
  }
  if (help) {
    console.log(usage);
    process.exit(0);
  }
}
